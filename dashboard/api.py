"""The dashboard's only source of data: the public REST API (``/api/v1/``), called in process.

A page is rendered on the server from the same JSON that the API gives an anonymous browser
(the JavaScript on the page then calls the API itself for the charts). Each call resolves the
API's URL, runs its view with a fresh anonymous GET request — no session, no token, whoever is
logged in — and decodes the rendered JSON body, exactly as an HTTP client would. So the
dashboard shows only published data, with the API's own filters, validation and numbers; it
never touches the database or the models itself (``tests/test_dashboard_views.py`` guards that).

Calls made in process skip the API's anonymous throttle: one page view makes several calls,
and the visitor's own requests to the API (from the page's JavaScript) are still throttled.
"""

import io
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404
from django.urls import Resolver404, resolve

API_ROOT = "/api/v1/"


class ApiError(Exception):
    """The API refused a request (a 400 with field errors, say)."""

    def __init__(self, status, data):
        super().__init__(f"API answered {status}: {data}")
        self.status = status
        self.data = data


@dataclass
class ApiClient:
    """Calls the public API in process for one page view; ``calls`` lists the URLs it asked for
    (the page shows how it was built, and the benchmark counts them)."""

    host_request: object = None
    calls: list = field(default_factory=list)

    def url(self, path, params=None):
        query = urlencode(clean(params or {}), doseq=True)
        return API_ROOT + path + (f"?{query}" if query else "")

    def get(self, path, params=None):
        """GET ``/api/v1/<path>?<params>`` as an anonymous client; the decoded JSON body.
        A 404 becomes Django's Http404; any other error an ApiError with the API's body."""
        url = self.url(path, params)
        self.calls.append(url)
        try:
            match = resolve(API_ROOT + path)
        except Resolver404:
            raise Http404(path) from None
        response = self.view(match)(self.request(path, params), *match.args, **match.kwargs)
        response.render()
        data = json.loads(response.content or b"null")
        if response.status_code == 404:
            raise Http404(path)
        if response.status_code >= 400:
            raise ApiError(response.status_code, data)
        return data

    @staticmethod
    def view(match):
        """The API view without throttles (see the module's docstring)."""
        view = match.func
        if hasattr(view, "actions"):  # a viewset's list or detail
            return view.cls.as_view(view.actions, **{**view.initkwargs, "throttle_classes": ()})
        return view.view_class.as_view(**{**view.view_initkwargs, "throttle_classes": ()})

    def request(self, path, params):
        """A fresh anonymous GET request for the API, on the host the visitor used."""
        outer = getattr(self.host_request, "META", {})
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": API_ROOT + path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": urlencode(clean(params or {}), doseq=True),
            "SERVER_NAME": outer.get("SERVER_NAME", "127.0.0.1"),
            "SERVER_PORT": outer.get("SERVER_PORT", "80"),
            "HTTP_ACCEPT": "application/json",
            "REMOTE_ADDR": outer.get("REMOTE_ADDR", "127.0.0.1"),
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": outer.get("wsgi.url_scheme", "http"),
        }
        if "HTTP_HOST" in outer:
            environ["HTTP_HOST"] = outer["HTTP_HOST"]
        if "HTTP_X_FORWARDED_PROTO" in outer:
            environ["HTTP_X_FORWARDED_PROTO"] = outer["HTTP_X_FORWARDED_PROTO"]
        return WSGIRequest(environ)


def clean(params):
    """Query parameters without the empty ones (an empty filter means "any")."""
    result = {}
    for key, value in params.items():
        if isinstance(value, list | tuple):
            value = [item for item in value if item not in (None, "")]
            if value:
                result[key] = value
        elif value not in (None, ""):
            result[key] = value
    return result
