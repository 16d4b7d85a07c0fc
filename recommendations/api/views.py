"""API views: read-only viewsets for everyone, counts for dashboards, and recording a status
update for authenticated users with the permission to add one.

Each view builds its queryset in ``get_queryset`` from ``visible()``, the single place that
decides what the public API may show, and adds the ``select_related``/``prefetch_related``
that keep the number of queries per request fixed however long the page or the history.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework import views as drf_views
from rest_framework.exceptions import ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import services
from ..filters import (
    ActorFilterSet,
    LegalProvisionFilterSet,
    RecommendationFilterSet,
    SourceDocumentFilterSet,
    StatusUpdateFilterSet,
    ThemeFilterSet,
    TimelineFilterSet,
)
from ..models import Actor, Citation, LegalProvision, Recommendation, SourceDocument, StatusUpdate, Theme
from ..stats import status_counts, status_timeline, timeline_points
from . import serializers as api
from .renderers import CSVRenderer, serializer_columns


def visible(queryset):
    """What the public API shows of a model: every viewset's queryset starts here, so that a
    rule such as "drafts stay hidden until reviewed" is added in one place."""
    return queryset.all()


def validation_error_detail(error):
    """A Django ``ValidationError`` (as raised by the services) as DRF error details, with the
    same messages; errors about no field in particular go under ``non_field_errors``."""
    detail = get_error_detail(error)
    if isinstance(detail, dict) and "__all__" in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
    return detail


def exception_handler(exc, context):
    """DRF's handler, and a 400 (not a 500) for a Django ``ValidationError`` that reaches a view."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_error_detail(exc))
    return drf_views.exception_handler(exc, context)


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="Output format: JSON (default) or CSV for spreadsheets."
)


class ApiViewMixin:
    """What every API view does before and after its own work."""

    def initial(self, request, *args, **kwargs):
        # A NUL byte cannot be stored in or compared with PostgreSQL text: refuse it up front,
        # in any parameter, with a 400 naming the parameter.
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise ValidationError({name.replace("\x00", "\\x00"): ["Null characters are not allowed."]})
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are always JSON with field messages, even when CSV was asked for.
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), CSVRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_csv_header(self):
        return serializer_columns(self.get_serializer())


class ReadOnlyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail, for anyone."""

    def get_queryset(self):
        return visible(super().get_queryset())


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class ActorViewSet(ReadOnlyViewSet):
    """Who makes recommendations and promises, who they are addressed to, who assesses them."""

    queryset = Actor.objects.select_related("part_of").order_by("name", "id")
    serializer_class = api.ActorSerializer
    filterset_class = ActorFilterSet


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class ThemeViewSet(ReadOnlyViewSet):
    """The subjects recommendations are tagged with."""

    queryset = Theme.objects.select_related("parent").order_by("name", "id")
    serializer_class = api.ThemeSerializer
    filterset_class = ThemeFilterSet


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class LegalProvisionViewSet(ReadOnlyViewSet):
    """Articles of laws and treaties that recommendations ask to change or respect."""

    queryset = LegalProvision.objects.order_by("country", "instrument", "article", "id")
    serializer_class = api.LegalProvisionSerializer
    filterset_class = LegalProvisionFilterSet


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class SourceDocumentViewSet(ReadOnlyViewSet):
    """The documents that citations quote; the detail includes the full text."""

    queryset = SourceDocument.objects.order_by("-published_on", "external_id", "id")
    filterset_class = SourceDocumentFilterSet

    def get_serializer_class(self):
        return api.SourceDocumentDetailSerializer if self.action == "retrieve" else api.SourceDocumentSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        # The full text is only shown in the detail; lists do not read it from the database.
        return queryset if self.action == "retrieve" else queryset.defer("text")


FULL_PARAMETER = OpenApiParameter(
    "full",
    bool,
    description="Give each item in full, as the detail does (text, legal provisions, citations, status history).",
)


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER, FULL_PARAMETER]),
)
class RecommendationViewSet(ReadOnlyViewSet):
    """Recommendations and promises. With ``as_of=YYYY-MM-DD``, ``status``, ``status_as_of`` and
    ``overdue`` are those that held on that date, and items made after it are left out."""

    queryset = Recommendation.objects.select_related("made_by", "addressed_to").prefetch_related("themes")
    filterset_class = RecommendationFilterSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raw = request.query_params.get("full", "")
        try:
            self.full = serializers.BooleanField().run_validation(raw) if raw else False
        except ValidationError as error:
            raise ValidationError({"full": error.detail}) from None

    def get_serializer_class(self):
        if self.action == "retrieve" or getattr(self, "full", False):
            return api.RecommendationDetailSerializer
        return api.RecommendationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.get_serializer_class() is api.RecommendationDetailSerializer:
            history = (
                StatusUpdate.objects.select_related("assessed_by")
                .prefetch_related(Prefetch("citations", queryset=Citation.objects.select_related("document")))
                .latest_first()
            )
            queryset = queryset.prefetch_related(
                "legal_provisions",
                Prefetch("citations", queryset=Citation.objects.select_related("document")),
                Prefetch("status_updates", queryset=history),
            )
        return queryset


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=api.StatusUpdateCreateSerializer, responses={201: api.StatusUpdateSerializer}),
)
class StatusUpdateViewSet(mixins.CreateModelMixin, ReadOnlyViewSet):
    """The status history of every recommendation, newest first, with its evidence.

    ``POST`` records a new status update with its citations, as the admin's form does (the same
    service, the same checks and messages); it needs the "add status update" permission."""

    queryset = (
        StatusUpdate.objects.select_related("recommendation", "assessed_by")
        .prefetch_related(Prefetch("citations", queryset=Citation.objects.select_related("document")))
        .latest_first()
    )
    serializer_class = api.StatusUpdateSerializer
    filterset_class = StatusUpdateFilterSet

    def get_serializer_class(self):
        return api.StatusUpdateCreateSerializer if self.action == "create" else api.StatusUpdateSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = services.status_update_record(
                recommendation=data["recommendation"],
                status=data["status"],
                as_of=data["as_of"],
                as_of_precision=data["as_of_precision"],
                summary=data["summary"],
                assessor_kind=data["assessor_kind"],
                assessed_by=data["assessed_by"],
                citations=[
                    services.CitationInput(
                        document=citation["document"], quote=citation["quote"], location=citation["location"]
                    )
                    for citation in data["citations"]
                ],
                recorded_by=request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError(validation_error_detail(error)) from None
        instance = self.queryset.get(pk=created.pk)
        return Response(api.StatusUpdateSerializer(instance, context=self.get_serializer_context()).data, status=201)


class StatsViewMixin(ApiViewMixin):
    """Counts over the recommendations that the recommendation filters select."""

    queryset = Recommendation.objects.all()
    pagination_class = None
    # Used only to document the filters in the schema; the views apply the FilterSet themselves.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return visible(super().get_queryset())

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
    parameters=[api.StatsQuerySerializer, FORMAT_PARAMETER],
    responses=api.StatsSerializer,
)
class StatsView(StatsViewMixin, GenericAPIView):
    """How many recommendations are in each status (overall and per group), the implementation
    rates and how many are overdue; takes every recommendation filter, ``as_of`` included.

    With ``format=csv``: one row for all (key "") then one per group."""

    filterset_class = RecommendationFilterSet
    serializer_class = api.StatsSerializer

    def get(self, request, *args, **kwargs):
        query = self.validated(api.StatsQuerySerializer, request)
        filterset = self.filtered(RecommendationFilterSet)
        data = status_counts(filterset.qs, on=filterset.as_of_date, group_by=query.get("group_by"))
        return Response(api.StatsSerializer(data).data)

    def get_csv_rows(self, data):
        return [{"key": "", "label": "All", **data["overall"]}, *data["groups"]]

    def get_csv_header(self):
        return serializer_columns(api.GroupCountsSerializer())


@extend_schema(
    filters=True,
    parameters=[api.TimelineQuerySerializer, FORMAT_PARAMETER],
    responses=api.TimelineSerializer,
)
class TimelineView(StatsViewMixin, GenericAPIView):
    """Counts by status at the end of each month, quarter or year from ``start`` to ``end``
    (at most 240 points; the last point is ``end`` itself). Takes the recommendation filters
    except ``status``, ``overdue``, ``as_of`` and ``ordering``. With ``format=csv``: one row per point."""

    filterset_class = TimelineFilterSet
    serializer_class = api.TimelineSerializer

    def get(self, request, *args, **kwargs):
        query = self.validated(api.TimelineQuerySerializer, request)
        try:
            points = timeline_points(query["start"], query["end"], query["interval"])
        except ValueError as error:
            raise ValidationError({"interval": [str(error)]}) from None
        filterset = self.filtered(TimelineFilterSet)
        data = {**query, "points": status_timeline(filterset.qs, points=points)}
        return Response(api.TimelineSerializer(data).data)

    def get_csv_rows(self, data):
        return data["points"]

    def get_csv_header(self):
        return serializer_columns(api.TimelinePointSerializer())
