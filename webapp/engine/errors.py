"""Errors the engine raises, each mapped to one HTTP status by the API."""


class EngineError(Exception):
    status = 400


class DefinitionError(EngineError):
    """A diagram that cannot be deployed; `errors` lists every finding with its line."""

    status = 422

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or [message]


class NotAllowed(EngineError):
    status = 403


class NotFound(EngineError):
    status = 404


class Conflict(EngineError):
    status = 409


class ValidationFailed(EngineError):
    status = 422

    def __init__(self, message, errors):
        super().__init__(message)
        self.errors = errors


class ScriptError(EngineError):
    """A diagram expression that failed or was refused while a case ran."""

    status = 422
