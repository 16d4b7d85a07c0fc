"""gunicorn configuration, read from the environment (see .env.example and README "Running in production").

Run from the repository root: ``.venv/bin/gunicorn tracker.wsgi`` (gunicorn loads this file from the
current directory by itself).
"""

import multiprocessing
import os

# Address to listen on. Keep 127.0.0.1 behind a reverse proxy on the same host.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Worker processes (gunicorn's own WEB_CONCURRENCY variable); the app keeps no state in a process,
# so any number works, given REDIS_URL for shared throttling counters.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
# Requests slower than this (seconds) get their worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Access and error logs to stdout/stderr, for the process manager to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
