"""Issue 8, finding 8: faults degrade, they do not cascade.

With real processes: a private ``redis-server`` that the test kills and starts again, and a
gunicorn server whose PostgreSQL connections go through a TCP proxy that the test cuts and
restores. Redis unreachable: the API keeps answering, throttling per process, one warning and no
mail. Database unreachable: every request a 503 with ``Retry-After`` and a short body, no 500,
no traceback, at most one mail; both recover by themselves.
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from rest_framework.throttling import AnonRateThrottle

from tracker import errors

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None and not os.environ.get("CI"),
    reason="redis-server is not installed (apt-get install redis-server; .ci/run does)",
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what, attempts=200):
    """Poll ``condition`` (bounded by a number of attempts, not a clock assertion)."""
    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


class RedisServer:
    """A private redis-server on a spare port, without persistence, that the test can stop."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, "redis-server to start")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def answers(self):
        import redis

        try:
            return self.client().ping()
        except redis.exceptions.RedisError:
            return False


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def failover_cache(redis_server, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.cache.FailoverRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_SECONDS": 0, "WARNING_INTERVAL": 60},
        }
    }
    settings.ADMINS = [("Ops", "ops@example.org")]
    from django.core.cache import cache

    yield cache
    cache.fallback.clear()


@needs_redis_server
@pytest.mark.django_db
def test_with_redis_unreachable_the_api_keeps_answering_and_recovers(
    redis_server, failover_cache, monkeypatch, caplog, mailoutbox
):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "5/minute"})
    client = Client(raise_request_exception=False)

    # Redis up: the throttle counts there (shared by every worker).
    assert [client.get("/api/v1/themes/").status_code for _ in range(6)] == [200] * 5 + [429]
    assert redis_server.client().keys("*throttle_anon*")

    redis_server.stop()
    caplog.clear()
    statuses = [client.get("/api/v1/themes/").status_code for _ in range(30)]
    # No 5xx: the per-process fallback takes over, and it still throttles.
    assert statuses == [200] * 5 + [429] * 25
    warnings = [record for record in caplog.records if record.name == "tracker.availability"]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert warnings[0].levelname == "WARNING"
    assert "Redis cache unreachable" in warnings[0].getMessage()
    assert mailoutbox == []

    # Back by itself once Redis answers again (a new, empty server: the count starts afresh).
    redis_server.start()
    caplog.clear()
    assert client.get("/api/v1/themes/").status_code == 200
    assert redis_server.client().keys("*throttle_anon*")
    assert "reachable again" in caplog.text
    assert mailoutbox == []


@needs_redis_server
def test_the_fallback_waits_before_trying_redis_again(redis_server, failover_cache):
    failover_cache.retry_seconds = 3600
    redis_server.stop()
    failover_cache.set("key", "value")  # Redis fails once; the fallback has it
    redis_server.start()
    assert failover_cache.get("key") == "value"  # still the fallback: Redis is not retried yet
    assert redis_server.client().keys("*") == []


# --- The database ---------------------------------------------------------------------------------


@pytest.fixture
def fresh_report_interval(monkeypatch):
    monkeypatch.setattr(errors, "_last_report", None)


@pytest.mark.django_db
@override_settings(ADMINS=[("Ops", "ops@example.org")])
def test_a_database_error_is_a_503_with_retry_after_reported_once(monkeypatch, mailoutbox, fresh_report_interval):
    from recommendations.api import views

    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(views.ThemeViewSet, "list", unreachable)
    client = Client(raise_request_exception=False)
    responses = [client.get("/api/v1/themes/") for _ in range(5)]
    assert {response.status_code for response in responses} == {503}
    assert responses[0]["Retry-After"] == "10"
    assert responses[0].json() == {"detail": errors.UNAVAILABLE_MESSAGE}
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "[Django] Database unavailable: answering 503"
    assert "Connection refused" in mailoutbox[0].body
    assert "Traceback" not in mailoutbox[0].body

    monkeypatch.setattr(views.ThemeViewSet, "retrieve", unreachable)
    page = client.get("/api/v1/themes/1/", HTTP_ACCEPT="text/html")
    assert page.status_code == 503
    # A failure outside any view (reading the session for the admin) is answered the same way, in HTML.
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)
    html = Client(raise_request_exception=False)
    html.cookies["sessionid"] = "a" * 32
    page = html.get("/admin/")
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert b"Service unavailable" in page.content
    assert len(mailoutbox) == 1  # still the one report of this interval


@pytest.mark.django_db
def test_other_errors_are_still_a_plain_500(monkeypatch):
    from recommendations.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.ThemeViewSet, "list", broken)
    response = Client(raise_request_exception=False).get("/api/v1/themes/")
    assert response.status_code == 500


class TcpProxy:
    """Forwards connections to ``upstream`` until ``cut()`` drops them all and refuses new ones;
    ``restore()`` accepts again on the same port."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self.sockets = []
        self.lock = threading.Lock()
        self.listener = None

    def restore(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        listener, self.listener = self.listener, None
        listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def get(url):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (the CI's second run)")
@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_503_while_the_database_is_cut_off_and_recovers(redis_server, tmp_path):
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.restore()
    port = free_port()
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ENV_FILE": os.devnull,
        "DEBUG": "false",
        "SECRET_KEY": "faults-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "CONN_MAX_AGE": "60",  # a persistent connection, taken away under the worker's feet
        "REDIS_URL": redis_server.url,
        "REDIS_RETRY_SECONDS": "0",
        "ADMINS": "ops@example.org",
        "EMAIL_URL": "consolemail://",  # mails go to stdout, where the test counts them
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/api/v1/themes/"
    try:
        wait_for(lambda: _answers(url), "gunicorn to start", attempts=600)
        assert get(url)[0] == 200

        proxy.cut()
        outage = [get(url) for _ in range(20)]
        assert {status for status, _, _ in outage} == {503}, [body[:200] for _, _, body in outage]
        _, headers, body = outage[0]
        assert headers["Retry-After"] == "10"
        assert headers["Content-Type"] == "application/json"
        assert len(body) < 200 and b"unavailable" in body

        redis_server.stop()  # Redis goes too: still a 503, not a 500
        assert get(url)[0] == 503

        proxy.restore()
        redis_server.start()
        assert [get(url)[0] for _ in range(5)] == [200] * 5
    finally:
        server.terminate()
        server.wait(timeout=30)
        proxy.cut()
    output = log.read_text()
    assert "Traceback" not in output
    assert " 500 " not in output
    assert output.count("Subject: [Django] Database unavailable") == 1
    assert output.count("Redis cache unreachable") == 1


def _answers(url):
    try:
        return get(url)[0] == 200
    except OSError:
        return False
