"""API serializers. Fields are listed explicitly; related objects appear as small summaries.

Read serializers only present data. Write serializers (a new status update with its
citations; the changes ``PATCH`` may make) check only the shape of the input; the views hand it
to the services, which hold every rule, as they do for the admin.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    LANGUAGE_CODE,
    MAX_CITATIONS_PER_STATUS_UPDATE,
    MAX_ID,
    MAX_NOTE_LENGTH,
    MAX_QUOTE_LENGTH,
    MAX_RECOMMENDATION_TEXT_LENGTH,
    MAX_SUMMARY_LENGTH,
    Actor,
    AffectedGroup,
    Citation,
    Cluster,
    DateBasis,
    DatePrecision,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    SourceDocument,
    SourceTheme,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)
from ..search import SNIPPET, snippet_html
from ..stats import GROUPINGS, INTERVALS, STATUS_KEYS, timeline_range
from .representation import PlainRepresentation, PrefetchedListSerializer

# ── Summaries of related objects ──────────────────────────────────────────────────────────


class ActorSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        list_serializer_class = PrefetchedListSerializer
        model = Actor
        fields = ["id", "slug", "name"]


class ThemeSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        list_serializer_class = PrefetchedListSerializer
        model = Theme
        fields = ["id", "slug", "name"]


class SourceThemeSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    """A theme as an imported file named it (UPR Info's issue), kept on the row."""

    class Meta:
        model = SourceTheme
        fields = ["vocabulary", "name"]


class SdgSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = SustainableDevelopmentGoal
        fields = ["id", "number", "name"]


class AffectedGroupSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = AffectedGroup
        fields = ["id", "slug", "name"]


class LegalProvisionSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = LegalProvision
        fields = ["id", "slug", "label", "country", "instrument", "article", "title"]


class DocumentSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = SourceDocument
        fields = ["id", "external_id", "title", "url", "published_on", "published_on_precision"]


class RecommendationSummarySerializer(PlainRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "external_id", "kind", "title"]


class CitationSerializer(PlainRepresentation, serializers.ModelSerializer):
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


# ── Status history ───────────────────────────────────────────────────────────────────────


class StatusUpdateSerializer(PlainRepresentation, serializers.ModelSerializer):
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


# ── Writing a status update ──────────────────────────────────────────────────────────────


class InputSerializer(serializers.Serializer):
    """A write's body: a field this serializer does not know is a 400 naming it (DRF would drop it
    silently, and a misspelt ``sumary`` would look saved)."""

    # The browsable API's HTML forms send their CSRF token as a field.
    ignored_fields = frozenset({"csrfmiddlewaretoken"})

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = [key for key in data.keys() if key not in self.fields and key not in self.ignored_fields]
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {str(key): [f"Unknown field; this one takes {known}."] for key in unknown}
                )
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "The actor's id or slug."})
class ActorSlugOrIdField(serializers.RelatedField):
    """An actor given by id (a number) or by slug (a string)."""

    default_error_messages = {
        "does_not_exist": "No actor with id or slug “{value}”.",
        "invalid": "Give the actor's id (a number) or slug (a string).",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        queryset = self.get_queryset()
        try:
            if isinstance(data, int) or (isinstance(data, str) and data.isascii() and data.isdigit()):
                if int(data) > MAX_ID:
                    raise ObjectDoesNotExist
                return queryset.get(pk=int(data))
            return queryset.get(slug=data)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", value=data)

    def to_representation(self, value):
        return value.slug


class CitationInputSerializer(InputSerializer):
    """A quote to cite: which document (by ``external_id``), the verbatim words, where."""

    document = serializers.SlugRelatedField(
        slug_field="external_id",
        queryset=SourceDocument.objects.all(),
        help_text="The document's external_id (for seed documents, the file name).",
    )
    quote = serializers.CharField(
        max_length=MAX_QUOTE_LENGTH,
        help_text="Copied verbatim from the document; spacing and line breaks may differ.",
    )
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class StatusUpdateCreateSerializer(InputSerializer):
    """The input for recording a status update. Only the shape is checked here; whether the
    quotes occur in their documents, and every other rule, is checked by the service."""

    recommendation = serializers.PrimaryKeyRelatedField(queryset=Recommendation.objects.all())
    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    as_of = serializers.DateField(help_text="The date the assessment describes (first day of the month or year).")
    as_of_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    as_of_basis = serializers.ChoiceField(choices=DateBasis.choices, default=DateBasis.STATED)
    date_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_NOTE_LENGTH,
        help_text="For an inferred date: what it was inferred from.",
    )
    summary = serializers.CharField(max_length=MAX_SUMMARY_LENGTH)
    assessor_kind = serializers.ChoiceField(
        choices=StatusUpdate.AssessorKind.choices, default=StatusUpdate.AssessorKind.STAFF
    )
    assessed_by = ActorSlugOrIdField(queryset=Actor.objects.all(), required=False, allow_null=True, default=None)
    citations = CitationInputSerializer(
        many=True,
        max_length=MAX_CITATIONS_PER_STATUS_UPDATE,
        help_text=f"At least one quote as evidence, at most {MAX_CITATIONS_PER_STATUS_UPDATE}.",
    )
    publish = serializers.BooleanField(
        default=False,
        help_text="Publish at once (reviewers only); otherwise it is a draft until a reviewer publishes it.",
    )


class PublishSerializer(InputSerializer):
    """The body of ``publish`` (optional): the ids of the citations the reviewer read and confirms."""

    citations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
        help_text="Ids of the citations you confirm support the claim; if the evidence changed since, 400.",
    )


class SendBackSerializer(InputSerializer):
    """The body of ``send-back``: why, for the editor, and which citations do not support the claim."""

    note = serializers.CharField(max_length=MAX_NOTE_LENGTH, help_text="Why it goes back, for the editor.")
    citations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        default=list,
        max_length=1000,
        help_text="Ids of the citations that do not support the claim.",
    )


class StatusUpdateChangeSerializer(InputSerializer):
    """The fields of a status update that ``PATCH`` may change (send only those that change).
    Its evidence is changed in the admin, where each quote is checked against its document."""

    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    as_of = serializers.DateField()
    as_of_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    as_of_basis = serializers.ChoiceField(choices=DateBasis.choices)
    date_note = serializers.CharField(allow_blank=True, max_length=MAX_NOTE_LENGTH)
    summary = serializers.CharField(max_length=MAX_SUMMARY_LENGTH)
    assessor_kind = serializers.ChoiceField(choices=StatusUpdate.AssessorKind.choices)
    assessed_by = ActorSlugOrIdField(queryset=Actor.objects.all(), allow_null=True)


class SdgNumberField(serializers.SlugRelatedField):
    """A goal by its number; anything but 1–17 is refused before the database sees it (a huge
    number would overflow SQLite's integers)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="number", **kwargs)

    def to_internal_value(self, data):
        if str(data).strip() not in {str(number) for number in SustainableDevelopmentGoal.NUMBERS}:
            self.fail("does_not_exist", slug_name="number", value=str(data)[:20])
        return super().to_internal_value(int(str(data).strip()))


class RecommendationChangeSerializer(InputSerializer):
    """The fields of a recommendation that ``PATCH`` may change (send only those that change).
    Themes and legal provisions are given as lists of slugs and replace the current ones."""

    kind = serializers.ChoiceField(choices=Recommendation.Kind.choices)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=MAX_RECOMMENDATION_TEXT_LENGTH)
    context = serializers.CharField(max_length=300, allow_blank=True)
    language = serializers.CharField(max_length=10, validators=[LANGUAGE_CODE])
    made_on = serializers.DateField(allow_null=True)
    made_on_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    made_on_basis = serializers.ChoiceField(choices=DateBasis.choices)
    due_on = serializers.DateField(allow_null=True)
    due_on_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    due_on_basis = serializers.ChoiceField(choices=DateBasis.choices)
    date_note = serializers.CharField(allow_blank=True, max_length=MAX_NOTE_LENGTH)
    state_response = serializers.ChoiceField(
        choices=[("", "none"), *Recommendation.StateResponse.choices], allow_blank=True
    )
    themes = serializers.SlugRelatedField(slug_field="slug", queryset=Theme.objects.all(), many=True)
    legal_provisions = serializers.SlugRelatedField(slug_field="slug", queryset=LegalProvision.objects.all(), many=True)
    sdgs = SdgNumberField(queryset=SustainableDevelopmentGoal.objects.all(), many=True, help_text="SDG numbers (1–17).")
    affected_groups = serializers.SlugRelatedField(slug_field="slug", queryset=AffectedGroup.objects.all(), many=True)
    also_made_by = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.all(),
        many=True,
        help_text="Slugs of the actors that made it jointly.",
    )


# ── Counts ───────────────────────────────────────────────────────────────────────────────


class StatusCountsSerializer(serializers.Serializer):
    """One integer per status, ``no_status`` for those not assessed (yet, on the date)."""

    def get_fields(self):
        return {key: serializers.IntegerField() for key in STATUS_KEYS}


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    implementation_rate = serializers.FloatField(allow_null=True, help_text="implemented / total")
    implementation_rate_with_partial = serializers.FloatField(
        allow_null=True, help_text="(implemented + partially_implemented) / total"
    )
    overdue = serializers.IntegerField()


class GroupCountsSerializer(CountsSerializer):
    key = serializers.CharField(allow_null=True, help_text="The group's slug or code; null for “none”.")
    label = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        return {"key": fields.pop("key"), "label": fields.pop("label"), **fields}


class StatsSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), allow_null=True)
    overall = CountsSerializer()
    groups = GroupCountsSerializer(many=True)


class StatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=list(GROUPINGS),
        required=False,
        help_text="Also count per theme, actor (= made_by), made_by, addressed_to, country (of the "
        "addressee), kind, mechanism or legal_provision.",
    )


class TimelinePointSerializer(CountsSerializer):
    date = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        return {"date": fields.pop("date"), **fields}


class TimelineSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    interval = serializers.ChoiceField(choices=INTERVALS)
    points = TimelinePointSerializer(many=True)


class TimelineQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day of the range (YYYY-MM-DD); default: five years before the end."
    )
    end = serializers.DateField(required=False, help_text="Last day of the range (YYYY-MM-DD); default: today.")
    interval = serializers.ChoiceField(choices=INTERVALS, default="month")

    def validate(self, attrs):
        attrs["start"], attrs["end"] = timeline_range(attrs.get("start"), attrs.get("end"), today=timezone.localdate())
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "The end must not be before the start."})
        return attrs
