"""gunicorn configuration, read from the environment (see .env.example and README "Running in production").

Run from the repository root: ``.venv/bin/gunicorn tracker.wsgi`` (gunicorn loads this file from the
current directory by itself). Like the Django settings, it reads a ``.env`` file next to it if present;
real environment variables win.
"""

import multiprocessing
import os
from pathlib import Path

import environ

environ.Env.read_env(os.environ.get("ENV_FILE", str(Path(__file__).resolve().parent / ".env")), overwrite=False)

# Address to listen on. Keep 127.0.0.1 behind a reverse proxy on the same host.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Worker processes (gunicorn's own WEB_CONCURRENCY variable). The app keeps no state in a process,
# so any number works; with more than one, set REDIS_URL so API throttling counts are shared.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
# Requests slower than this (seconds) get their worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Proxies trusted to say a request came over https (X-Forwarded-Proto); gunicorn's own variable.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Access log to stdout, errors to stderr, for the process manager to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
