"""``manage.py verify_evidence`` passes on the seeds and names the row of every problem."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from recommendations.models import Citation, Recommendation, SourceDocument, StatusUpdate

pytestmark = pytest.mark.django_db


def verify():
    """The command's output lines and, on failure, its summary."""
    out = StringIO()
    try:
        call_command("verify_evidence", stdout=out)
    except CommandError as error:
        return out.getvalue().splitlines(), str(error)
    return out.getvalue().splitlines(), None


def test_passes_on_the_seed_data(seeded):
    lines, failure = verify()
    assert failure is None
    promises = Recommendation.objects.public().filter(kind="promise", due_on__lt=datetime.date.today()).count()
    assert promises >= 1  # the check for a status on overdue promises has something to check
    assert lines == [
        f"Checked {SourceDocument.objects.count()} documents, {Citation.objects.count()} citations, "
        f"{StatusUpdate.objects.published().count()} published status updates and "
        f"{promises} published promise{'s' if promises != 1 else ''} past the deadline: no problems."
    ]
    assert Citation.objects.filter(quote_start__isnull=True).count() == 0


def test_text_changed_by_raw_sql_is_reported(seeded):
    document = SourceDocument.objects.get(external_id="004_45efe7da10c5e347.txt")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recommendations_sourcedocument SET text = %s WHERE id = %s", ["Nothing left.", document.pk]
        )
    lines, failure = verify()
    assert failure is not None and "problems." in failure
    assert f"document {document.pk} “004_45efe7da10c5e347.txt”: its SHA-256 does not match its text" in lines[0]
    # Every citation of it is reported too, by its id.
    citations = list(document.citations.order_by("pk"))
    assert len(lines) == 1 + len(citations)
    for line, citation in zip(lines[1:], citations, strict=True):
        assert line.startswith(f"citation {citation.pk} (")
        assert "is not at its offsets" in line


def test_shifted_offset_is_reported(seeded):
    citation = Citation.objects.filter(status_update__isnull=False).order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(
        quote_start=citation.quote_start + 1, quote_end=citation.quote_end + 1
    )
    lines, failure = verify()
    assert lines == [
        f"citation {citation.pk} (status update {citation.status_update_id}): its quote is not at its offsets "
        f"{citation.quote_start + 1}–{citation.quote_end + 1} in document {citation.document_id} "
        f"“{citation.document.external_id}”."
    ]
    assert failure.endswith("1 problem.")


def test_citation_without_offsets_is_reported(seeded):
    citation = Citation.objects.order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(quote_start=None, quote_end=None)
    lines, failure = verify()
    assert len(lines) == 1 and lines[0].startswith(f"citation {citation.pk} (") and "has no offsets" in lines[0]
    assert failure is not None


def test_published_update_without_citation_is_reported(seeded):
    update = StatusUpdate.objects.published().order_by("pk").first()
    Citation.objects.filter(status_update=update).delete()
    lines, failure = verify()
    assert lines == [
        f"status update {update.pk} (recommendation {update.recommendation_id}): is published without a "
        "citation: every published assessment needs evidence."
    ]
    assert failure is not None


def test_overdue_promise_without_status_is_reported(seeded):
    promise = Recommendation.objects.public().filter(kind="promise", due_on__isnull=False).order_by("pk").first()
    StatusUpdate.objects.filter(recommendation=promise).delete()
    Recommendation.objects.filter(pk=promise.pk).update(current_status="", current_status_as_of=None)
    lines, failure = verify()
    assert len(lines) == 1
    assert lines[0].startswith(f"recommendation {promise.pk} “{promise.title}”: is a published promise whose deadline")
    assert failure is not None
