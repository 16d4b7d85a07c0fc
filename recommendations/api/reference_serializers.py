"""API serializers of the reference data: summaries of actors, themes, goals, groups, legal
provisions and documents as other resources nest them, the reference resources themselves, and
clusters. Re-exported by ``serializers``."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    Actor,
    AffectedGroup,
    Cluster,
    LegalProvision,
    Recommendation,
    SourceDocument,
    SourceTheme,
    SustainableDevelopmentGoal,
    Theme,
)
from .representation import PlainRepresentation

# ── Summaries of related objects ──────────────────────────────────────────────────────────


class ActorSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "slug", "name"]


class ThemeSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "slug", "name"]


class SourceThemeSummarySerializer(serializers.ModelSerializer):
    """A theme as an imported file named it (UPR Info's issue), kept on the row."""

    class Meta:
        model = SourceTheme
        fields = ["vocabulary", "name"]


class SdgSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = SustainableDevelopmentGoal
        fields = ["id", "number", "name"]


class AffectedGroupSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = AffectedGroup
        fields = ["id", "slug", "name"]


class LegalProvisionSummarySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = LegalProvision
        fields = ["id", "slug", "label", "country", "instrument", "article", "title"]


class DocumentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = SourceDocument
        fields = ["id", "external_id", "title", "url", "published_on", "published_on_precision"]


# ── Reference data ───────────────────────────────────────────────────────────────────────


def link_shown(instance, link):
    """Whether a row's link to another of its kind (an actor's ``part_of``, a theme's ``parent``,
    a document's versions) may be shown to this client: the viewset annotates ``<link>_shown``
    (``ReferenceQuerySet.with_links_shown``); without it, the link is not shown."""
    return bool(getattr(instance, f"{link}_shown", False))


class ShownLinkMixin:
    """A nested summary that is null unless the client may see the row it names (``link_shown``)."""

    def get_attribute(self, instance):
        return super().get_attribute(instance) if link_shown(instance, self.field_name) else None


class LinkedActorSerializer(ShownLinkMixin, ActorSummarySerializer):
    pass


class LinkedThemeSerializer(ShownLinkMixin, ThemeSummarySerializer):
    pass


class LinkedDocumentSerializer(ShownLinkMixin, DocumentSummarySerializer):
    pass


class ActorSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    part_of = LinkedActorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind", "country", "part_of", "description", "created_at", "updated_at"]


class ThemeSerializer(serializers.ModelSerializer):
    parent = LinkedThemeSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "parent", "description", "created_at", "updated_at"]


class SdgSerializer(serializers.ModelSerializer):
    class Meta:
        model = SustainableDevelopmentGoal
        fields = ["id", "number", "name"]


class AffectedGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AffectedGroup
        fields = ["id", "slug", "name", "created_at", "updated_at"]


class LegalProvisionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = LegalProvision
        fields = ["id", "slug", "label", "country", "instrument", "article", "title", "created_at", "updated_at"]


class SourceDocumentSerializer(serializers.ModelSerializer):
    """A source document without its full text (lists stay small); the detail adds the text.
    ``replaces``/``replaced_by``: the previous and next version of a corrected text (null if none)."""

    replaces = LinkedDocumentSerializer(read_only=True, allow_null=True)
    replaced_by = serializers.SerializerMethodField()

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "external_id",
            "title",
            "publisher",
            "document_type",
            "url",
            "language",
            "published_on",
            "published_on_precision",
            "published_on_basis",
            "date_note",
            "text_sha256",
            "replaces",
            "replaced_by",
            "correction_note",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(DocumentSummarySerializer(allow_null=True))
    def get_replaced_by(self, obj):
        if not link_shown(obj, "replaced_by"):
            return None
        newer = getattr(obj, "replaced_by", None)  # a missing reverse one-to-one raises, getattr's default catches it
        return DocumentSummarySerializer(newer).data if newer is not None else None


class SourceDocumentDetailSerializer(SourceDocumentSerializer):
    class Meta(SourceDocumentSerializer.Meta):
        fields = [*SourceDocumentSerializer.Meta.fields, "text"]


# ── Clusters ─────────────────────────────────────────────────────────────────────────────


class ClusterSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Cluster
        fields = ["id", "name"]


class ClusterMemberSerializer(serializers.ModelSerializer):
    """A member of a cluster: which recommendation, by whom, when, and its current status."""

    made_by = ActorSummarySerializer(read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "title",
            "made_by",
            "made_on",
            "made_on_precision",
            "upr_cycle",
            "current_status",
            "current_status_as_of",
        ]


class ClusterSerializer(serializers.ModelSerializer):
    """Recommendations that make the same ask, across cycles and recommending bodies."""

    members = ClusterMemberSerializer(many=True, read_only=True, source="visible_members")
    member_count = serializers.SerializerMethodField(help_text="How many of its members you can see.")

    class Meta:
        model = Cluster
        fields = ["id", "name", "description", "member_count", "members", "created_at", "updated_at"]

    def get_member_count(self, obj) -> int:
        return len(obj.visible_members)
