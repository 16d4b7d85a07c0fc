"""What several models share: the date vocabularies and their checks, the implementation status,
the review state, the limits of one write, and the abstract bases every model extends."""

import calendar
import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

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
