"""A signed-in browser session over Flask's test client: pages, forms with their CSRF token."""

import re


def csrf_token(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Session:
    def __init__(self, app, username=None):
        self.client = app.test_client()
        if username:
            page = self.client.get("/login").get_data(as_text=True)
            response = self.client.post("/login", data={"username": username, "password": "demo12345",
                                                        "csrf_token": csrf_token(page)})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def text(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def submit(self, path, data, token_from=None, **kw):
        """POST a form the way its page would, CSRF token included."""
        token = csrf_token(self.text(token_from or path))
        return self.client.post(path, data={**data, "csrf_token": token}, **kw)
