"""What every API view shares: the one rule of what a client may see, the errors (a Django
``ValidationError`` as a 400, JSON 404s under /api/, 412/428 for ETags), the checks every request
passes (body size, characters that cannot be stored), the read-only viewset, optimistic locking
over HTTP and the spreadsheet export. Re-exported by ``views``."""

import functools
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework import views as drf_views
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import services, spreadsheets
from ..models import Citation
from ..querysets import visible_to
from . import serializers as api
from .parsers import max_body_size, too_large
from .renderers import CSVRenderer, SpreadsheetRenderer, XLSXExportRenderer, serializer_columns


def citations_for_api():
    """Citations as the API shows them: with their document's summary (not its text, which may
    be long) and the confirming reviewer, in the same query."""
    return Citation.objects.select_related("document", "confirmed_by").defer("document__text")


def visible(queryset, request):
    """What the client may see of a model (``querysets.visible_to``): every queryset of the API,
    and every choice its filters offer, starts here."""
    return visible_to(queryset, request.user)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send the ETag you read with the resource in an If-Match header, so that a change made since is not "
        "overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def etag(instance):
    """A strong entity tag: the row's version number, which every saved change raises."""
    return f'"{instance.version}"'


_ETAG = re.compile(r'^"(\d{1,18})"$')


def validation_error_detail(error):
    """A Django ``ValidationError`` (as raised by the services) as DRF error details, with the
    same messages; errors about no field in particular go under ``non_field_errors``."""
    detail = get_error_detail(error)
    if isinstance(detail, dict) and "__all__" in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
    return detail


def not_found(request, exception=None):
    """Django's 404 for a URL that matches no route: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def exception_handler(exc, context):
    """DRF's handler, and a 400 (not a 500) for a Django ``ValidationError`` that reaches a view."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_error_detail(exc))
    return drf_views.exception_handler(exc, context)


# What PostgreSQL text cannot hold: a NUL character, and a lone surrogate (JSON's "\udfff" escape
# gives one; it has no UTF-8 form, so encoding it for the database raises).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(text):
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Null characters are not allowed."
    return f"Unpaired surrogate characters (here \\u{ord(found.group()):04x}) are not text: send valid Unicode."


def _unstorable_path(value, path=()):
    """Where in parsed input (dicts, lists, strings) a character that cannot be stored is, and why;
    or None. The parser has capped the nesting, so the recursion is shallow."""
    if isinstance(value, str):
        message = _unstorable(value)
        return (path, message) if message else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and (message := _unstorable(key)):
            return (*path, key.encode("unicode_escape").decode("ascii")), message
        found = _unstorable_path(item, (*path, key))
        if found is not None:
            return found
    return None


class ApiViewMixin:
    """What every API view does before and after its own work."""

    max_body_sizes = {}  # action → the largest body it accepts in bytes; others: API_MAX_BODY_SIZE

    def initial(self, request, *args, **kwargs):
        # A NUL byte cannot be stored in or compared with PostgreSQL text: refuse it up front, in
        # any query parameter (the URL, not the body) with a 400 naming it.
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise ValidationError({name.replace("\x00", "\\x00"): ["Null characters are not allowed."]})
        # Authentication, permissions and throttling (DRF's initial) before the body is read:
        # nothing of a request they refuse is parsed.
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH"):
            limit = max_body_size(self)
            length = request.META.get("CONTENT_LENGTH") or "0"
            if not length.isdigit() or int(length) > limit:
                raise too_large(limit)
            # The same for the body's fields, and lone surrogates, which have no UTF-8 form.
            found = _unstorable_path(request.data)
            if found is not None:
                path, message = found
                field = ".".join(str(part) for part in path) or api_settings.NON_FIELD_ERRORS_KEY
                raise ValidationError({field: [message]})

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are always JSON with field messages, even when CSV was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and isinstance(renderer, CSVRenderer | SpreadsheetRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_csv_header(self):
        return serializer_columns(self.get_serializer())


EXPORT_SCHEMA = extend_schema(
    parameters=[
        OpenApiParameter(
            "format", str, enum=["csv", "xlsx"], description="The spreadsheet's format: CSV (default) or XLSX."
        )
    ],
    responses={
        (200, "text/csv"): OpenApiTypes.BINARY,
        (200, XLSXExportRenderer.media_type): OpenApiTypes.BINARY,
    },
)


class SpreadsheetExportMixin:
    """``GET …/export/?format=csv|xlsx&<the list's filters>``: every row the filters select (no
    pages) with readable columns, as the admin's export writes them, whatever the number of rows:
    CSV streamed as it is read, XLSX written to a temporary file (openpyxl's write-only mode) and
    streamed from it; memory stays flat either way (``spreadsheets.queryset_response``)."""

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with a 404; for the export it is a bad parameter, and
        # the error (DRF then forces a renderer) is JSON like every other error.
        if force and self.action == "export":
            return JSONRenderer(), JSONRenderer.media_type
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            if self.action != "export":
                raise
            raise ValidationError({"format": ["Choose csv or xlsx."]}) from None

    def export_response(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return spreadsheets.queryset_response(queryset, request.accepted_renderer.format)


class ReadOnlyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail, for anyone."""

    def get_queryset(self):
        return visible(super().get_queryset(), self.request)


class VersionedWritesMixin:
    """Optimistic locking over HTTP. The detail carries ``ETag: "<version>"``; ``PATCH`` and the
    review actions take it back in ``If-Match`` and answer 412 Precondition Failed if the row has
    changed since (428 if ``PATCH`` comes without it). The service makes the same check
    atomically, so two clients racing with the same ETag cannot both win."""

    change_serializer_class = None

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers={"ETag": etag(instance)})

    def expected_version(self, instance, *, required):
        header = self.request.headers.get("If-Match", "").strip()
        if not header:
            if required:
                raise PreconditionRequired()
            return instance.version
        if header == "*":
            # "Any version" would overwrite whatever a colleague saved since: not accepted.
            raise PreconditionRequired(
                "If-Match: * is not accepted here: it would overwrite changes made since you read the "
                f"{instance._meta.verbose_name}. Send the ETag you read with it."
            )
        match = _ETAG.match(header)
        if match is None or int(match.group(1)) != instance.version:
            raise PreconditionFailed(
                f"This {instance._meta.verbose_name} has changed since you read it (it is now at ETag "
                f"{etag(instance)}); nothing was saved. Read it again and re-apply your change."
            )
        return instance.version

    def write(self, instance, function, **kwargs):
        """Run a service and answer with the fresh representation and ETag, or the right error."""
        try:
            function(**kwargs)
        except services.ConcurrentEditError as error:
            raise PreconditionFailed(str(error)) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise ValidationError(validation_error_detail(error)) from None
        # The services update the instance in place (fields, version, review state).
        return Response(self.get_serializer(instance).data, headers={"ETag": etag(instance)})

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = self.expected_version(instance, required=True)
        changes = self.change_serializer_class(data=request.data, partial=True, context=self.get_serializer_context())
        changes.is_valid(raise_exception=True)
        if not changes.validated_data:
            raise ValidationError({"non_field_errors": ["Nothing to change: send at least one field."]})
        return self.write(
            instance, functools.partial(self.change, instance), expected_version=expected, **changes.validated_data
        )

    def review_action(self, function, *, body_read=False, **kwargs):
        if not body_read and self.request.data:
            # unpublish and archive take no body: a field sent to them is a mistake worth naming.
            raise ValidationError(
                {str(key): ["Unknown field; this action takes no body."] for key in self.request.data}
            )
        instance = self.get_object()
        self.expected_version(instance, required=False)
        self.write(instance, function, user=self.request.user, **{self.review_argument: instance}, **kwargs)
        # Read it again: a review action changes its citations too (confirmations), which the
        # instance holds as they were prefetched. (An archived row is no longer listed.)
        fresh = self.filter_queryset(self.get_queryset()).filter(pk=instance.pk).first() or instance
        return Response(self.get_serializer(fresh).data, headers={"ETag": etag(fresh)})

    def publish_action(self, function):
        """Publishing confirms the evidence: ``{"citations": [ids]}``, if sent, must be exactly the
        citations the reviewer read (400 if the evidence changed since); without it, all of them."""
        body = api.PublishSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        seen = body.validated_data.get("citations")
        return self.review_action(function, body_read=True, citations_seen=set(seen) if seen is not None else None)

    def send_back_action(self, function):
        body = api.SendBackSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        instance = self.get_object()
        own = {citation.pk: citation for citation in instance.citations.all()}
        unknown = [pk for pk in body.validated_data["citations"] if pk not in own]
        if unknown:
            raise ValidationError({"citations": [f"Citation {unknown[0]} is not evidence of this row."]})
        rejected = [own[pk] for pk in body.validated_data["citations"]]
        return self.review_action(function, body_read=True, note=body.validated_data["note"], citations=rejected)
