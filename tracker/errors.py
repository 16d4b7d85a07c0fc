"""What a request gets when the server fails: a plain 500 page, or, when the database is
unreachable, a short 503 with ``Retry-After`` that is neither logged as an error nor mailed per
request.

Django calls ``handler500`` (``server_error``) for any exception a view or middleware lets
through, inside the ``except`` block, so the exception is at hand. A database that cannot be
reached (PostgreSQL restarting, a network cut, too many connections) raises ``OperationalError``
or ``InterfaceError``; every request then fails the same way until it is back, so the operator
is told once per ``DATABASE_UNAVAILABLE_LOG_INTERVAL`` seconds per worker process (one error
line in the log, and a short mail to ``ADMINS``), and clients are told to retry. Django closes a broken connection at
the end of the request and opens a new one for the next, so service resumes by itself.
"""

import logging
import sys
import threading
import time

from django.conf import settings
from django.core.mail import mail_admins
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

logger = logging.getLogger("tracker.availability")

UNAVAILABLE_MESSAGE = "The database is unavailable at the moment; try again in a few seconds."
UNAVAILABLE_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Service unavailable</title>"
    "<h1>Service unavailable</h1><p>{message}</p></html>"
)

_lock = threading.Lock()
_last_report = None


def _report(error):
    """Log the outage, and mail it to ``ADMINS`` (a few lines, no traceback), at most once per
    interval in this process."""
    global _last_report
    now = time.monotonic()
    with _lock:
        if _last_report is not None and now - _last_report < settings.DATABASE_UNAVAILABLE_LOG_INTERVAL:
            return
        _last_report = now
    first_line = next(iter(str(error).strip().splitlines()), "")
    message = (
        f"Database unavailable ({type(error).__name__}: {first_line}): answering 503 with Retry-After: "
        f"{settings.DATABASE_UNAVAILABLE_RETRY_AFTER} until it is back (reported at most every "
        f"{settings.DATABASE_UNAVAILABLE_LOG_INTERVAL} s per worker process)."
    )
    logger.error(message)
    mail_admins("Database unavailable: answering 503", message, fail_silently=True)


def wants_json(request):
    return request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")


def database_unavailable(request, error):
    _report(error)
    if wants_json(request):
        response = JsonResponse({"detail": UNAVAILABLE_MESSAGE}, status=503)
    else:
        response = HttpResponse(UNAVAILABLE_PAGE.format(message=UNAVAILABLE_MESSAGE), status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Reported above, once per interval: Django must not log (and mail) it again per request.
    response._has_been_logged = True
    return response


def server_error(request, template_name="500.html"):
    """``handler500``: a 503 when the database is unreachable, Django's plain 500 page otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request, error)
    return defaults.server_error(request, template_name)
