"""Re-checking the evidence trail of the whole database (``manage.py verify_evidence``).

The model and the services keep these rules on every write; this check finds what came in around
them — a restore from an old or edited backup, an UPDATE by hand, a bug — by reading the rows as
they are stored:

- each document's SHA-256 matches its text;
- each citation's quote occurs at its offsets in its document (the one matcher, ``quotes``);
- each published status update has at least one citation;
- each published promise whose deadline has passed has a current status.
"""

import dataclasses
import datetime
from collections.abc import Iterator

from django.db.models import Count

from .models import Citation, ImplementationStatus, Recommendation, SourceDocument, StatusUpdate, text_sha256
from .querysets import deadline_passed
from .quotes import quote_at


@dataclasses.dataclass(frozen=True)
class Problem:
    """One broken rule: which row (``row``, e.g. "citation 12") and what is wrong with it."""

    row: str
    message: str

    def __str__(self):
        return f"{self.row}: {self.message}"


@dataclasses.dataclass
class EvidenceCheck:
    """Counts of what was checked, and the problems found, in the order found."""

    documents: int = 0
    citations: int = 0
    published_status_updates: int = 0
    overdue_promises: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)

    @property
    def summary(self):
        found = len(self.problems)
        return (
            f"Checked {_count(self.documents, 'document')}, {_count(self.citations, 'citation')}, "
            f"{_count(self.published_status_updates, 'published status update')} and "
            f"{_count(self.overdue_promises, 'published promise')} past the deadline: "
            + ("no problems." if not found else f"{_count(found, 'problem')}.")
        )


def _count(number, noun):
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _cites(citation):
    if citation["status_update_id"]:
        return f"status update {citation['status_update_id']}"
    return f"recommendation {citation['recommendation_id']}"


def _document_problems(check: EvidenceCheck) -> Iterator[Problem]:
    """Documents one at a time (a text can be long), each with its citations."""
    documents = SourceDocument.objects.order_by("pk").values_list("pk", "external_id", "text_sha256")
    for pk, external_id, stored_hash in documents.iterator(chunk_size=100):
        check.documents += 1
        text = SourceDocument.objects.values_list("text", flat=True).get(pk=pk)
        label = f"document {pk} “{external_id}”"
        if text_sha256(text) != stored_hash:
            yield Problem(label, "its SHA-256 does not match its text: the text was changed outside the tracker.")
        citations = (
            Citation.objects.filter(document_id=pk)
            .order_by("pk")
            .values("pk", "quote", "quote_start", "quote_end", "status_update_id", "recommendation_id")
        )
        for citation in citations:
            check.citations += 1
            row = f"citation {citation['pk']} ({_cites(citation)})"
            start, end = citation["quote_start"], citation["quote_end"]
            if start is None or end is None:
                yield Problem(row, f"has no offsets in {label}: its quote was never located there.")
            elif not quote_at(text, citation["quote"], start, end):
                yield Problem(row, f"its quote is not at its offsets {start}–{end} in {label}.")


def evidence_check(*, today: datetime.date | None = None) -> EvidenceCheck:
    """Run every check over the database; ``today`` decides which deadlines have passed."""
    today = today or datetime.date.today()
    check = EvidenceCheck()
    check.problems.extend(_document_problems(check))

    published = StatusUpdate.objects.published().annotate(citation_total=Count("citations"))
    check.published_status_updates = published.count()
    for pk, recommendation_id in (
        published.filter(citation_total=0).order_by("pk").values_list("pk", "recommendation_id")
    ):
        check.problems.append(
            Problem(
                f"status update {pk} (recommendation {recommendation_id})",
                "is published without a citation: every published assessment needs evidence.",
            )
        )

    overdue = Recommendation.objects.public().filter(deadline_passed(today), kind=Recommendation.Kind.PROMISE)
    check.overdue_promises = overdue.count()
    for pk, title, due_on in overdue.filter(current_status="").order_by("pk").values_list("pk", "title", "due_on"):
        check.problems.append(
            Problem(
                f"recommendation {pk} “{title}”",
                f"is a published promise whose deadline ({due_on.isoformat()}) has passed, with no published "
                f"status: record what became of it (e.g. “{ImplementationStatus.NOT_STARTED.label}”, with evidence).",
            )
        )
    return check
