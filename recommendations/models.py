"""The tracker's data: source documents, the actors and recommendations they record, and the
dated, cited history of how each recommendation is being implemented.

Rules that involve more than one row (recording a status update, keeping a recommendation's
current status in step with its history) live in ``services.py``; this module holds the
fields, the database constraints and the single-row checks in ``clean()``.
"""

import calendar
import hashlib
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from . import quotes
from .keyset import made_on_key
from .permissions import RECOMMENDATION_PERMISSIONS, STATUS_UPDATE_PERMISSIONS
from .querysets import (
    ActorQuerySet,
    AffectedGroupQuerySet,
    ClusterQuerySet,
    LegalProvisionQuerySet,
    RecommendationQuerySet,
    SourceDocumentQuerySet,
    StatusUpdateQuerySet,
    SustainableDevelopmentGoalQuerySet,
    ThemeQuerySet,
)

# A language code as BCP 47 writes it (en, ru, kk, pt-BR); the search's configuration follows its first part.
LANGUAGE_CODE = RegexValidator(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z", "Give a language code such as en, ru or kk.")


class DatePrecision(models.TextChoices):
    """How much of a date is known. The stored date is the first day of the known period
    (2019-11-01 for "November 2019"), except deadlines, which store the period's last day."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class DateBasis(models.TextChoices):
    """Whether a source states a date or we inferred it from what the text says."""

    STATED = "stated", "Stated in the source"
    INFERRED = "inferred", "Inferred from the text"


class ImplementationStatus(models.TextChoices):
    """One status vocabulary for recommendations and promises alike.
    docs/status-vocabulary.md maps it to UPR Info's categories and to promise-tracker ratings."""

    NOT_STARTED = "not_started", "Not started"
    # An assessor's coarse verdict ("not fulfilled", UPR Info's "not implemented") says nothing
    # about whether work has begun; recording it as "not started" would claim more than it says.
    NOT_IMPLEMENTED = "not_implemented", "Not implemented"
    IN_PROGRESS = "in_progress", "In progress"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"
    STALLED = "stalled", "Stalled"
    REGRESSED = "regressed", "Regressed"


def format_partial_date(value, precision):
    """Render a date only as precisely as it is known: "12 June 2019", "June 2019", "2019"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def period_start(value, precision):
    """The first day of the period a partial date names."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def period_end(value, precision):
    """The last day of the period a partial date names."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def check_date_basis(value, basis, note, field, label):
    """An inferred date needs a date, and a note saying what it was inferred from."""
    if basis != DateBasis.INFERRED:
        return
    if value is None:
        raise ValidationError({f"{field}_basis": f"There is no {label} to mark as inferred."})
    if not note.strip():
        raise ValidationError({"date_note": f"Say what the inferred {label} was inferred from, and why."})


def check_period_start(value, precision, field):
    """A month- or year-precise date must be stored as the first day of its period."""
    if value is not None and precision and value != period_start(value, precision):
        raise ValidationError(
            {
                field: f"A date known to the {precision} must be stored as the first day of that {precision} "
                f"({period_start(value, precision).isoformat()})."
            }
        )


_WHITESPACE = re.compile(r"\s+")


def normalize_whitespace(text):
    """Collapse every run of whitespace (spaces, tabs, line breaks, NBSP) to one space."""
    return _WHITESPACE.sub(" ", text).strip()


def text_sha256(text):
    """The SHA-256 hex digest of a document's text, as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The largest id a database stores (a signed 64-bit integer): SQLite raises OverflowError, a 500,
# on a larger one, so the API's id parameters and fields refuse it first.
MAX_ID = 2**63 - 1

# What one write may carry (the API refuses more with a 400; see docs/api.md): real status updates
# cite a few quotes, and the longest curated texts are a few hundred characters.
MAX_CITATIONS_PER_STATUS_UPDATE = 20
MAX_QUOTE_LENGTH = 2_000
MAX_SUMMARY_LENGTH = 10_000
MAX_NOTE_LENGTH = 5_000
MAX_RECOMMENDATION_TEXT_LENGTH = 20_000


class TimestampedModel(models.Model):
    """Adds when a row was created and last changed (the API's ``updated_after`` feed reads it)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False, db_index=True)

    class Meta:
        abstract = True


class ReviewState(models.TextChoices):
    """New recommendations and status updates are drafts until a reviewer publishes them;
    the public API shows only what is published."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ReviewedModel(TimestampedModel):
    """Adds review before publication and a version number for optimistic locking.

    ``version`` goes up by one on every change made through the services, which refuse a change
    based on an older version (see ``services._claim_version``): two people editing the same row
    cannot silently overwrite each other.
    """

    review_state = models.CharField(
        max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    self_reviewed = models.BooleanField(
        default=False,
        editable=False,
        help_text="Published by the person who wrote it (allowed only with ALLOW_SELF_REVIEW).",
    )
    sent_back_note = models.TextField(
        blank=True, editable=False, help_text="Why a reviewer sent it back to the editor (cleared when published)."
    )
    sent_back_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.review_state == ReviewState.PUBLISHED


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


class Actor(TimestampedModel):
    """Who recommends, promises or is addressed: a UN body, an intergovernmental organisation,
    a state or its envoy, an NGO, a national authority or a head of state."""

    class Kind(models.TextChoices):
        """What kind of body an actor is; a foreign government is a STATE whose country differs."""

        UN_MECHANISM = "un_mechanism", "UN mechanism (e.g. the UPR, a special rapporteur)"
        TREATY_BODY = "treaty_body", "UN treaty body"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation (e.g. OSCE/ODIHR)"
        STATE = "state", "State (its government)"
        ENVOY = "envoy", "Envoy or official of a state"
        NGO = "ngo", "Non-governmental organisation"
        NATIONAL_AUTHORITY = "national_authority", "National authority"
        HEAD_OF_STATE = "head_of_state", "Head of state"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = CountryField(blank=True, help_text="The country the actor belongs to or represents, if any.")
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The organisation or state this actor belongs to or speaks for (an envoy's government).",
    )
    description = models.TextField(blank=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints = [
        models.CheckConstraint(name="%(app_label)s_%(class)s_kind_valid", condition=Q(kind__in=Kind.values))
    ]

    def __str__(self):
        return self.name


class Theme(TimestampedModel):
    """A subject in the curated taxonomy (freedom of assembly, torture, …); themes may nest."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    description = models.TextField(blank=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SourceTheme(TimestampedModel):
    """A theme as another vocabulary names it (an issue in UPR Info's ``Issue`` column, a theme of
    OHCHR's Universal Human Rights Index), mapped onto curated themes. Imported rows keep these
    names (``Recommendation.source_themes``) and get the curated themes they map to, so that one
    theme filter counts curated and imported rows alike (``theme_mapping``; docs/curation.md).

    ``applied_themes`` are the themes last given to the rows that carry this name: re-mapping
    removes from those rows what the mapping no longer gives, and adds what it now gives."""

    class Vocabulary(models.TextChoices):
        """Whose list of themes a name comes from."""

        UPR_INFO = "upr_info", "UPR Info issue"
        UHRI = "uhri", "OHCHR theme (UHRI)"

    vocabulary = models.CharField(max_length=10, choices=Vocabulary.choices)
    name = models.CharField(max_length=300, help_text="As the source writes it, e.g. “Freedom of the press”.")
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="source_themes",
        help_text="The curated themes rows with this name get; none: unmapped (reported by imports).",
    )
    applied_themes = models.ManyToManyField(Theme, blank=True, related_name="+", editable=False)

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["vocabulary", "name"]
        verbose_name = "source theme"
        constraints = [
            models.UniqueConstraint(
                "vocabulary", models.functions.Lower("name"), name="%(app_label)s_%(class)s_unique_name"
            ),
        ]

    Meta.constraints += [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_vocabulary_valid", condition=Q(vocabulary__in=Vocabulary.values)
        )
    ]

    def __str__(self):
        return f"{self.name} ({self.get_vocabulary_display()})"


class SustainableDevelopmentGoal(TimestampedModel):
    """One of the UN's 17 Sustainable Development Goals, which OHCHR links each UPR recommendation to
    ("16 - PEACE, JUSTICE AND STRONG INSTITUTIONS"). The 17 rows ship with the tracker."""

    NUMBERS = range(1, 18)

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)])
    name = models.CharField(max_length=100, unique=True, help_text="e.g. Peace, justice and strong institutions.")

    objects = SustainableDevelopmentGoalQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "sustainable development goal"
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_number_1_to_17", condition=Q(number__gte=1, number__lte=17)
            )
        ]

    def __str__(self):
        return f"SDG {self.number}: {self.name}"


class AffectedGroup(TimestampedModel):
    """A group of persons a recommendation concerns (women and girls, children, human rights
    defenders, …), from the vocabulary of OHCHR's Universal Human Rights Index."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    objects = AffectedGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LegalProvision(TimestampedModel):
    """An article of a legal instrument that a recommendation asks to change or respect,
    e.g. Kazakhstan's Criminal Code art. 174 or the Constitution art. 32."""

    slug = models.SlugField(max_length=120, unique=True)
    country = CountryField(blank=True, help_text="Whose law it is; blank for international instruments.")
    instrument = models.CharField(max_length=300, help_text="e.g. Criminal Code, Constitution, ICCPR.")
    article = models.CharField(max_length=50, blank=True, help_text="e.g. 174; blank for the whole instrument.")
    title = models.CharField(max_length=500, blank=True, help_text="What the provision is about.")

    objects = LegalProvisionQuerySet.as_manager()

    class Meta:
        ordering = ["country", "instrument", "article"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "instrument", "article"], name="%(app_label)s_%(class)s_unique_article"
            ),
        ]

    def __str__(self):
        return self.label_of(self.instrument, self.article, self.country.code)

    @staticmethod
    def label_of(instrument, article, country_code):
        """The one label of a provision, "Criminal Code art. 174 (KZ)" (the admin, the API and the
        stats' groups), from its values; ``country_code`` is "" for an international instrument."""
        label = f"{instrument} art. {article}" if article else instrument
        return f"{label} ({country_code})" if country_code else label


class Cluster(TimestampedModel):
    """Recommendations that make the same ask — across UPR cycles and across recommending bodies —
    grouped by a curator, so that they can be followed (and assessed) together."""

    name = models.CharField(max_length=200, unique=True, help_text="The ask in a few words.")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Recommendation(ReviewedModel):
    """Something a state is asked to do (a recommendation) or pledges to do (a promise)."""

    class Kind(models.TextChoices):
        """A recommendation asks the state to act; a promise is the state or its leader pledging to."""

        RECOMMENDATION = "recommendation", "Recommendation (someone asks the state)"
        PROMISE = "promise", "Promise (the state or its leader pledges)"

    class Mechanism(models.TextChoices):
        """The process through which a recommendation or promise was made."""

        UPR = "upr", "UN Universal Periodic Review"
        TREATY_BODY = "treaty_body", "UN treaty body"
        SPECIAL_PROCEDURES = "special_procedures", "UN special procedures"
        OSCE = "osce", "OSCE / ODIHR"
        BILATERAL = "bilateral", "Bilateral (a foreign government)"
        NGO = "ngo", "NGO appeal or report"
        NATIONAL = "national", "National pledge (speech, programme, plan)"
        OTHER = "other", "Other"

    class StateResponse(models.TextChoices):
        """The state's formal answer, where the mechanism asks for one (UPR: supported or noted)."""

        SUPPORTED = "supported", "Supported"
        NOTED = "noted", "Noted"
        PARTIALLY_SUPPORTED = "partially_supported", "Partially supported"
        REJECTED = "rejected", "Rejected"

    external_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="Stable identifier from where the item came from (a seed key, an import's row key); unique if set.",
    )
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.RECOMMENDATION)
    title = models.CharField(max_length=300, help_text="A short title a dashboard can show in a table.")
    text = models.TextField(help_text="The full text of the recommendation or promise.")
    made_by = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="recommendations_made")
    addressed_to = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="recommendations_received",
        help_text="The state (or its authority) expected to act; for a promise, who made it answerable.",
    )
    mechanism = models.CharField(max_length=20, choices=Mechanism.choices, default=Mechanism.OTHER)
    context = models.CharField(
        max_length=300, blank=True, help_text="The occasion, e.g. “UPR 3rd cycle”, “inaugural address”."
    )
    upr_session = models.PositiveSmallIntegerField("UPR session", null=True, blank=True)
    upr_cycle = models.PositiveSmallIntegerField("UPR cycle", null=True, blank=True)
    upr_action_category = models.PositiveSmallIntegerField(
        "UPR Info action category",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (minimal action) to 5 (specific action), as UPR Info classifies it.",
    )
    made_on = models.DateField(null=True, blank=True)
    made_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    made_on_basis = models.CharField(max_length=8, choices=DateBasis.choices, default=DateBasis.STATED)
    due_on = models.DateField(
        null=True, blank=True, help_text="Deadline: the last day by which it should be carried out."
    )
    due_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    due_on_basis = models.CharField(max_length=8, choices=DateBasis.choices, default=DateBasis.STATED)
    date_note = models.TextField(
        blank=True, help_text="How the dates are known: for an inferred date, what it was inferred from."
    )
    state_response = models.CharField(
        max_length=20, choices=StateResponse.choices, blank=True, help_text="e.g. the state's UPR response."
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    legal_provisions = models.ManyToManyField(LegalProvision, blank=True, related_name="recommendations")
    # A recommendation several states made together (OHCHR lists "… (Maldives) (Portugal)"): the
    # first named is made_by, the others are here; filters by maker match both.
    also_made_by = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="recommendations_also_made",
        help_text="Other actors that made the same recommendation jointly (the first named is “made by”).",
    )
    sdgs = models.ManyToManyField(
        SustainableDevelopmentGoal, blank=True, related_name="recommendations", verbose_name="SDGs"
    )
    affected_groups = models.ManyToManyField(AffectedGroup, blank=True, related_name="recommendations")
    # The themes an imported file named (UPR Info's issues), kept by name; the curated themes they
    # map to are in ``themes`` (theme_mapping.themes_remap applies a changed mapping).
    source_themes = models.ManyToManyField(
        SourceTheme,
        blank=True,
        related_name="recommendations",
        verbose_name="source issues",
        help_text="Themes as the imported file names them (UPR Info's issues); mapped onto the curated themes.",
    )
    related = models.ManyToManyField(
        "self", through="RecommendationLink", symmetrical=False, blank=True, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        editable=False,
        help_text="The group of recommendations making the same ask (set from the cluster's page or the list).",
    )
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="Language of the title and text (en, ru, kk, …); the search stems English and Russian words.",
        validators=[LANGUAGE_CODE],
    )
    # PostgreSQL only (SQLite's FTS5 table keeps its own copies): the names around the row (actors,
    # themes, legal provisions) and the weighted full-text vector of everything searched, written
    # by the database's triggers on every write (search_schema.py), never by Python.
    search_related = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Denormalised from the status history by services.recommendation_refresh_current_status so
    # that lists, filters and counts over many rows need no subquery.
    current_status = models.CharField(max_length=25, choices=ImplementationStatus.choices, blank=True, editable=False)
    current_status_as_of = models.DateField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Archived recommendations are kept but no longer shown."
    )
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations_created",
        editable=False,
        help_text="The editor who added it (None for imports and seed loads at the command line).",
    )

    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[themes, legal_provisions, sdgs, affected_groups, also_made_by, source_themes],
        # Grouping into clusters is curation around the row, not a change of what it says; the search
        # fields are derived.
        excluded_fields=[
            "current_status",
            "current_status_as_of",
            "updated_at",
            "cluster",
            "search_related",
            "search_vector",
        ],
    )

    class Meta:
        ordering = ["-made_on", "-id"]
        permissions = RECOMMENDATION_PERMISSIONS
        indexes = [
            models.Index(fields=["kind", "current_status"], name="rec_kind_status_idx"),
            models.Index(fields=["due_on"], name="rec_due_on_idx"),
            models.Index(fields=["made_on"], name="rec_made_on_idx"),
            # The lists' default order and its keyset pages (recommendations.keyset): newest first, no date last.
            models.Index(made_on_key().desc(), models.F("id").desc(), name="rec_made_on_keyset_idx"),
            models.Index(
                models.F("current_status"), made_on_key().desc(), models.F("id").desc(), name="rec_status_keyset_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="%(app_label)s_%(class)s_unique_external_id"
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_review_state_valid", condition=Q(review_state__in=ReviewState.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_current_status_valid",
                condition=Q(current_status="") | Q(current_status__in=ImplementationStatus.values),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_date_basis_valid",
                condition=Q(made_on_basis__in=DateBasis.values, due_on_basis__in=DateBasis.values),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_upr_action_category_range",
                condition=Q(upr_action_category__isnull=True)
                | Q(upr_action_category__gte=1, upr_action_category__lte=5),
            ),
        ]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints += [
        models.CheckConstraint(name="%(app_label)s_%(class)s_kind_valid", condition=Q(kind__in=Kind.values)),
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_state_response_valid",
            condition=Q(state_response="") | Q(state_response__in=StateResponse.values),
        ),
    ]

    def __str__(self):
        return self.title

    def clean(self):
        check_period_start(self.made_on, self.made_on_precision, "made_on")
        check_date_basis(self.made_on, self.made_on_basis, self.date_note, "made_on", "date it was made")
        check_date_basis(self.due_on, self.due_on_basis, self.date_note, "due_on", "deadline")
        if self.due_on is not None and self.due_on != period_end(self.due_on, self.due_on_precision):
            raise ValidationError(
                {
                    "due_on": f"A deadline known to the {self.due_on_precision} is stored as the last day of that "
                    f"{self.due_on_precision} ({period_end(self.due_on, self.due_on_precision).isoformat()})."
                }
            )
        if self.made_on and self.due_on and self.due_on < self.made_on:
            raise ValidationError({"due_on": "The deadline cannot be before the date it was made."})

    @property
    def made_on_display(self):
        return format_partial_date(self.made_on, self.made_on_precision)

    @property
    def due_on_display(self):
        return format_partial_date(self.due_on, self.due_on_precision)

    def is_overdue(self):
        """Overdue today, as stored (one query; lists read the ``effective_overdue`` annotation of
        ``with_status_on`` instead). The rule is ``querysets.overdue_q``; for another date, whose
        status may have differed, use ``Recommendation.objects.overdue(on)``."""
        return self.pk is not None and Recommendation.objects.filter(pk=self.pk).overdue().exists()


class RecommendationLink(TimestampedModel):
    """A typed link between two recommendations: a promise answering a recommendation, or the
    same ask repeated across years or by several actors."""

    class Relation(models.TextChoices):
        """How one recommendation relates to another."""

        ANSWERS = "answers", "answers (a promise responding to a recommendation)"
        REPEATS = "repeats", "repeats (the same ask made again)"
        SAME_AS = "same_as", "same as (the same ask by another actor)"
        FOLLOWS_UP = "follows_up", "follows up"

    from_recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="links_out")
    to_recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=12, choices=Relation.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["from_recommendation", "relation", "to_recommendation"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_recommendation", "to_recommendation", "relation"],
                name="%(app_label)s_%(class)s_unique_link",
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_not_self",
                condition=~Q(from_recommendation=models.F("to_recommendation")),
            ),
        ]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints += [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_relation_valid", condition=Q(relation__in=Relation.values)
        ),
    ]

    def __str__(self):
        return f"{self.from_recommendation} {self.relation} {self.to_recommendation}"


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


# The background jobs' record lives next to the jobs (recommendations/jobs/); it belongs to this app.
from .jobs.models import Job  # noqa: E402, F401
from .status_periods import StatusPeriod  # noqa: E402, F401
