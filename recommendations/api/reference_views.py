"""API views of the reference data: actors, clusters, themes, SDGs, affected groups, legal
provisions and source documents (read-only, for everyone). Re-exported by ``views``."""

from django.db.models import Prefetch

from ..filters import (
    ActorFilterSet,
    AffectedGroupFilterSet,
    ClusterFilterSet,
    LegalProvisionFilterSet,
    SdgFilterSet,
    SourceDocumentFilterSet,
    ThemeFilterSet,
)
from ..models import (
    Actor,
    AffectedGroup,
    Cluster,
    LegalProvision,
    Recommendation,
    SourceDocument,
    SustainableDevelopmentGoal,
    Theme,
)
from . import serializers as api
from .view_base import ReadOnlyViewSet, visible


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
        # Both neighbouring versions, without their texts, each in a query of its own: joined in,
        # a planner that expects few matches of ``q`` looped over every document for each one
        # (5.8 s for `q=report` at a million recommendations).
        neighbours = SourceDocument.objects.defer("text")
        queryset = (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("replaces", queryset=neighbours), Prefetch("replaced_by", queryset=neighbours))
        )
        queryset = queryset.with_links_shown(self.request.user)
        # The full text is only shown in the detail; lists do not read it from the database.
        return queryset if self.action == "retrieve" else queryset.defer("text")
