"""Security controls (等保 2.0 level 3), one concern per module; init_app wires the web-facing ones.

Importing this package costs nothing: the engine and formkit import yaml_guard alone."""


def init_app(app):
    """Called by create_app right after the configuration is read."""
    from . import secret, settings

    for name, value in settings.defaults(app.config.get("PRODUCTION")).items():
        if name.startswith("SESSION_COOKIE_"):
            app.config[name] = value  # Flask has its own defaults for these: ours win
        else:
            app.config.setdefault(name, value)
    secret.check(app.config)

    from . import audit_guard, headers, json_guard, proxies, strings, web  # noqa: F401 - audit_guard: triggers
    proxies.init_app(app)
    headers.init_app(app)
    json_guard.init_app(app)
    strings.init_app(app)
    web.init_app(app)
