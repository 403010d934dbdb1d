"""Known vs unknown username (issue 16): the median time of a refused POST /api/v1/auth/token with
scrypt, the production password hash, on a throw-away SQLite database.

Run: .venv/bin/python bench/login_timing.py
"""

import statistics
import tempfile
import time

from webapp import create_app, demo
from webapp.extensions import db


def main(rounds=15):
    folder = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/timing.db", "SECRET_KEY": "x" * 40,
                      "LOGIN_MAX_FAILURES": 10**6, "LOGIN_IP_MAX_FAILURES": 10**6})
    with app.app_context():
        db.create_all()
        demo.load()
    client = app.test_client()

    def refused(name):
        start = time.perf_counter()
        response = client.post("/api/v1/auth/token", json={"username": name, "password": "wrong-pass"})
        assert response.status_code == 401
        return (time.perf_counter() - start) * 1000

    refused("city"), refused("ghost")  # warm up
    known = [refused("city") for _ in range(rounds)]
    unknown = [refused(f"ghost{n}") for n in range(rounds)]
    print(f"known user median {statistics.median(known):.1f} ms, "
          f"unknown user median {statistics.median(unknown):.1f} ms")


if __name__ == "__main__":
    main()
