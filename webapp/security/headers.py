"""Security headers on every response. The CSP allows no inline script or style: pages keep their
scripts in static files and pass data in <script type="application/json"> blocks, which never run;
bpmn-js and dmn-js position their overlays through the CSSOM (element.style), which CSP permits
(the browser tests fail on any violation a page reports)."""

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def init_app(app):
    hsts = app.config["HSTS_SECONDS"]

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Server"] = "web"  # no product or version for an attacker to look up
        if hsts:
            headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
        return response
