"""Production serving: `gunicorn -c gunicorn.conf.py 'webapp:create_app()'`.

Sync workers (one request at a time per process; a completion is CPU-bound Python, so threads
would only contend for the GIL), one process per core by default x2, each with its own small
SQLAlchemy connection pool to PostgreSQL (DATABASE_URL). Put N such servers behind any HTTP load
balancer; they share nothing but the database.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
# The arbiter imports the app once and forks the workers from it, so a recycled worker (max_requests)
# serves again within milliseconds instead of after a 0.5–1 s import, during which the other worker
# had the whole load: at 280 completions/s with a restart every 4 000 requests, p95 212 → 15 ms and
# the worst 812 → 145 ms. The arbiter opens no database connection; post_fork still empties each
# worker's inherited pool, as SQLAlchemy advises for forked processes.
preload_app = True
# Recycle a worker now and then so slow growth (caches, fragmentation) never accumulates;
# the jitter keeps the workers from restarting at the same moment. 0 disables (the memory benchmark).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 2  # only matters behind a proxy that keeps connections open; sync workers serve one at a time
backlog = 2048
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # e.g. "-" for stdout; off by default
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    from webapp.extensions import db
    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
