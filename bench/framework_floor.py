"""The framework's floor: a floor's own SQL served by a bare Django REST Framework view.

``bench/scale.py`` compares each endpoint with its floor, the same rows fetched by the plainest SQL
through psycopg. For the cheapest endpoints (a page, a detail: a floor of 1–3 ms) part of what
separates the two is not the endpoint's code but the stack every endpoint runs in: the request
through the middleware (security headers, CSP, sessions, CSRF, CORS, locale, history), DRF's
authentication, permissions and content negotiation, Django's database cursor, and rendering the
answer as JSON. This measures that part alone: a view that runs exactly the floor's statements
through Django's connection (no ORM, no serializer fields) and answers the rows as JSON objects of
their columns (without the search's own columns, which no endpoint shows), through the same test
client, settings and middleware as the endpoints. An endpoint cannot be faster than this in this
stack, however it is written.
"""

from django.db import connection
from django.urls import clear_url_caches, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

PREFIX = "api/bench-framework-floor/"


class _Collecting:
    """A cursor for a floor function: runs its statements and keeps the rows it fetches as dicts."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.results = []

    def execute(self, sql, params=None):
        self.cursor.execute(sql, params)

    def fetchall(self):
        rows = self.cursor.fetchall()
        columns = [column[0] for column in self.cursor.description]
        shown = [index for index, name in enumerate(columns) if not name.startswith("search_")]
        self.results.append([{columns[index]: row[index] for index in shown} for row in rows])
        return rows


class FloorView(APIView):
    permission_classes = [AllowAny]  # the same cost as the API's: a class asked for each request
    floor = None  # a function of a cursor, as in bench/floors.py

    def get(self, request):
        with connection.cursor() as cursor:
            collecting = _Collecting(cursor)
            type(self).floor(collecting)
        return Response(collecting.results)


def mount(floors):
    """Serve each ``{name: floor function}`` at ``/api/bench-framework-floor/<name>/`` (in this
    process only) and return ``{name: URL}``."""
    import tracker.urls

    urls = {}
    for name, floor in floors.items():
        view = type(f"FloorView_{name}", (FloorView,), {"floor": staticmethod(floor)})
        tracker.urls.urlpatterns.insert(0, path(f"{PREFIX}{name}/", view.as_view()))
        urls[name] = f"/{PREFIX}{name}/"
    clear_url_caches()
    return urls
