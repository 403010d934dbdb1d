"""Forms as data: a package's form texts drive the API's `form` object, the HTML form and validation."""

from . import credit_code
from .definition import Choice, FieldDef, FormDefinition, FormDefinitionError, FormNotFound
from .library import FormLibrary

__all__ = [
    "Choice",
    "FieldDef",
    "FormDefinition",
    "FormDefinitionError",
    "FormLibrary",
    "FormNotFound",
    "credit_code",
]
