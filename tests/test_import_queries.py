"""The import's queries do not grow with its rows (issue 12's speed target): importing 2N rows
takes as many queries as N rows — a first import, an unchanged re-import and a re-import that
changes every row — in each kind of file. Per-row lookups or writes would show as N more queries.
(Batches: writes go 1,000 rows a call, reads 5,000 a query, so N and 2N here share one batch.)"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.importers import import_file
from recommendations.models import Recommendation, StatusUpdate
from tests import docx_samples
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db

STATES = ["Norway", "Brazil", "St Lucia", "Republic of Moldova", "Ghana", "Chile"]
ISSUES = ["Women's rights", "Justice", "Torture", "Migrants"]
N = 8


def upr_info_csv(first: int, count: int, response: str = "Supported") -> bytes:
    """``count`` rows of a UPR Info export, numbered from ``first``: every state and issue recurs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["SuR", "Rgrp", "Org", "Recommendation", "RS", "Rgrp", "Org", "Response", "Action", "Issue", "Session"]
    )
    for number in range(first, first + count):
        under_review, recommending = STATES[number % 3], STATES[3 + number % 3]
        issues = ", ".join(ISSUES[: 1 + number % 4])
        pledge = number % 5 == 0
        writer.writerow(
            [under_review, "", "", f"Adopt measure number {number} against discrimination",
             under_review if pledge else recommending, "", "", "Voluntary Pledge" if pledge else response,
             str(1 + number % 5), issues, str(20 + number % 3)]
        )  # fmt: skip
    return buffer.getvalue().encode()


def thematic_list(first: int, count: int, position: str = "Supported") -> bytes:
    """``count`` rows of an OHCHR thematic list (earlier layout, with assessments, groups of persons
    and SDGs; the odd rows made by two states jointly), numbered from ``first``."""
    rows = [("Theme: A41 Constitutional and legislative framework",)]
    for number in range(first, first + count):
        makers = "(Norway) (Chile)" if number % 2 else "(Brazil)"
        rows.append(
            (
                f"120.{number} Adopt measure number {number} against discrimination {makers};\n"
                "Source of position: A/HRC/28/7/Add.1",
                position,
                "- Women's rights\n- Justice\nAffected persons: Women & girls, Children\nSDGs: 5, 16",
                "Partially implemented: a law was adopted." if number % 3 else "",
            )
        )
    return docx_samples.thematic_list(
        heading="UPR of Slovenia (2nd Cycle – 20th session)", columns=docx_samples.EARLIER_COLUMNS, rows=rows
    )


def queries(content: bytes, **arguments) -> int:
    with CaptureQueriesContext(connection) as captured:
        import_file(content=content, file_name="file", **arguments)
    return len(captured)


@pytest.fixture
def assessor():
    return {"assessed_by": ActorFactory(kind="ngo").slug, "assessed_on": datetime.date(2025, 3, 1)}


@pytest.mark.parametrize("make", [upr_info_csv, thematic_list], ids=["upr-info-csv", "ohchr-docx"])
def test_queries_do_not_grow_with_the_rows(make, assessor):
    import_file(content=make(1000, N), file_name="first", **assessor)  # the states and themes exist from now on
    small, large = make(0, N), make(100, 2 * N)
    first = (queries(small, **assessor), queries(large, **assessor))
    again = (queries(small, **assessor), queries(large, **assessor))
    changed = make(0, N, "Noted"), make(100, 2 * N, "Noted")
    updated = (queries(changed[0], **assessor), queries(changed[1], **assessor))
    assert first[0] == first[1], f"first import: {first[0]} queries for {N} rows, {first[1]} for {2 * N}"
    assert again[0] == again[1], f"unchanged re-import: {again[0]} queries for {N} rows, {again[1]} for {2 * N}"
    assert updated[0] == updated[1], f"changed re-import: {updated[0]} queries for {N} rows, {updated[1]} for {2 * N}"
    assert again[1] <= 16  # an unchanged file: read (the vocabularies, the rows, their links), nothing written
    # The imports did what they say (not an empty import counted).
    assert Recommendation.objects.filter(text__contains="measure number 113").get().state_response == "noted"
    if make is thematic_list:
        assert StatusUpdate.objects.filter(recommendation__text__contains="measure number 101").count() == 1


class TestStatusUpdatesInBulk:
    """``bulk.status_updates_bulk_record``, which records a file's assessments: the rules of
    ``services.status_update_record`` for drafts, all or nothing."""

    def update(self, recommendation, document, quote, **fields):
        from recommendations import bulk, services

        citations = [services.CitationInput(document=document, quote=quote, location="p. 1")] if quote else []
        return bulk.NewStatusUpdate(
            recommendation=recommendation,
            status="partially_implemented",
            as_of=datetime.date(2025, 3, 1),
            summary="Partly done.",
            citations=citations,
            label=f"Row {fields.pop('row', 2)}",
            **fields,
        )

    def test_records_drafts_with_their_citations_and_history(self, recommendation, document):
        from recommendations import bulk

        quote = document.text.split("\n")[0][:40]
        [recorded] = bulk.status_updates_bulk_record(updates=[self.update(recommendation, document, quote)])
        assert recorded.review_state == "draft" and recorded.citations.get().quote == quote
        assert recorded.history.count() == 1 and recorded.citations.get().history.count() == 1
        recommendation.refresh_from_db()
        assert recommendation.current_status != "partially_implemented"  # a draft changes no current status

    @pytest.mark.parametrize(
        ("quote", "message"), [("", "at least one citation"), ("Words the document never says.", "p. 1")]
    )
    def test_a_bad_update_refuses_them_all(self, recommendation, document, quote, message):
        from django.core.exceptions import ValidationError

        from recommendations import bulk

        good = self.update(recommendation, document, document.text.split("\n")[0][:40])
        with pytest.raises(ValidationError, match=message):
            bulk.status_updates_bulk_record(updates=[good, self.update(recommendation, document, quote, row=3)])
        assert not StatusUpdate.objects.exists()
