"""A signed-in browser session over Flask's test client: pages, forms with their CSRF token."""

import re
from html.parser import HTMLParser


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


class _FormReader(HTMLParser):
    """The (name, value) pairs a browser would submit for one <form>, as the page rendered it."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self._select = self._textarea = None
        self._chosen = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.pairs.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select, self._chosen = a["name"], []
        elif tag == "option" and self._select is not None and "selected" in a:
            self._chosen.append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.pairs += [(self._select, v) for v in self._chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            self.pairs.append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None


def form_values(html, form_id="task-form"):
    """What submitting the form `form_id` of this page unchanged would send: [(name, value)]."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.pairs
