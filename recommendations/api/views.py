"""API views: read-only viewsets for everyone, counts for dashboards, and writes for
authenticated users with the matching permission.

Each view builds its queryset in ``get_queryset`` from ``visible()``, which applies the single
rule of what a client may see (``querysets.visible_to``: the public sees published, unarchived
rows and the reference data they use; staff see drafts too, marked), and adds the
``select_related``/``prefetch_related`` that keep the number of queries per request fixed however
long the page or the history.

Writes go through ``services`` like the admin's. Changing an existing row needs the ``ETag``
read with it sent back in ``If-Match``: a stale one gets 412 and nothing is saved.
"""

import functools
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import views as drf_views
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import services, spreadsheets, stats_cache
from ..filters import (
    ActorFilterSet,
    AffectedGroupFilterSet,
    ClusterFilterSet,
    LegalProvisionFilterSet,
    RecommendationFilterSet,
    SdgFilterSet,
    SourceDocumentFilterSet,
    StatusUpdateFilterSet,
    ThemeFilterSet,
    TimelineFilterSet,
)
from ..models import (
    Actor,
    AffectedGroup,
    Citation,
    Cluster,
    LegalProvision,
    Recommendation,
    SourceDocument,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)
from ..querysets import visible_to
from ..stats import status_counts, status_timeline, timeline_points
from . import serializers as api
from .parsers import max_body_size, too_large
from .renderers import CSVExportRenderer, CSVRenderer, SpreadsheetRenderer, XLSXExportRenderer, serializer_columns
from .representation import forget_listed, listed


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
        # The services update the instance in place (fields, version, review state, relations).
        forget_listed(instance)
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


class ActorViewSet(ReadOnlyViewSet):
    """Who makes recommendations and promises, who they are addressed to, who assesses them."""

    queryset = Actor.objects.select_related("part_of").order_by("name", "id")
    serializer_class = api.ActorSerializer
    filterset_class = ActorFilterSet

    def get_queryset(self):
        return super().get_queryset().with_links_shown(self.request.user)


class ClusterViewSet(ReadOnlyViewSet):
    """Clusters of repeated asks: recommendations that make the same ask, across cycles and
    recommending bodies, with their members' current statuses. The public sees the published
    members (and only clusters that have some)."""

    queryset = Cluster.objects.order_by("name", "id")
    serializer_class = api.ClusterSerializer
    filterset_class = ClusterFilterSet

    def get_queryset(self):
        members = visible(Recommendation.objects.select_related("made_by"), self.request)
        queryset = visible(super().get_queryset(), self.request)
        return queryset.prefetch_related(Prefetch("members", queryset=members, to_attr="visible_members"))


class ThemeViewSet(ReadOnlyViewSet):
    """The subjects recommendations are tagged with."""

    queryset = Theme.objects.select_related("parent").order_by("name", "id")
    serializer_class = api.ThemeSerializer
    filterset_class = ThemeFilterSet

    def get_queryset(self):
        return super().get_queryset().with_links_shown(self.request.user)


class SdgViewSet(ReadOnlyViewSet):
    """The 17 Sustainable Development Goals that recommendations are linked to (``sdg=`` filter)."""

    queryset = SustainableDevelopmentGoal.objects.order_by("number")
    serializer_class = api.SdgSerializer
    filterset_class = SdgFilterSet


class AffectedGroupViewSet(ReadOnlyViewSet):
    """The groups of persons recommendations concern (``affected_group=`` filter)."""

    queryset = AffectedGroup.objects.order_by("name", "id")
    serializer_class = api.AffectedGroupSerializer
    filterset_class = AffectedGroupFilterSet


class LegalProvisionViewSet(ReadOnlyViewSet):
    """Articles of laws and treaties that recommendations ask to change or respect."""

    queryset = LegalProvision.objects.order_by("country", "instrument", "article", "id")
    serializer_class = api.LegalProvisionSerializer
    filterset_class = LegalProvisionFilterSet


class SourceDocumentViewSet(ReadOnlyViewSet):
    """The documents that citations quote; the detail includes the full text."""

    queryset = SourceDocument.objects.order_by("-published_on", "external_id", "id")
    filterset_class = SourceDocumentFilterSet

    def get_serializer_class(self):
        return api.SourceDocumentDetailSerializer if self.action == "retrieve" else api.SourceDocumentSerializer

    def get_queryset(self):
        # Both neighbouring versions in the same query, without their texts.
        queryset = super().get_queryset().select_related("replaces", "replaced_by")
        queryset = queryset.with_links_shown(self.request.user)
        queryset = queryset.defer("replaces__text", "replaced_by__text")
        # The full text is only shown in the detail; lists do not read it from the database.
        return queryset if self.action == "retrieve" else queryset.defer("text")


FULL_PARAMETER = OpenApiParameter(
    "full",
    bool,
    description="Give each item in full, as the detail does (text, legal provisions, citations, status history).",
)


# The review actions answer with the row as the detail shows it (the view's serializer); their
# errors and the ETag are declared for every operation in schema.py.
OPTIONAL_IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The ETag read (optional).")
REVIEW_ACTION_SCHEMA = extend_schema(request=None, parameters=[OPTIONAL_IF_MATCH])
PUBLISH_SCHEMA = extend_schema(request=api.PublishSerializer, parameters=[OPTIONAL_IF_MATCH])
SEND_BACK_SCHEMA = extend_schema(request=api.SendBackSerializer, parameters=[OPTIONAL_IF_MATCH])
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag read with the resource."
)


def summaries(model, serializer_class):
    """The rows of ``model`` with only the columns its summary serializer shows."""
    return model.objects.only(*serializer_class.Meta.fields)


def not_summarised(relation, model, serializer_class):
    """The columns of a related row (``relation__column``) that its summary does not show."""
    shown = set(serializer_class.Meta.fields)
    return [
        f"{relation}__{field.name}"
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in shown
    ]


# The columns of a recommendation that its list row does not show: the long texts, the search's
# own, the review's and its related rows' other columns (their dates alone were 500 values a page).
LIST_DEFERRED = (
    "text",
    "context",
    "date_note",
    "sent_back_note",
    "sent_back_at",
    "published_at",
    "archived_at",
    "created_at",
    "search_related",
    "search_vector",
    *not_summarised("made_by", Actor, api.ActorSummarySerializer),
    *not_summarised("addressed_to", Actor, api.ActorSummarySerializer),
    *not_summarised("cluster", Cluster, api.ClusterSummarySerializer),
)


@extend_schema_view(
    list=extend_schema(parameters=[FULL_PARAMETER]),
    partial_update=extend_schema(
        request=api.RecommendationChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: api.RecommendationDetailSerializer},
    ),
)
class RecommendationViewSet(SpreadsheetExportMixin, VersionedWritesMixin, mixins.UpdateModelMixin, ReadOnlyViewSet):
    """Recommendations and promises. With ``as_of=YYYY-MM-DD``, ``status``, ``status_as_of`` and
    ``overdue`` are those that held on that date, and items made after it are left out.

    ``PATCH`` (with ``If-Match``) changes one, for users who may change recommendations (a
    published one only for reviewers); ``publish``, ``unpublish`` and ``archive`` are the
    reviewers' actions. An archived recommendation is shown by nobody, so it is restored in the
    admin."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    max_body_sizes = {"partial_update": 256 * 1024}  # a recommendation's text may be long
    change_serializer_class = api.RecommendationChangeSerializer
    review_argument = "recommendation"
    # The to-many relations a row shows, as plain lists (``PrefetchedListSerializer``), with the
    # columns their summaries show.
    queryset = Recommendation.objects.select_related("made_by", "addressed_to", "cluster").prefetch_related(
        Prefetch("themes", queryset=summaries(Theme, api.ThemeSummarySerializer), to_attr=listed("themes")),
        Prefetch("also_made_by", queryset=summaries(Actor, api.ActorSummarySerializer), to_attr=listed("also_made_by")),
    )
    filterset_class = RecommendationFilterSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raw = request.query_params.get("full", "")
        try:
            self.full = serializers.BooleanField().run_validation(raw) if raw else False
        except ValidationError as error:
            raise ValidationError({"full": error.detail}) from None

    def get_serializer_class(self):
        if self.action != "list" or getattr(self, "full", False):
            return api.RecommendationDetailSerializer
        return api.RecommendationSerializer

    def change(self, instance, **fields):
        services.recommendation_change(recommendation=instance, user=self.request.user, **fields)

    @EXPORT_SCHEMA
    @action(detail=False, methods=["get"], renderer_classes=[CSVExportRenderer, XLSXExportRenderer])
    def export(self, request):
        """The filtered recommendations as a spreadsheet (CSV or XLSX): every row the filters
        select, with readable columns — dates by their precision, current status, overdue, themes,
        legal provisions, cluster and citations (quote and document)."""
        return self.export_response(request)

    @PUBLISH_SCHEMA
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def publish(self, request, pk=None):
        """Publish a draft recommendation (reviewers), confirming that each of its citations supports
        it. Not by the editor who added it (unless ALLOW_SELF_REVIEW)."""
        return self.publish_action(services.recommendation_publish)

    @SEND_BACK_SCHEMA
    @action(detail=True, methods=["post"], url_path="send-back", permission_classes=[IsAuthenticated])
    def send_back(self, request, pk=None):
        """A reviewer finds evidence that does not support it: back to draft, with a note for the editor."""
        return self.send_back_action(services.recommendation_send_back)

    @REVIEW_ACTION_SCHEMA
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def unpublish(self, request, pk=None):
        """Take a published recommendation back to draft (reviewers)."""
        return self.review_action(services.recommendation_unpublish)

    @REVIEW_ACTION_SCHEMA
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def archive(self, request, pk=None):
        """Archive a recommendation: it is kept, with its history, but shown no more (reviewers)."""
        return self.review_action(services.recommendation_archive)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.get_serializer_class() is api.RecommendationDetailSerializer:
            history = (
                visible(StatusUpdate.objects.select_related("assessed_by"), self.request)
                .prefetch_related(Prefetch("citations", queryset=citations_for_api()))
                .latest_first()
            )
            queryset = queryset.prefetch_related(
                "legal_provisions",
                "sdgs",
                "affected_groups",
                "source_themes",
                Prefetch("citations", queryset=citations_for_api()),
                Prefetch("status_updates", queryset=history),
            )
        else:
            # A list row shows none of the long texts, nor its actors' and cluster's other columns:
            # neither read them nor parse them.
            queryset = queryset.defer(*LIST_DEFERRED)
        return queryset


@extend_schema_view(
    create=extend_schema(request=api.StatusUpdateCreateSerializer, responses={201: api.StatusUpdateSerializer}),
    partial_update=extend_schema(
        request=api.StatusUpdateChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: api.StatusUpdateSerializer},
    ),
)
class StatusUpdateViewSet(
    SpreadsheetExportMixin, VersionedWritesMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyViewSet
):
    """The status history of every recommendation, newest first, with its evidence.

    ``POST`` records a new status update with its citations, as the admin's form does (the same
    service, the same checks and messages); it needs the "add status update" permission and
    starts as a draft (``"publish": true`` publishes it at once, for reviewers). ``PATCH`` (with
    ``If-Match``) changes one; ``publish`` and ``unpublish`` are the reviewers' actions."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    max_body_sizes = {"create": 512 * 1024}  # up to MAX_CITATIONS_PER_STATUS_UPDATE quotes
    change_serializer_class = api.StatusUpdateChangeSerializer
    review_argument = "status_update"

    queryset = (
        StatusUpdate.objects.select_related("recommendation", "assessed_by")
        .prefetch_related(Prefetch("citations", queryset=citations_for_api()))
        .latest_first()
    )
    serializer_class = api.StatusUpdateSerializer
    filterset_class = StatusUpdateFilterSet

    def get_serializer_class(self):
        return api.StatusUpdateCreateSerializer if self.action == "create" else api.StatusUpdateSerializer

    def change(self, instance, **fields):
        services.status_update_change(status_update=instance, user=self.request.user, **fields)

    @PUBLISH_SCHEMA
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def publish(self, request, pk=None):
        """Publish a draft status update: it then counts toward the current status (reviewers). The
        reviewer confirms that each of its citations supports it; not the editor who recorded it
        (unless ALLOW_SELF_REVIEW)."""
        return self.publish_action(services.status_update_publish)

    @SEND_BACK_SCHEMA
    @action(detail=True, methods=["post"], url_path="send-back", permission_classes=[IsAuthenticated])
    def send_back(self, request, pk=None):
        """A reviewer finds evidence that does not support it: back to draft, with a note for the editor."""
        return self.send_back_action(services.status_update_send_back)

    @REVIEW_ACTION_SCHEMA
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def unpublish(self, request, pk=None):
        """Take a published status update back to draft, e.g. one published by mistake (reviewers)."""
        return self.review_action(services.status_update_unpublish)

    @EXPORT_SCHEMA
    @action(detail=False, methods=["get"], renderer_classes=[CSVExportRenderer, XLSXExportRenderer])
    def export(self, request):
        """The filtered status updates as a spreadsheet (CSV or XLSX), every row the filters
        select, with the recommendation, the status, its date by precision and its citations."""
        return self.export_response(request)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        citations = [services.CitationInput(**citation) for citation in fields.pop("citations")]
        try:
            created = services.status_update_record(**fields, citations=citations, recorded_by=request.user)
        except DjangoValidationError as error:
            raise ValidationError(validation_error_detail(error)) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        instance = self.queryset.get(pk=created.pk)
        return Response(
            api.StatusUpdateSerializer(instance, context=self.get_serializer_context()).data,
            status=201,
            headers={"ETag": etag(instance)},
        )


class StatsViewMixin(ApiViewMixin):
    """Counts over the recommendations that the recommendation filters select."""

    queryset = Recommendation.objects.all()
    pagination_class = None
    # Used only to document the filters in the schema; the views apply the FilterSet themselves.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return visible(super().get_queryset(), self.request)

    def filtered(self, filterset_class):
        filterset = filterset_class(data=self.request.query_params, queryset=self.get_queryset(), request=self.request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset

    @staticmethod
    def validated(serializer_class, request):
        serializer = serializer_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema(
    filters=True,
    parameters=[api.StatsQuerySerializer],
    responses=api.StatsSerializer,
)
class StatsView(StatsViewMixin, GenericAPIView):
    """How many recommendations are in each status (overall and per group), the implementation
    rates and how many are overdue; takes every recommendation filter, ``as_of`` included.

    With ``format=csv``: one row for all (key "") then one per group."""

    filterset_class = RecommendationFilterSet
    serializer_class = api.StatsSerializer

    def get(self, request, *args, **kwargs):
        def compute():
            query = self.validated(api.StatsQuerySerializer, request)
            filterset = self.filtered(RecommendationFilterSet)
            data = status_counts(filterset.qs, on=filterset.as_of_date, group_by=query.get("group_by"))
            return api.StatsSerializer(data).data

        return Response(stats_cache.cached(request, compute))

    def get_csv_rows(self, data):
        return [{"key": "", "label": "All", **data["overall"]}, *data["groups"]]

    def get_csv_header(self):
        return serializer_columns(api.GroupCountsSerializer())


@extend_schema(
    filters=True,
    parameters=[api.TimelineQuerySerializer],
    responses=api.TimelineSerializer,
)
class TimelineView(StatsViewMixin, GenericAPIView):
    """Counts by status at the end of each month, quarter or year from ``start`` to ``end``
    (at most 240 points; the last point is ``end`` itself). Without them: the last five years
    (``end`` today, ``start`` the first day of the month five years before). Takes the recommendation filters
    except ``status``, ``overdue``, ``as_of`` and ``ordering``. With ``format=csv``: one row per point."""

    filterset_class = TimelineFilterSet
    serializer_class = api.TimelineSerializer

    def get(self, request, *args, **kwargs):
        def compute():
            query = self.validated(api.TimelineQuerySerializer, request)
            try:
                points = timeline_points(query["start"], query["end"], query["interval"])
            except ValueError as error:
                raise ValidationError({"interval": [str(error)]}) from None
            filterset = self.filtered(TimelineFilterSet)
            data = {**query, "points": status_timeline(filterset.qs, points=points)}
            return api.TimelineSerializer(data).data

        return Response(stats_cache.cached(request, compute))

    def get_csv_rows(self, data):
        return data["points"]

    def get_csv_header(self):
        return serializer_columns(api.TimelinePointSerializer())
