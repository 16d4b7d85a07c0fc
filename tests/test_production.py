"""Production mode: settings from the environment, security headers, login lockout, shared cache, static files.

The settings tests run ``manage.py`` / ``python -c`` in a subprocess with a clean environment, so they
see exactly what a production process started with those variables would see.
"""

import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
from django.urls import path, reverse

from tests.factories import RecommendationFactory

ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "tracker.example.org",
}


def run_python(*args, env):
    """Run the venv's Python in the repository with only PATH and the given variables set (no .env file)."""
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ENV_FILE": os.devnull, **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120, check=False
    )


def setting(name, env):
    """The value of one setting as a production process with ``env`` would have it."""
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = run_python("-c", code, env={"DJANGO_SETTINGS_MODULE": "tracker.settings.base", "DEBUG": "false", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


# --- Settings from the environment ------------------------------------------------------------------


def test_check_deploy_passes_with_debug_off_secret_key_and_allowed_hosts():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_a_security_setting_is_weakened():
    # The guard above is meaningful: turning HSTS off through the environment makes it fail.
    result = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": "0"},
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_mode_is_the_default():
    assert setting("DEBUG", env={"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "ALLOWED_HOSTS": "x.org"}) == "False"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_without_required_variable_stops_with_clear_message(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_python("manage.py", "check", env=env)
    assert result.returncode != 0
    assert f"Configuration error: {missing} is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_wsgi_application_refuses_to_start_without_secret_key():
    # gunicorn imports tracker.wsgi: the development key must never apply with DEBUG off.
    result = run_python("-c", "import tracker.wsgi", env={"DEBUG": "false", "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_development_mode_needs_no_set_up():
    result = run_python("manage.py", "check", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert setting("SESSION_COOKIE_SECURE", env={"DEBUG": "true"}) == "False"
    assert setting("SECURE_SSL_REDIRECT", env={"DEBUG": "true"}) == "False"


def test_proxy_count_switches_the_lockout_to_the_forwarded_address():
    assert setting("AXES_IPWARE_META_PRECEDENCE_ORDER", env=PRODUCTION_ENV) == "('REMOTE_ADDR',)"
    behind_proxy = {**PRODUCTION_ENV, "NUM_PROXIES": "1"}
    assert setting("AXES_IPWARE_PROXY_COUNT", env=behind_proxy) == "0"
    assert setting("AXES_IPWARE_META_PRECEDENCE_ORDER", env=behind_proxy) == "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"


def test_proxy_ssl_header_is_opt_in():
    assert setting("SECURE_PROXY_SSL_HEADER", env=PRODUCTION_ENV) == "None"
    header = setting("SECURE_PROXY_SSL_HEADER", env={**PRODUCTION_ENV, "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"})
    assert header == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_cache_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    assert "LocMemCache" in setting("CACHES['default']['BACKEND']", env=PRODUCTION_ENV)
    with_redis = {**PRODUCTION_ENV, "REDIS_URL": TEST_REDIS_URL}
    # Django's Redis backend with a per-process fallback while Redis is unreachable (tests/test_faults.py).
    assert setting("CACHES['default']['BACKEND']", env=with_redis) == "'tracker.cache.FailoverRedisCache'"
    assert setting("CACHES['default']['LOCATION']", env=with_redis) == repr(TEST_REDIS_URL)


def redis_available():
    import redis

    try:
        return redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.mark.skipif(
    not os.environ.get("CI") and not redis_available(), reason=f"no Redis at {TEST_REDIS_URL} (CI always has one)"
)
def test_redis_cache_is_shared_between_processes():
    """What one process (worker or host) counts, another sees: the point of REDIS_URL."""
    key, value = f"test-shared-{uuid.uuid4().hex}", uuid.uuid4().hex
    env = {**PRODUCTION_ENV, "REDIS_URL": TEST_REDIS_URL, "DJANGO_SETTINGS_MODULE": "tracker.settings.base"}
    setup = "import django; django.setup(); from django.core.cache import cache; "
    written = run_python("-c", setup + f"cache.set({key!r}, {value!r}, 60)", env=env)
    assert written.returncode == 0, written.stderr
    read = run_python("-c", setup + f"print(cache.get({key!r})); cache.delete({key!r})", env=env)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == value


def test_gunicorn_config_reads_bind_and_workers_from_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8105")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8105"
    assert config["workers"] == 3
    assert config["accesslog"] == "-"


# --- Responses under production settings ------------------------------------------------------------


def test_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/admin/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/"


def test_security_headers_and_secure_cookies(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in policy
    directives = dict(directive.strip().split(" ", 1) for directive in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline or eval'd script at all on this page
    assert directives["style-src"] == "'self'"  # <style> blocks only with a nonce
    assert directives["style-src-attr"] == "'unsafe-inline'"  # style="..." attributes
    assert "unsafe-eval" not in policy
    assert response.cookies["csrftoken"]["secure"]

    get_user_model().objects.create_superuser("curator", password="a long enough password")
    token = response.cookies["csrftoken"].value
    logged_in = client.post(
        "/admin/login/",
        {"username": "curator", "password": "a long enough password", "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert logged_in.status_code == 302
    assert logged_in.cookies["sessionid"]["secure"]
    assert logged_in.cookies["sessionid"]["httponly"]


def test_not_found_page_shows_no_debug_information(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"URLconf" not in response.content
    assert b"Traceback" not in response.content


def failing_view(request):
    raise RuntimeError("secret internals of a bug")


urlpatterns = [path("boom/", failing_view)]


@pytest.mark.urls("tests.test_production")
def test_server_error_shows_a_plain_page_logs_and_mails_the_admins(settings, mailoutbox, caplog):
    settings.ADMINS = [("ops@example.org", "ops@example.org")]
    response = Client(raise_request_exception=False).get("/boom/", secure=True)
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    error = next(record for record in caplog.records if record.name == "django.request")
    assert error.levelname == "ERROR"
    assert "secret internals of a bug" in caplog.text  # the traceback goes to the log...
    assert "stdout" in settings.LOGGING["loggers"]["django.request"]["handlers"]  # ...which is stdout
    assert settings.LOGGING["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ops@example.org"]
    assert "RuntimeError" in mailoutbox[0].body


INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)([^>]*)>")
INLINE_STYLE = re.compile(rb"<style([^>]*)>")


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:password_change",
        "admin:recommendations_recommendation_changelist",
        "admin:recommendations_recommendation_add",
        "admin:recommendations_statusupdate_changelist",
        "admin:recommendations_statusupdate_add",
        "admin:recommendations_sourcedocument_changelist",
        "admin:recommendations_recommendation_import_upr",
        "admin:recommendations_recommendation_change",
        "admin:recommendations_recommendation_history",
    ],
)
def test_admin_inline_code_is_allowed_by_the_policy(admin_client, url):
    """Every inline <script>/<style> the admin renders carries this response's CSP nonce (or is JSON data)."""
    recommendation = RecommendationFactory()
    on_one_object = url.startswith("admin:recommendations_") and url.endswith(("_change", "_history"))
    response = admin_client.get(reverse(url, args=[recommendation.pk] if on_one_object else []))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    for attributes in INLINE_SCRIPT.findall(response.content) + INLINE_STYLE.findall(response.content):
        if b'type="application/json"' in attributes:
            continue  # data for the admin's scripts; not executed, not subject to script-src
        assert nonce, f"inline code but no nonce in the policy: {attributes!r}"
        assert f'nonce="{nonce.group(1)}"'.encode() in attributes


def test_date_range_filter_script_gets_the_nonce(admin_client):
    response = admin_client.get(reverse("admin:recommendations_statusupdate_changelist"))
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script type="text/javascript" nonce="{nonce}">'.encode() in response.content


# --- Login lockout ----------------------------------------------------------------------------------


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser("curator", password="the right password")


def log_in(client, password, username="curator"):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def test_repeated_failed_logins_lock_the_account_until_reset(client, curator):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = log_in(client, "wrong")
        assert response.status_code == 200  # the login form again, with its error
        assert b"Please enter the correct username and password" in response.content
    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert b"Sign-in temporarily locked" in locked.content
    assert b"curator" in locked.content

    refused = log_in(client, "the right password")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Counted in the database, so every worker and host sees it.
    assert AccessAttempt.objects.get(username="curator").failures_since_start >= limit

    call_command("axes_reset")
    accepted = log_in(client, "the right password")
    assert accepted.status_code == 302
    assert accepted["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(curator.pk)


def test_lockout_is_per_username_and_address(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, "the right password").status_code == 429
    # The same account from another address is not locked out by someone else's guessing.
    elsewhere = Client(REMOTE_ADDR="203.0.113.7")
    assert log_in(elsewhere, "the right password").status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    forged = client.post(
        "/admin/login/",
        {"username": "curator", "password": "the right password"},
        headers={"x-forwarded-for": "198.51.100.23"},
    )
    assert forged.status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_client(client, curator, settings):
    # NUM_PROXIES=1, as test_proxy_count_switches_the_lockout_to_the_forwarded_address sets it.
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # The proxy appends the address it saw; whatever the client sent before it is ignored.
    visitor = {"x-forwarded-for": "192.0.2.66, 198.51.100.23"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "curator", "password": "wrong"}, headers=visitor)
    assert AccessAttempt.objects.get(username="curator").ip_address == "198.51.100.23"
    other_visitor = {"x-forwarded-for": "203.0.113.5"}
    allowed = client.post(
        "/admin/login/", {"username": "curator", "password": "the right password"}, headers=other_visitor
    )
    assert allowed.status_code == 302


def test_reset_by_username_lifts_the_lock(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    call_command("axes_reset_username", "curator")
    assert log_in(client, "the right password").status_code == 302


def test_staff_lift_a_lock_by_deleting_the_attempt_in_the_admin(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    attempt = AccessAttempt.objects.get(username="curator")
    colleague = Client()
    colleague.force_login(get_user_model().objects.create_superuser("colleague", password="x"))
    changelist = colleague.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert b"Access attempts" in changelist.content
    deleted = colleague.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert log_in(client, "the right password").status_code == 302


# --- Static files -----------------------------------------------------------------------------------


def test_whitenoise_serves_collected_static_files_with_hashed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False  # production: files indexed once at start-up
    call_command("collectstatic", interactive=False, verbosity=0)

    url = static("admin/css/base.css")
    assert re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", url)
    client = Client()  # a new client starts the middleware, so whitenoise indexes STATIC_ROOT now
    response = client.get(url, secure=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"/*")
    compressed = client.get(url, secure=True, headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
