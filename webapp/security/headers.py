"""Security headers on every response. The CSP allows no inline script or style: pages keep their
scripts in static files and pass data in <script type="application/json"> blocks, which never run;
bpmn-js and dmn-js position their overlays through the CSSOM (element.style), which CSP permits
(the browser tests fail on any violation a page reports). One page is the exception: the decision
table editor, whose cell editor (CodeMirror inside dmn-js) writes a <style> element and style
attributes that cannot be given a nonce from outside; there, and only there (allow_inline_styles),
styles may be inline — scripts never are anywhere."""

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


def allow_inline_styles(response):
    """The DMN editor page only: dmn-js builds parts of its table from HTML with style attributes, and the
    FEEL cell editor (CodeMirror) adds its stylesheet as a <style> element with no way to give it a nonce.
    Scripts stay 'self'; the page is the process owner's alone."""
    response.headers["Content-Security-Policy"] = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return response


def init_app(app):
    hsts = app.config["HSTS_SECONDS"]

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)  # the DMN editor's own: allow_inline_styles
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Server"] = "web"  # no product or version for an attacker to look up
        if hsts:
            headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
        return response
