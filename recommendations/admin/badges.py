"""Labelled badges for the admin's lists and pages (django-unfold's ``@display(label=...)``): the
implementation status, overdue, the review state. Colours carry meaning once, here."""

from django.db.models import OuterRef, Subquery

from ..models import DatePrecision, ImplementationStatus, ReviewState, StatusUpdate, format_partial_date

STATUS_LABELS = {
    ImplementationStatus.IMPLEMENTED.label: "success",
    ImplementationStatus.PARTIALLY_IMPLEMENTED.label: "info",
    ImplementationStatus.IN_PROGRESS.label: "info",
    ImplementationStatus.NOT_STARTED.label: "warning",
    ImplementationStatus.NOT_IMPLEMENTED.label: "warning",
    ImplementationStatus.STALLED.label: "warning",
    ImplementationStatus.REGRESSED.label: "danger",
}
NOT_ASSESSED = "Not assessed"

OVERDUE = "Overdue"
NOT_OVERDUE = "Not overdue"
NO_DEADLINE = "No deadline"
# Overdue in red; "no deadline" neutral (no colour), not a failure.
OVERDUE_LABELS = {OVERDUE: "danger", NOT_OVERDUE: "success"}

ARCHIVED = "Archived"
REVIEW_LABELS = {
    ReviewState.PUBLISHED.label: "success",
    ReviewState.DRAFT.label: "warning",
    ARCHIVED: "",
}


def status_precision():
    """The precision of the date of the assessment that set a recommendation's current status (a
    subquery for ``annotate``), so that its date shows as "June 2019" when that is all it knows."""
    latest = StatusUpdate.objects.published().filter(
        recommendation=OuterRef("pk"), as_of=OuterRef("current_status_as_of"), status=OuterRef("current_status")
    )
    return Subquery(latest.latest_first().values("as_of_precision")[:1])


def status(current_status, as_of, precision=None):
    """(status label, "Stalled · February 2020"): the badge's colour key and its text."""
    if not current_status:
        return NOT_ASSESSED, NOT_ASSESSED
    label = ImplementationStatus(current_status).label
    if as_of is None:
        return label, label
    return label, f"{label} · {format_partial_date(as_of, precision or DatePrecision.DAY)}"


def overdue(recommendation):
    if recommendation.pk is None:
        return None
    if recommendation.due_on is None:
        return NO_DEADLINE
    # Rows of the admin's queryset carry the flag; a revert page's historical instance asks.
    flag = getattr(recommendation, "effective_overdue", None)
    if flag is None:
        flag = recommendation.is_overdue()
    return OVERDUE if flag else NOT_OVERDUE


def review(row):
    if getattr(row, "archived_at", None):
        return ARCHIVED
    return row.get_review_state_display()
