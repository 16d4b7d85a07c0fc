import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recommendations import services
from recommendations.models import (
    Citation,
    DateBasis,
    DatePrecision,
    ImplementationStatus,
    Recommendation,
    SourceDocument,
    format_partial_date,
    text_sha256,
)
from tests.factories import RecommendationFactory, SourceDocumentFactory, record_status

pytestmark = pytest.mark.django_db


class TestQuoteValidation:
    def test_accepts_quote_with_different_whitespace(self, document, recommendation):
        citation = Citation(
            document=document,
            recommendation=recommendation,
            quote="Observers said the reform had\nstalled.",
        )
        citation.full_clean()

    def test_refuses_quote_not_in_document(self, document, recommendation):
        citation = Citation(document=document, recommendation=recommendation, quote="The reform was completed.")
        with pytest.raises(ValidationError) as error:
            citation.full_clean()
        assert "does not occur in the document" in error.value.message_dict["quote"][0]
        assert document.external_id in error.value.message_dict["quote"][0]

    def test_the_model_and_the_service_refuse_a_quote_with_one_message(self, document, recommendation):
        quote = "The reform was completed."
        with pytest.raises(ValidationError) as by_model:
            Citation(document=document, recommendation=recommendation, quote=quote).full_clean()
        with pytest.raises(ValidationError) as by_service:
            services.citations_validate([services.CitationInput(document=document, quote=quote)])
        assert by_model.value.message_dict["quote"] == by_service.value.message_dict["citations"]
        assert by_model.value.message_dict["quote"] == [document.missing_quote_message(quote)]
        assert document.missing_quote_message(quote).startswith(
            f"This quote does not occur in the document “{document.external_id}”."
        )

    def test_refuses_quote_that_differs_in_more_than_whitespace(self, document, recommendation):
        citation = Citation(document=document, recommendation=recommendation, quote="observers said the reform")
        with pytest.raises(ValidationError):
            citation.full_clean()

    def test_refuses_whitespace_only_quote(self, document):
        assert not document.contains_quote("   \n ")

    def test_database_refuses_citation_of_nothing_or_of_two_things(self, document, recommendation):
        update = record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2020, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.create(document=document, quote="stalled")
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.create(
                document=document, quote="stalled", recommendation=recommendation, status_update=update
            )


class TestDocumentTextHash:
    def test_hash_is_computed_from_the_text(self, document):
        assert document.text_sha256 == text_sha256(document.text)
        document.text += " More."
        document.save()
        document.refresh_from_db()
        assert document.text_sha256 == text_sha256(document.text)

    def test_same_text_cannot_be_stored_twice(self, document):
        with pytest.raises(IntegrityError), transaction.atomic():
            SourceDocument.objects.create(external_id="other.txt", title="Copy", text=document.text)

    def test_clean_names_the_document_that_already_has_the_text(self, document):
        copy = SourceDocument(external_id="other.txt", title="Copy", text=document.text)
        with pytest.raises(ValidationError) as error:
            copy.full_clean()
        assert document.external_id in error.value.message_dict["text"][0]


class TestCurrentStatus:
    def test_latest_as_of_wins(self, recommendation):
        record_status(recommendation, ImplementationStatus.NOT_STARTED, datetime.date(2019, 1, 1))
        record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        recommendation.refresh_from_db()
        assert recommendation.current_status == ImplementationStatus.IN_PROGRESS
        assert recommendation.current_status_as_of == datetime.date(2020, 1, 1)

    def test_recording_an_older_assessment_later_does_not_change_it(self, recommendation):
        record_status(recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2024, 4, 1))
        record_status(recommendation, ImplementationStatus.NOT_STARTED, datetime.date(2022, 4, 11))
        recommendation.refresh_from_db()
        assert recommendation.current_status == ImplementationStatus.IMPLEMENTED
        assert recommendation.current_status_as_of == datetime.date(2024, 4, 1)
        assert recommendation.status_updates.count() == 2

    def test_on_the_same_date_the_last_recorded_wins(self, recommendation):
        record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2020, 1, 1))
        recommendation.refresh_from_db()
        assert recommendation.current_status == ImplementationStatus.STALLED

    def test_status_as_of_a_date_is_the_one_that_held_then(self, recommendation):
        record_status(recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2024, 4, 1))
        record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2022, 4, 11))
        annotated = Recommendation.objects.with_status_on(datetime.date(2023, 1, 1)).get(pk=recommendation.pk)
        assert annotated.effective_status == ImplementationStatus.IN_PROGRESS
        assert annotated.effective_status_as_of == datetime.date(2022, 4, 11)
        before = Recommendation.objects.with_status_on(datetime.date(2020, 1, 1)).get(pk=recommendation.pk)
        assert (before.effective_status, before.effective_status_as_of) == ("", None)


def overdue_on(on):
    return list(Recommendation.objects.overdue(on))


class TestOverdue:
    def make(self, status=None, due_on=datetime.date(2019, 12, 31)):
        recommendation = RecommendationFactory(due_on=due_on, due_on_precision=DatePrecision.YEAR)
        if status:
            record_status(recommendation, status, datetime.date(2019, 11, 1))
            recommendation.refresh_from_db()
        return recommendation

    def test_deadline_passed_without_implementation_is_overdue(self):
        recommendation = self.make(ImplementationStatus.IN_PROGRESS)
        assert recommendation.is_overdue()
        assert overdue_on(datetime.date(2020, 1, 1)) == [recommendation]
        assert overdue_on(datetime.date(2019, 12, 31)) == []  # the deadline day itself is not late
        assert list(Recommendation.objects.not_overdue(datetime.date(2019, 11, 7))) == [recommendation]

    def test_never_assessed_and_past_deadline_is_overdue(self):
        recommendation = self.make()
        assert recommendation.is_overdue()
        assert overdue_on(datetime.date(2021, 1, 1)) == [recommendation]

    def test_implemented_is_not_overdue(self):
        recommendation = self.make(ImplementationStatus.IMPLEMENTED)
        assert not recommendation.is_overdue()
        assert overdue_on(datetime.date(2021, 1, 1)) == []
        assert list(Recommendation.objects.not_overdue(datetime.date(2021, 1, 1))) == [recommendation]

    def test_on_a_past_date_the_status_that_held_then_counts(self):
        # Implemented only in 2021: on 1 January 2020 it was overdue, whatever it is now.
        recommendation = self.make(ImplementationStatus.IN_PROGRESS)
        record_status(recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2021, 3, 1))
        recommendation.refresh_from_db()
        assert not recommendation.is_overdue()
        assert overdue_on(datetime.date(2020, 1, 1)) == [recommendation]
        assert overdue_on(datetime.date(2021, 3, 2)) == []

    def test_without_deadline_is_never_overdue(self):
        recommendation = self.make(due_on=None)
        assert not recommendation.is_overdue()
        assert overdue_on(datetime.date(2030, 1, 1)) == []


class TestPartialDates:
    def test_renders_only_what_is_known(self):
        day = datetime.date(2019, 6, 12)
        assert format_partial_date(day, DatePrecision.DAY) == "12 June 2019"
        assert format_partial_date(day.replace(day=1), DatePrecision.MONTH) == "June 2019"
        assert format_partial_date(day.replace(month=1, day=1), DatePrecision.YEAR) == "2019"

    def test_month_precise_date_must_be_first_of_month(self, recommendation):
        recommendation.made_on, recommendation.made_on_precision = datetime.date(2019, 6, 12), DatePrecision.MONTH
        with pytest.raises(ValidationError) as error:
            recommendation.full_clean()
        assert "2019-06-01" in error.value.message_dict["made_on"][0]

    def test_year_precise_deadline_must_be_last_day_of_year(self, recommendation):
        recommendation.due_on, recommendation.due_on_precision = datetime.date(2019, 1, 1), DatePrecision.YEAR
        with pytest.raises(ValidationError) as error:
            recommendation.full_clean()
        assert "2019-12-31" in error.value.message_dict["due_on"][0]
        recommendation.due_on = datetime.date(2019, 12, 31)
        recommendation.full_clean()

    def test_deadline_cannot_precede_the_date_made(self, recommendation):
        recommendation.due_on = datetime.date(2018, 1, 1)
        with pytest.raises(ValidationError) as error:
            recommendation.full_clean()
        assert "before the date it was made" in error.value.message_dict["due_on"][0]


class TestDateBasis:
    def test_an_inferred_date_needs_a_note_saying_how(self, recommendation):
        recommendation.made_on_basis = DateBasis.INFERRED
        with pytest.raises(ValidationError) as error:
            recommendation.full_clean()
        assert "inferred from" in error.value.message_dict["date_note"][0]
        recommendation.date_note = "The text says “last December”; the year is that of the article."
        recommendation.full_clean()

    def test_there_must_be_a_date_to_mark_inferred(self, recommendation):
        recommendation.due_on, recommendation.due_on_basis, recommendation.date_note = None, DateBasis.INFERRED, "x"
        with pytest.raises(ValidationError) as error:
            recommendation.full_clean()
        assert "no deadline" in error.value.message_dict["due_on_basis"][0]

    def test_an_inferred_as_of_date_needs_a_note(self, recommendation):
        update = record_status(recommendation, ImplementationStatus.NOT_IMPLEMENTED, datetime.date(2019, 11, 1))
        update.as_of_basis = DateBasis.INFERRED
        with pytest.raises(ValidationError) as error:
            update.full_clean()
        assert "as-of date" in error.value.message_dict["date_note"][0]

    def test_database_refuses_an_unknown_basis(self, recommendation):
        with pytest.raises(IntegrityError), transaction.atomic():
            Recommendation.objects.filter(pk=recommendation.pk).update(made_on_basis="guessed")


def test_database_refuses_an_unknown_status(recommendation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.filter(pk=recommendation.pk).update(current_status="bogus")


def test_str_of_citation_shows_quote_and_document():
    document = SourceDocumentFactory(external_id="x.txt")
    citation = Citation(document=document, quote="Observers   said\nthe reform")
    assert str(citation) == "“Observers said the reform” (x.txt)"
