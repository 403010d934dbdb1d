"""A signed-in API client for one demo user, over a Flask test client (the unit tests and the browser
tests set cases up with it)."""


from io import BytesIO


class Api:
    """A signed-in API client for one demo user."""

    def __init__(self, client, username):
        self.client = client
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo12345"})
        assert response.status_code == 200, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def get(self, path, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kw)

    def upload(self, name="evidence.pdf", content=b"%PDF-1.4\n% demo evidence\n%%EOF\n"):
        response = self.client.post("/api/v1/attachments", headers=self.headers,
                                    data={"file": (BytesIO(content), name)}, content_type="multipart/form-data")
        return response
