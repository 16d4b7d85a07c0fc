"""API views of the counts: ``/stats/`` (by status, overall and per group) and
``/stats/timeline/`` (by status at the end of each period). Re-exported by ``views``."""

from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from .. import stats_cache
from ..filters import RecommendationFilterSet, TimelineFilterSet
from ..models import Recommendation
from ..stats import status_counts, status_timeline, timeline_points
from . import serializers as api
from .renderers import serializer_columns
from .view_base import ApiViewMixin, visible


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
