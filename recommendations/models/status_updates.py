"""The dated, cited history of a recommendation: status updates, the citations that tie claims to
a document's exact words, and the staff's internal notes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..permissions import STATUS_UPDATE_PERMISSIONS
from ..querysets import StatusUpdateQuerySet
from .common import (
    DateBasis,
    DatePrecision,
    ImplementationStatus,
    ReviewedModel,
    ReviewState,
    TimestampedModel,
    check_date_basis,
    check_period_start,
    format_partial_date,
    normalize_whitespace,
)
from .documents import SourceDocument
from .recommendations import Recommendation
from .taxonomy import Actor


class StatusUpdate(ReviewedModel):
    """A dated assessment of how far a recommendation has been carried out, by whom, with evidence.
    Record one with ``services.status_update_record``, which keeps the current status in step."""

    class AssessorKind(models.TextChoices):
        """Whose assessment a status update is, so that a government's claims and independent
        assessments of the same recommendation can be told apart."""

        GOVERNMENT = "government", "The government's own claim"
        NGO = "ngo", "An NGO"
        UN_BODY = "un_body", "A UN body"
        INTERGOVERNMENTAL = "intergovernmental", "An intergovernmental organisation"
        FOREIGN_GOVERNMENT = "foreign_government", "A foreign government"
        MEDIA = "media", "The media"
        STAFF = "staff", "Our staff"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="status_updates")
    status = models.CharField(max_length=25, choices=ImplementationStatus.choices)
    as_of = models.DateField(help_text="The date the assessment describes (not the date it was recorded).")
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    as_of_basis = models.CharField(max_length=8, choices=DateBasis.choices, default=DateBasis.STATED)
    date_note = models.TextField(blank=True, help_text="For an inferred date: what it was inferred from.")
    summary = models.TextField(help_text="What happened, in a sentence or two.")
    assessor_kind = models.CharField(
        "whose assessment", max_length=20, choices=AssessorKind.choices, default=AssessorKind.STAFF
    )
    assessed_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_assessments",
        help_text="The organisation whose assessment this is, if not our own staff.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_updates_recorded",
        editable=False,
    )

    objects = StatusUpdateQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["recommendation", "-as_of", "-created_at", "-id"]
        permissions = STATUS_UPDATE_PERMISSIONS
        get_latest_by = ["as_of", "created_at", "id"]
        indexes = [
            models.Index(fields=["recommendation", "-as_of", "-created_at", "-id"], name="status_latest_idx"),
            # The status on a date (``with_status_on``): the latest published row per recommendation,
            # read from the index alone.
            models.Index(
                fields=["recommendation", "-as_of", "-created_at", "-id", "status"],
                condition=Q(review_state=ReviewState.PUBLISHED),
                name="status_published_latest_idx",
            ),
            # The history list's order (newest first) and its keyset pages; as_of ranges too.
            models.Index(fields=["-as_of", "-created_at", "-id"], name="status_as_of_idx"),
            # ``ordering=-as_of`` (the dashboard's latest assessments) or ``as_of``: the keyset order is
            # the date, then the id; without it the whole day's assessments were sorted for a page.
            models.Index(fields=["-as_of", "-id"], name="status_as_of_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid",
                condition=Q(status__in=ImplementationStatus.values),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_review_state_valid", condition=Q(review_state__in=ReviewState.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_as_of_basis_valid", condition=Q(as_of_basis__in=DateBasis.values)
            ),
        ]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints += [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_assessor_kind_valid", condition=Q(assessor_kind__in=AssessorKind.values)
        ),
    ]

    def __str__(self):
        return f"{self.get_status_display()} as of {self.as_of_display}"

    def clean(self):
        check_period_start(self.as_of, self.as_of_precision, "as_of")
        check_date_basis(self.as_of, self.as_of_basis, self.date_note, "as_of", "as-of date")

    @property
    def as_of_display(self):
        return format_partial_date(self.as_of, self.as_of_precision)


class Citation(TimestampedModel):
    """Ties a recommendation or a status update to the exact words of a source document that
    support it. The quote must occur in the document (see ``quotes`` for the differences of
    spacing and typography allowed) and its place there is stored as character offsets into the
    document's text: every claim in the tracker is traceable to a verbatim source.

    A reviewer who publishes the claim confirms that the quote supports it (``confirmed_by``,
    ``confirmed_at``); a command that publishes curated data names itself in ``confirmed_by_process``."""

    document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(
        help_text="Copied verbatim from the document; spacing, line breaks and the forms of quotation marks, "
        "apostrophes and dashes may differ."
    )
    quote_start = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Where the quote starts in the document's text (characters)."
    )
    quote_end = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Where the quote ends in the document's text (exclusive)."
    )
    location = models.CharField(
        max_length=200, blank=True, help_text="Where in the document, e.g. “paragraph 9”, “p. 3”."
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations_confirmed",
        editable=False,
        help_text="The reviewer who confirmed, when publishing, that the quote supports the claim.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_by_process = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="When a command rather than a person confirmed it (e.g. the seed load), which and why.",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_offsets_in_order",
                condition=Q(quote_start__isnull=True, quote_end__isnull=True)
                | Q(quote_start__isnull=False, quote_end__gt=models.F("quote_start")),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_cites_one_thing",
                condition=(
                    Q(recommendation__isnull=False, status_update__isnull=True)
                    | Q(recommendation__isnull=True, status_update__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        quote = normalize_whitespace(self.quote)
        return f"“{quote[:80]}{'…' if len(quote) > 80 else ''}” ({self.document.external_id})"

    def clean(self):
        """Locate the quote in its document and record its offsets; refuse a quote that is not
        there (naming the closest passage) and a new citation of a document already replaced. A
        changed quote loses its confirmation (the reviewer confirmed other words)."""
        if not self.document_id or not self.quote:
            return
        stored = Citation.objects.filter(pk=self.pk).values("document_id", "quote").first() if self.pk else None
        if stored is not None and stored["quote"] != self.quote:
            # The reviewer confirmed other words: these need confirming again.
            self.confirmed_by, self.confirmed_at, self.confirmed_by_process = None, None, ""
        document = self.document
        if stored is None or stored["document_id"] != self.document_id:
            newer = SourceDocument.objects.filter(replaces=document).only("external_id").first()
            if newer is not None:
                raise ValidationError(
                    {
                        "document": f"“{document.external_id}” has been replaced by a corrected version, "
                        f"“{newer.external_id}”: cite that one."
                    }
                )
        passage = document.find_quote(self.quote, start=self.quote_start, end=self.quote_end)
        if passage is None:
            raise ValidationError({"quote": document.missing_quote_message(self.quote)})
        self.quote_start, self.quote_end = passage.start, passage.end

    @property
    def passage(self):
        """The words the offsets point at, as the document has them."""
        if self.quote_start is None or self.quote_end is None:
            return ""
        return self.document.text[self.quote_start : self.quote_end]


class InternalNote(TimestampedModel):
    """A staff-only note on a recommendation or a status update: who wrote what, when. For the
    team's own working notes (a lead to follow, a doubt about a source); never shown in the API."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="internal_notes"
    )
    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="internal_notes"
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "internal note"
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation__isnull=False, status_update__isnull=True)
                | Q(recommendation__isnull=True, status_update__isnull=False),
                name="%(app_label)s_%(class)s_one_parent",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="%(app_label)s_%(class)s_text_not_empty"),
        ]

    def __str__(self):
        return f"Note by {self.author or 'someone'}, {self.created_at:%d %B %Y}" if self.created_at else "Note"
