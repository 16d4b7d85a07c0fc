"""API serializers of the writes' bodies: a status update with its citations, the changes
``PATCH`` may make, and the review actions' bodies. They check only the shape of the input; the
services hold every rule. Re-exported by ``serializers``."""

from django.core.exceptions import ObjectDoesNotExist
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
    DateBasis,
    DatePrecision,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    SourceDocument,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)

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
