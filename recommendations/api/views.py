"""API views: read-only viewsets for everyone, counts for dashboards, and writes for
authenticated users with the matching permission.

Each view builds its queryset in ``get_queryset`` from ``visible()``, which applies the single
rule of what a client may see (``querysets.visible_to``: the public sees published, unarchived
rows and the reference data they use; staff see drafts too, marked), and adds the
``select_related``/``prefetch_related`` that keep the number of queries per request fixed however
long the page or the history.

Writes go through ``services`` like the admin's. Changing an existing row needs the ``ETag``
read with it sent back in ``If-Match``: a stale one gets 412 and nothing is saved.

This module holds the recommendations and status updates; what every view shares is in
``view_base``, the reference data in ``reference_views``, the counts in ``stats_views``. All are
importable from here (``urls``, the settings' exception handler and 404 handler name them so).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import services
from ..filters import RecommendationFilterSet, StatusUpdateFilterSet
from ..models import Recommendation, StatusUpdate
from ..querysets import visible_to  # noqa: F401  (views.visible_to, as before)
from . import serializers as api
from .reference_views import (  # noqa: F401
    ActorViewSet,
    AffectedGroupViewSet,
    ClusterViewSet,
    LegalProvisionViewSet,
    SdgViewSet,
    SourceDocumentViewSet,
    ThemeViewSet,
)
from .renderers import CSVExportRenderer, XLSXExportRenderer
from .stats_views import StatsView, StatsViewMixin, TimelineView  # noqa: F401
from .view_base import (  # noqa: F401
    EXPORT_SCHEMA,
    ApiViewMixin,
    PreconditionFailed,
    PreconditionRequired,
    ReadOnlyViewSet,
    SpreadsheetExportMixin,
    VersionedWritesMixin,
    citations_for_api,
    etag,
    exception_handler,
    not_found,
    validation_error_detail,
    visible,
)

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
    queryset = Recommendation.objects.select_related("made_by", "addressed_to", "cluster").prefetch_related(
        "themes", "also_made_by"
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
