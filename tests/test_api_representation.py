"""The lean representation (recommendations/api/representation.py) gives exactly DRF's output."""

import datetime

import pytest
from rest_framework import serializers

from recommendations.api import serializers as api
from recommendations.models import Actor, Cluster, Recommendation, Theme
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def drf(serializer_class, instance):
    """What DRF's own ``Serializer.to_representation`` gives for ``instance``."""
    return serializers.Serializer.to_representation(serializer_class(), instance)


@pytest.mark.parametrize("serializer_class", [api.RecommendationSerializer, api.RecommendationDetailSerializer])
def test_recommendations_are_represented_as_drf_would(seeded, serializer_class):
    cluster = Cluster.objects.create(name="The same ask")
    RecommendationFactory(cluster=cluster, due_on=None)
    rows = Recommendation.objects.select_related("made_by", "addressed_to", "cluster").with_status_on()
    assert rows.count() > 10 and rows.filter(cluster__isnull=False).exists()
    for row in rows:
        assert serializer_class(row).data == drf(serializer_class, row)
    for row in Recommendation.objects.with_status_on(datetime.date(2019, 11, 7)):  # statuses from subqueries
        assert serializer_class(row).data == drf(serializer_class, row)


@pytest.mark.parametrize(
    ("serializer_class", "model"),
    [(api.ActorSummarySerializer, Actor), (api.ThemeSummarySerializer, Theme), (api.ClusterSummarySerializer, Cluster)],
)
def test_summaries_are_represented_as_drf_would(seeded, serializer_class, model):
    Cluster.objects.create(name="A cluster")
    rows = list(model.objects.all())
    assert rows
    for row in rows:
        assert serializer_class(row).data == drf(serializer_class, row)
