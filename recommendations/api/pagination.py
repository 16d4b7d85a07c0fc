"""Paging of every API list: keyset cursors for ``next``/``previous``, a capped count, and ``?page=``
for jumping (offset paging, which slows down with depth).

A response is ``{"count", "count_exact", "next", "previous", "results"}``. ``count`` is exact up to
``API_COUNT_LIMIT`` (1,000); beyond it the list is not counted (counting a million rows on every
page costs more than the page), ``count`` is that limit and ``count_exact`` is false: "more than
1,000". Pages reached through a cursor are not counted again (``count`` is null): the first page
said it. ``/stats/`` gives exact totals with the same filters.

``next`` and ``previous`` carry a ``cursor``: the sort keys of the last (first) row of the page, so
the next page is found through the index whatever its depth, and stays the same page when rows are
added elsewhere in the list (see ``recommendations.keyset``). Bad parameters are a 400.
"""

import base64
import binascii
import json

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .. import keyset
from ..models import MAX_ID


def _positive_int(request, name, default, maximum=None):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # isdigit() accepts only 0-9 here (the string is ASCII-checked), so "1e3", "-1" and " 2" are refused.
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationError({name: [f"“{raw}” is not a whole number of 1 or more."]})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"At most {maximum}."]})
    return value


class KeysetPagination(pagination.BasePagination):
    """``?page_size=`` (at most ``API_MAX_PAGE_SIZE``), ``?cursor=`` from a ``next``/``previous``
    link, or ``?page=`` to jump to a page by number."""

    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    page_query_param = "page"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    @property
    def count_limit(self):
        return settings.API_COUNT_LIMIT

    def get_page_size(self, request):
        return _positive_int(
            request, self.page_size_query_param, settings.REST_FRAMEWORK["PAGE_SIZE"], self.max_page_size
        )

    # ── cursors ──
    def _signature(self, keys):
        return [("-" if key.descending else "") + key.name for key in keys]

    def _encode(self, keys, row, *, reverse):
        payload = {"k": [key.encode(key.value_of(row)) for key in keys], "o": self._signature(keys)}
        if reverse:
            payload["r"] = 1
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, raw, keys):
        invalid = ValidationError({self.cursor_query_param: ["This cursor is not one the API gave: follow the links."]})
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if not isinstance(payload, dict) or payload.get("o") != self._signature(keys):
                raise ValidationError(
                    {self.cursor_query_param: ["This cursor belongs to another ordering: follow the links."]}
                )
            values = payload["k"]
            if not isinstance(values, list) or len(values) != len(keys):
                raise invalid
            decoded = [key.decode(value) for key, value in zip(keys, values, strict=True)]
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
            raise invalid from None
        if any(isinstance(value, int) and abs(value) > MAX_ID + 1 for value in decoded):
            raise invalid
        return decoded, bool(payload.get("r"))

    def _link(self, cursor):
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    # ── the page ──
    def count(self, queryset):
        """The number of rows, counted up to ``API_COUNT_LIMIT`` + 1: (count, exact)."""
        counted = queryset.order_by().values("pk")[: self.count_limit + 1].count()
        return min(counted, self.count_limit), counted <= self.count_limit

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        keys = keyset.order_keys(queryset)
        raw_cursor = request.query_params.get(self.cursor_query_param, "")
        number = _positive_int(request, self.page_query_param, None)
        if raw_cursor and number is not None:
            raise ValidationError({self.page_query_param: ["Give either a page number or a cursor, not both."]})
        reverse = False
        if raw_cursor:
            # The client has the count from the first page; counting again would cost more than the page.
            self.total, self.exact = None, False
            values, reverse = self._decode(raw_cursor, keys)
            rows = list(
                keyset.ordered(keyset.after(queryset, keys, values, reverse=reverse), keys, reverse=reverse)[: size + 1]
            )
            more = len(rows) > size
            rows = rows[:size]
            if reverse:
                rows.reverse()
            has_next, has_previous = (True, more) if reverse else (more, True)
        else:
            self.total, self.exact = self.count(queryset)
            number = number or 1
            offset = (number - 1) * size
            if number > 1 and (offset >= self.total if self.exact else offset > MAX_ID):
                pages = max(1, -(-self.total // size))
                raise ValidationError(
                    {self.page_query_param: [f"Page {number} does not exist: there are {pages} pages."]}
                )
            rows = list(keyset.ordered(queryset, keys)[offset : offset + size + 1])
            has_next, has_previous = len(rows) > size, number > 1
            rows = rows[:size]
            if not rows and number > 1:
                raise ValidationError({self.page_query_param: [f"Page {number} does not exist."]})
        self.next = self._link(self._encode(keys, rows[-1], reverse=False)) if rows and has_next else None
        self.previous = self._link(self._encode(keys, rows[0], reverse=True)) if rows and has_previous else None
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.total,
                "count_exact": self.exact,
                "next": self.next,
                "previous": self.previous,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": "Rows matching, exact up to API_COUNT_LIMIT, else that limit; null on cursor pages.",
                },
                "count_exact": {"type": "boolean", "description": "False when `count` is the limit: there are more."},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page (a cursor).",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where a page starts: take it from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Jump to a page by number (slower for deep pages than following `next`).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Number of results per page (1 to the maximum page size, default 50).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
