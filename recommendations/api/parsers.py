"""Reading request bodies without letting a body decide how much work the server does.

DRF parses a body the first time a view reads ``request.data``, which ``ApiViewMixin`` lets
happen only after authentication, permissions and throttling. The JSON parser here then refuses,
before decoding anything, a body larger than the view accepts (413) and one nested deeper than
any real request (400): Python's ``json`` recurses once per level and a 2 KB ``[[[…]]]`` would
otherwise end in a ``RecursionError``, a 500.
"""

import io
import re

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

# A JSON string literal (escapes included), removed before the brackets are counted: a "[" inside
# a string is text, not nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def max_body_size(view):
    """The largest body, in bytes, that the view's action accepts: its entry in the view's
    ``max_body_sizes`` (action name → bytes), else ``API_MAX_BODY_SIZE``."""
    sizes = getattr(view, "max_body_sizes", None) or {}
    return sizes.get(getattr(view, "action", None)) or settings.API_MAX_BODY_SIZE


def too_large(limit):
    return RequestTooLarge(
        f"The request body is larger than this endpoint accepts ({limit:,} bytes at most); send less at once."
    )


def json_nesting_depth(raw):
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar), counted without
    parsing it: strings are removed, then the running count of opening and closing brackets."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, delete=_NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size cap (the view's ``max_body_size``) and a nesting cap
    (``API_MAX_JSON_DEPTH``), both checked before the text is decoded."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = max_body_size(parser_context.get("view"))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_large(limit)
        deepest = settings.API_MAX_JSON_DEPTH
        if json_nesting_depth(raw) > deepest:
            raise ParseError(f"JSON parse error - arrays and objects may nest at most {deepest} deep.")
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:  # unreachable with the depth check; kept so it can never be a 500
            raise ParseError("JSON parse error - nested too deeply.") from None
