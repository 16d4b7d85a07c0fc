"""The OpenAPI schema as generated clients need it.

drf-spectacular describes what the views declare; this module adds what a client must also know
to use the API without surprises (tests/test_generated_client.py generates a Python client and
uses it; tests/test_schema.py runs schemathesis' conformance checks):

- reads need no credentials: their operations carry no security requirement (an operation that
  lists ``{}`` among its alternatives still makes openapi-python-client 0.29 demand an
  authenticated client); writes list the token and the session;
- every error an operation can answer, with its body: 400 (field errors), 401, 403, 404, 412,
  413, 414, 415, 428 and 429 (``Retry-After``);
- the ``ETag`` header wherever a recommendation or status update is returned;
- CSV as operations of their own (``/api/v1/<list>.csv``, ``text/csv``, a string), because one
  operation answering either JSON or CSV cannot be typed;
- the list of recommendations typed as either page, the short one or the ``full=true`` one;
- optional query parameters that an empty value leaves unset say so (``allowEmptyValue``);
- a readable name for each enum value a client must spell (``-made_on`` is ``MADE_ON_DESC``,
  not ``VALUE_2``).
"""

import copy
import re

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import SAFE_METHODS

ERROR = {
    "type": "object",
    "description": "What went wrong, in a sentence for people.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

_MESSAGES = {"type": "array", "items": {"type": "string"}}
FIELD_ERRORS = {
    "type": "object",
    "description": "The messages of each field of a nested object.",
    "additionalProperties": _MESSAGES,
}
NESTED_ERRORS = {
    "type": "object",
    "description": (
        "The errors of a nested field: for a list (`citations`), by the index of each item that is wrong, "
        "with the messages of its fields; for the field as a whole, `non_field_errors`."
    ),
    "additionalProperties": {"anyOf": [_MESSAGES, {"$ref": "#/components/schemas/FieldErrors"}]},
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "A 400: each parameter or field that is wrong, with its messages (`non_field_errors` for the request "
        "as a whole; `detail` for a body that is not JSON). A nested field (`citations`) has, instead of "
        "messages, the errors of each of its items that is wrong."
    ),
    "properties": {"non_field_errors": _MESSAGES, "detail": {"type": "string"}},
    "additionalProperties": {"anyOf": [_MESSAGES, {"$ref": "#/components/schemas/NestedErrors"}, {"type": "string"}]},
}

# Why each error happens, for the descriptions of the responses.
ERROR_DESCRIPTIONS = {
    "400": "Invalid parameters or body: the messages name each field.",
    "401": "Credentials were sent but are not valid (another scheme, a malformed header, an unknown or "
    "revoked token), or a write was tried without any.",
    "403": "Authenticated, but not allowed to do this (a missing permission, or reviewing one's own work).",
    "404": "No such row, or not one this client may see.",
    "412": "The row has changed since the ETag sent in If-Match was read: nothing was saved.",
    "413": "The request body is larger than this operation accepts.",
    "414": "The URL is longer than the server accepts.",
    "415": "The body is not JSON (send Content-Type: application/json).",
    "428": "A change needs the ETag it was read with in If-Match.",
    "429": "Too many requests: wait as long as Retry-After says.",
}

ETAG_HEADER = {
    "ETag": {
        "schema": {"type": "string"},
        "description": 'The row\'s version as a strong entity tag (`"3"`): send it back in If-Match to change it.',
    }
}
HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "The scheme to authenticate with."}},
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before the next request."}},
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's introspection, with the security, errors and headers above."""

    def get_auth(self):
        if self.method in SAFE_METHODS:
            return []  # anyone may read; a staff token adds drafts (see the API's description)
        return super().get_auth()

    def _get_parameters(self):
        # An optional query parameter sent empty (``?q=&page=``, as an HTML form sends an unused
        # field) counts as not sent, in django-filter and in DRF alike: say so, or an empty value
        # would be invalid. Not for lists: ``?theme=`` asks for the theme "", which is a 400.
        parameters = super()._get_parameters()
        for parameter in parameters:
            single = parameter["schema"].get("type") != "array"
            if parameter["in"] == "query" and single and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def error_codes(self):
        """The errors this operation can answer."""
        detail = "{id}" in self.path
        codes = {"400", "401", "414", "429"}
        if detail:
            codes.add("404")
        if self.method not in SAFE_METHODS:
            codes |= {"403", "413", "415"}
            if detail:
                codes.add("412")  # If-Match on PATCH and on every review action
                # PATCH without If-Match; any write with "If-Match: *" (it would skip the check).
                codes.add("428")
        return codes

    def versioned(self):
        """Whether the operation returns a row with a version (and so an ETag)."""
        from .views import VersionedWritesMixin

        return isinstance(self.view, VersionedWritesMixin) and ("{id}" in self.path or self.method == "POST")

    def component(self, name, schema):
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.versioned():
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {}).update(ETAG_HEADER)
        for code in sorted(self.error_codes() - set(responses)):
            schema = None
            if code == "400":
                self.component("FieldErrors", FIELD_ERRORS)
                self.component("NestedErrors", NESTED_ERRORS)
                schema = self.component("ValidationError", VALIDATION_ERROR)
            responses[code] = {
                "description": ERROR_DESCRIPTIONS[code],
                "content": {"application/json": {"schema": schema or self.component("Error", ERROR)}},
                **({"headers": HEADERS[code]} if code in HEADERS else {}),
            }
        return responses


# ── After generation ─────────────────────────────────────────────────────────────────────

#: Operations that have a CSV twin at ``<path without its slash>.csv`` (see ``urls.py``).
CSV_OPERATIONS = re.compile(r"^/api/v1/(?:[a-z-]+/|stats/|stats/timeline/)$")


def csv_operations(paths):
    """A ``GET <list>.csv`` operation beside each list (and the counts): the same parameters,
    the same errors (in JSON), and a 200 that is ``text/csv``."""
    added = {}
    for path, item in paths.items():
        operation = item.get("get")
        if not CSV_OPERATIONS.match(path) or operation is None or "{" in path:
            continue
        twin = copy.deepcopy(operation)
        twin["operationId"] = f"{operation['operationId']}_csv"
        twin["summary"] = f"{operation.get('summary') or operation['operationId']} (CSV)"
        twin["description"] = (
            f"The same as `GET {path}`, as CSV for spreadsheets: one row per item (lists: the items of the "
            "page; `stats/`: all, then one row per group; `stats/timeline/`: one per point), nested objects as "
            "`made_by.slug`-style columns, lists joined with ` | `, a cell starting like a formula prefixed "
            "with `'`. Errors are JSON. `?format=csv` on the JSON operation gives the same."
        )
        twin["parameters"] = [p for p in twin.get("parameters", []) if p.get("name") != "format"]
        twin["responses"]["200"] = {
            "description": "The rows as CSV (UTF-8, a header row first).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
        added[path.removesuffix("/") + ".csv"] = {"get": twin}
    return added


def full_list(schema):
    """``recommendations/?full=true`` answers pages of detailed items: the list says it gives
    either page (a client tells them apart by whether it asked for ``full``)."""
    components = schema["components"]["schemas"]
    short = components.get("PaginatedRecommendationList")
    if short is None:
        return
    full = copy.deepcopy(short)
    full["properties"]["results"]["items"] = {"$ref": "#/components/schemas/RecommendationDetail"}
    components["PaginatedRecommendationDetailList"] = full
    content = schema["paths"]["/api/v1/recommendations/"]["get"]["responses"]["200"]["content"]
    content["application/json"]["schema"] = {
        "anyOf": [
            {"$ref": "#/components/schemas/PaginatedRecommendationDetailList"},
            {"$ref": "#/components/schemas/PaginatedRecommendationList"},
        ],
        "description": "With `full=true`, pages of RecommendationDetail; otherwise of Recommendation.",
    }


def enum_name(value):
    """A Python-identifier-like name for an enum value: ``-made_on`` → ``MADE_ON_DESC``."""
    if value == "":
        return "BLANK"
    descending = value.startswith("-")
    name = re.sub(r"\W+", "_", value.removeprefix("-")).strip("_").upper() or "VALUE"
    if not name[0].isalpha():
        name = f"VALUE_{name}"
    return f"{name}_DESC" if descending else name


def name_enums(node):
    """``x-enum-varnames`` on every string enum with a value that does not start with a letter:
    generators otherwise number them (``VALUE_0``)."""
    if isinstance(node, dict):
        values = [value for value in node.get("enum") or () if value is not None]
        if values and all(isinstance(value, str) for value in values):
            if any(not value[:1].isalpha() for value in values):
                node["x-enum-varnames"] = [enum_name(value) for value in values]
        for child in node.values():
            name_enums(child)
    elif isinstance(node, list):
        for child in node:
            name_enums(child)


def postprocess(result, generator, request, public):
    """drf-spectacular's last step (``POSTPROCESSING_HOOKS``)."""
    full_list(result)
    result["paths"].update(csv_operations(result["paths"]))
    result["paths"] = dict(sorted(result["paths"].items()))
    name_enums(result)
    return result
