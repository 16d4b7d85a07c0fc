"""Source documents: the full texts every quote is checked against, and the guard that keeps a
cited text from changing in place."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .. import quotes
from ..keyset import sort_key
from ..querysets import SourceDocumentQuerySet
from .common import DateBasis, DatePrecision, TimestampedModel, check_period_start, format_partial_date, text_sha256


class CitedTextError(ValidationError):
    """A change to the text of a document that citations quote; nothing was saved."""

    def __init__(self, document, citation_count):
        self.document, self.citation_count = document, citation_count
        cited = f"{citation_count} citation{'s' if citation_count != 1 else ''}"
        super().__init__(
            {
                "text": f"The text of “{document.external_id}” cannot be changed: {cited} quote it, and their "
                "quotes and offsets must keep pointing at the words they quote. To correct it, use “Correct the "
                "text (new version)” on the document's page: the corrected text is stored as a new version linked "
                "to this one; existing citations keep quoting this version and can then be moved to the new one "
                "where their quote occurs in it. Other fields can be changed as usual."
            }
        )


def guard_cited_text(document):
    """Refuse (``CitedTextError``) a change of ``document.text`` while citations point into it.

    Called by every path that writes a document: ``clean()`` (forms and services), ``save()``,
    ``SourceDocument.objects.update()`` and, for ``loaddata``'s raw saves, a ``pre_save`` handler.
    Compares hashes, so the stored text is not read."""
    from .status_updates import Citation  # citations point at documents: imported when first needed

    if document.pk is None:
        return
    stored = SourceDocument.objects.filter(pk=document.pk).values_list("text_sha256", flat=True).first()
    if stored is None or stored == text_sha256(document.text):
        return
    count = Citation.objects.filter(document_id=document.pk).count()
    if count:
        raise CitedTextError(document, count)


def guard_fixture_document(sender, instance, raw=False, **kwargs):
    """``pre_save`` for raw saves (``loaddata``): a fixture may not change a cited text either, nor
    bring a text whose stored SHA-256 is not its own."""
    if not raw:
        return
    if instance.text_sha256 != text_sha256(instance.text):
        raise ValidationError(
            {"text_sha256": f"Document “{instance.external_id}”: the SHA-256 in the fixture does not match its text."}
        )
    guard_cited_text(instance)


class SourceDocument(TimestampedModel):
    """A report, article, UN document, statement or law text that recommendations and status
    updates cite. Its text is stored in full so that every quote can be checked against it.

    Once cited, the text never changes in place: a correction is a new version (a new row with its
    own SHA-256) that ``replaces`` this one (``services.source_document_correct``)."""

    class DocumentType(models.TextChoices):
        """What kind of text a source document is."""

        REPORT = "report", "Report"
        NEWS = "news", "News report or interview"
        PRESS_RELEASE = "press_release", "Press release"
        ADVOCACY = "advocacy", "Advocacy article"
        UN_DOCUMENT = "un_document", "UN document"
        STATEMENT = "statement", "Official statement or speech"
        LAW = "law", "Law or legal text"
        DATASET = "dataset", "Data set or export (an imported file)"
        OTHER = "other", "Other"

    external_id = models.CharField(
        max_length=200,
        unique=True,
        help_text="Stable identifier from outside the tracker (for seed documents, the file name).",
    )
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=300, blank=True)
    document_type = models.CharField(max_length=20, choices=DocumentType.choices, default=DocumentType.REPORT)
    url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=10, default="en", help_text="Language code, e.g. en, ru, kk.")
    text = models.TextField(help_text="The full text; quotes are checked against it.")
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    published_on_basis = models.CharField(max_length=8, choices=DateBasis.choices, default=DateBasis.STATED)
    date_note = models.TextField(blank=True, help_text="How the date is known, e.g. what it was inferred from.")
    text_sha256 = models.CharField(
        "SHA-256 of the text",
        max_length=64,
        unique=True,
        editable=False,
        help_text="The same text is never stored twice.",
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        editable=False,
        help_text="The earlier version of this document whose text this one corrects.",
    )
    correction_note = models.TextField(blank=True, help_text="What this version corrects in the one it replaces.")

    objects = SourceDocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-published_on", "external_id"]
        indexes = [
            # The list's order and its keyset pages: the public list walks it to its first visible rows
            # instead of checking every document's citations before sorting them.
            models.Index(
                sort_key("published_on", models.DateField(), nullable=True).desc(),
                models.F("external_id"),
                models.F("id"),
                name="document_keyset_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_precision_valid",
                condition=Q(published_on_precision__in=DatePrecision.values),
            ),
        ]

    # Meta's body cannot see the choices nested above it; their checks join it here, before
    # Django reads it.
    Meta.constraints += [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_document_type_valid", condition=Q(document_type__in=DocumentType.values)
        ),
    ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The hash is derived from the text; keeping it here means it can never go stale.
        self.text_sha256 = text_sha256(self.text)
        guard_cited_text(self)  # the last line of defence, for callers that skipped clean()
        super().save(*args, **kwargs)

    def clean(self):
        check_period_start(self.published_on, self.published_on_precision, "published_on")
        guard_cited_text(self)
        if self.text:
            duplicate = SourceDocument.objects.filter(text_sha256=text_sha256(self.text)).exclude(pk=self.pk).first()
            if duplicate is not None:
                raise ValidationError(
                    {"text": f"This exact text is already stored as document “{duplicate.external_id}”."}
                )

    @property
    def published_on_display(self):
        return format_partial_date(self.published_on, self.published_on_precision)

    def find_quote(self, quote, *, start=None, end=None):
        """Where ``quote`` occurs in the text (a ``quotes.Passage`` with offsets), or None."""
        return quotes.find_quote(self.text, quote, start=start, end=end)

    def contains_quote(self, quote):
        """Whether ``quote`` occurs in the text (see ``quotes`` for the differences allowed)."""
        return self.find_quote(quote) is not None

    def closest_passage(self, quote):
        """The passage most like a quote that does not occur (offsets and text), or None."""
        return quotes.closest_passage(self.text, quote)

    def missing_quote_message(self, quote):
        return quotes.missing_quote_message(document_label=self.external_id, text=self.text, quote=quote)

    def versions(self):
        """Every version of this document, oldest first (follows ``replaces`` both ways)."""
        oldest = self
        while oldest.replaces_id is not None:
            oldest = oldest.replaces
        chain = [oldest]
        while True:
            newer = SourceDocument.objects.filter(replaces=chain[-1]).first()
            if newer is None:
                return chain
            chain.append(newer)
