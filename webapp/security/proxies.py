"""The client's address behind a load balancer: X-Forwarded-For is believed only for the number of
proxies configured (TRUSTED_PROXIES), so a client cannot choose its own address, and with none
configured the header is ignored."""

from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app):
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def client_ip():
    from flask import has_request_context, request
    return (request.remote_addr or "unknown")[:45] if has_request_context() else None
