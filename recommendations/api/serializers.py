"""API serializers. Fields are listed explicitly; related objects appear as small summaries.

Read serializers only present data. Write serializers (a new status update with its
citations; the changes ``PATCH`` may make) check only the shape of the input; the views hand it
to the services, which hold every rule, as they do for the admin.

This module holds the recommendations and status updates as the API shows them; the reference
data and clusters are in ``reference_serializers``, the writes' bodies in ``input_serializers``,
the counts in ``stats_serializers``. All are importable from here.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    Citation,
    ImplementationStatus,
    Recommendation,
    StatusUpdate,
)
from ..search import SNIPPET, snippet_html
from .input_serializers import (  # noqa: F401
    ActorSlugOrIdField,
    CitationInputSerializer,
    InputSerializer,
    PublishSerializer,
    RecommendationChangeSerializer,
    SdgNumberField,
    SendBackSerializer,
    StatusUpdateChangeSerializer,
    StatusUpdateCreateSerializer,
)
from .reference_serializers import (  # noqa: F401
    ActorSerializer,
    ActorSummarySerializer,
    AffectedGroupSerializer,
    AffectedGroupSummarySerializer,
    ClusterMemberSerializer,
    ClusterSerializer,
    ClusterSummarySerializer,
    DocumentSummarySerializer,
    LegalProvisionSerializer,
    LegalProvisionSummarySerializer,
    LinkedActorSerializer,
    LinkedDocumentSerializer,
    LinkedThemeSerializer,
    SdgSerializer,
    SdgSummarySerializer,
    ShownLinkMixin,
    SourceDocumentDetailSerializer,
    SourceDocumentSerializer,
    SourceThemeSummarySerializer,
    ThemeSerializer,
    ThemeSummarySerializer,
    link_shown,
)
from .representation import PlainRepresentation
from .stats_serializers import (  # noqa: F401
    CountsSerializer,
    GroupCountsSerializer,
    StatsQuerySerializer,
    StatsSerializer,
    StatusCountsSerializer,
    TimelinePointSerializer,
    TimelineQuerySerializer,
    TimelineSerializer,
)

# ── Evidence ─────────────────────────────────────────────────────────────────────────────


class RecommendationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "external_id", "kind", "title"]


class CitationSerializer(serializers.ModelSerializer):
    """A verbatim quote from a source document, with where it is: ``location`` as a person would
    say it, ``quote_start``/``quote_end`` as character offsets into the document's text (so a
    reader can highlight it). ``confirmed_at``: when a reviewer, publishing the claim, confirmed
    that the quote supports it; ``confirmed_by``: who (the username, shown to staff only: the
    public sees null); ``confirmed_by_process``: the command that confirmed it instead of a person
    (e.g. the seed load)."""

    document = DocumentSummarySerializer(read_only=True)
    confirmed_by = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = [
            "id",
            "document",
            "quote",
            "location",
            "quote_start",
            "quote_end",
            "confirmed_by",
            "confirmed_at",
            "confirmed_by_process",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Username; staff only, else null."))
    def get_confirmed_by(self, obj):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if obj.confirmed_by is None or user is None or not (user.is_authenticated and user.is_staff):
            return None
        return obj.confirmed_by.get_username()


# ── Status history ───────────────────────────────────────────────────────────────────────


class StatusUpdateSerializer(serializers.ModelSerializer):
    """One dated assessment with its evidence."""

    recommendation = RecommendationSummarySerializer(read_only=True)
    assessed_by = ActorSummarySerializer(read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "recommendation",
            "status",
            "as_of",
            "as_of_precision",
            "as_of_basis",
            "date_note",
            "summary",
            "assessor_kind",
            "assessed_by",
            "citations",
            "review_state",
            "published_at",
            "self_reviewed",
            "sent_back_note",
            "sent_back_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class HistoryEntrySerializer(StatusUpdateSerializer):
    """A status update inside its recommendation's history (without repeating the recommendation)."""

    class Meta(StatusUpdateSerializer.Meta):
        fields = [name for name in StatusUpdateSerializer.Meta.fields if name != "recommendation"]


# ── Recommendations ──────────────────────────────────────────────────────────────────────


class RecommendationSerializer(PlainRepresentation, serializers.ModelSerializer):
    """What a dashboard shows in a table. ``status``, ``status_as_of`` and ``overdue`` are those
    that held on the ``as_of`` date if one was asked for, otherwise today's."""

    made_by = ActorSummarySerializer(read_only=True)
    also_made_by = ActorSummarySerializer(
        many=True, read_only=True, help_text="Actors that made it jointly with made_by (the first named)."
    )
    addressed_to = ActorSummarySerializer(read_only=True)
    status = serializers.SerializerMethodField()
    status_as_of = serializers.DateField(source="effective_status_as_of", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="effective_overdue", read_only=True)
    themes = ThemeSummarySerializer(many=True, read_only=True)
    cluster = ClusterSummarySerializer(read_only=True, allow_null=True)
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "external_id",
            "kind",
            "title",
            "made_by",
            "also_made_by",
            "addressed_to",
            "mechanism",
            "made_on",
            "made_on_precision",
            "made_on_basis",
            "due_on",
            "due_on_precision",
            "due_on_basis",
            "status",
            "status_as_of",
            "overdue",
            "themes",
            "cluster",
            "review_state",
            "updated_at",
            "snippet",
        ]

    @extend_schema_field(
        serializers.ChoiceField(choices=ImplementationStatus.choices, allow_null=True, help_text="None: not assessed")
    )
    def get_status(self, obj):
        return obj.effective_status or None

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="With `q`: the best fragment of the text, HTML-escaped, the words found in <mark>…</mark> "
            "(the only markup). None without `q`, or when only the external id matched.",
        )
    )
    def get_snippet(self, obj):
        return snippet_html(getattr(obj, SNIPPET, None))


class RecommendationDetailSerializer(RecommendationSerializer):
    """Everything about one recommendation: its text, legal provisions, the evidence that it was
    made (citations) and its whole status history, newest first, each entry with its evidence."""

    legal_provisions = LegalProvisionSummarySerializer(many=True, read_only=True)
    sdgs = SdgSummarySerializer(many=True, read_only=True)
    affected_groups = AffectedGroupSummarySerializer(many=True, read_only=True)
    source_issues = SourceThemeSummarySerializer(
        source="source_themes",
        many=True,
        read_only=True,
        help_text="The themes as the imported file named them (UPR Info's issues); ``themes`` are what they map to.",
    )
    citations = CitationSerializer(many=True, read_only=True)
    status_history = HistoryEntrySerializer(source="status_updates", many=True, read_only=True)

    class Meta(RecommendationSerializer.Meta):
        fields = [
            *RecommendationSerializer.Meta.fields[:4],
            "text",
            *RecommendationSerializer.Meta.fields[4:],
            "date_note",
            "context",
            "language",
            "state_response",
            "upr_session",
            "upr_cycle",
            "upr_action_category",
            "legal_provisions",
            "sdgs",
            "affected_groups",
            "source_issues",
            "citations",
            "status_history",
            "published_at",
            "self_reviewed",
            "sent_back_note",
            "sent_back_at",
            "version",
            "created_at",
        ]
