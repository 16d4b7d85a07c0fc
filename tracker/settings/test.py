"""Test settings: speed-ups on top of ``base``; behaviour is the same as in production.

Tests run in production mode (DEBUG off, as pytest-django runs them anyway, whatever the shell has
exported), so the two variables production mode requires get test-only values here unless the
environment already has them. ``test_production.py``
runs ``check --deploy`` on the real settings in a subprocess with a clean environment.
"""

import os

# A developer's or server's .env must not change what the tests check (or point them at a real
# database): the suite reads only real environment variables, e.g. DATABASE_URL for PostgreSQL.
os.environ.setdefault("ENV_FILE", os.devnull)
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-outside-the-test-suite-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client speaks plain http; test_production.py turns the redirect on and checks it.
SECURE_SSL_REDIRECT = False

# Templates render `{% static %}` without a `collectstatic` run first; test_production.py runs
# collectstatic with the production (manifest) storage and checks whitenoise serves the result.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# whitenoise looks files up per request instead of scanning STATIC_ROOT whenever a test client
# starts (and warning when there is none); test_production.py checks the production set-up.
WHITENOISE_AUTOREFRESH = True
