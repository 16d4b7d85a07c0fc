"""Bulk assessment: one status update with one citation for many recommendations, through the
single status update's service (drafts, the quote checked), at once or as a background job, and
published at once by a reviewer."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from recommendations import services
from recommendations.jobs import runner
from recommendations.jobs.assessment import assessment_publish_queue, assessment_queue, assessment_record
from recommendations.jobs.models import Job
from recommendations.models import ImplementationStatus, Recommendation, ReviewState, StatusUpdate
from tests.factories import RecommendationFactory, SourceDocumentFactory, ThemeFactory
from tests.jobs_helpers import fresh, run_worker

CHANGELIST = reverse("admin:recommendations_recommendation_changelist")
FIELDS = {
    "status": ImplementationStatus.NOT_STARTED,
    "as_of": datetime.date(2024, 5, 1),
    "as_of_precision": "month",
    "as_of_basis": "stated",
    "date_note": "",
    "summary": "No bill has been drafted.",
    "assessor_kind": StatusUpdate.AssessorKind.STAFF,
    "assessed_by": None,
}


@pytest.fixture
def document(db):
    return SourceDocumentFactory()


@pytest.fixture
def assembly(db):
    theme = ThemeFactory(name="Freedom of assembly")
    rows = [RecommendationFactory(title=f"Assembly {n}") for n in range(5)]
    for row in rows:
        row.themes.add(theme)
    RecommendationFactory(title="Unrelated")
    return theme, rows


def citation(document, quote="the reform   had stalled"):
    return services.CitationInput(document=document, quote=quote)


class TestAtOnce:
    def test_records_a_draft_for_each_with_its_citation(self, assembly, document, make_staff):
        _, rows = assembly
        recorded = assessment_record(
            recommendations=rows, fields=FIELDS, citation=citation(document), user=make_staff("Editor")
        )
        assert len(recorded) == 5
        for update in recorded:
            assert update.review_state == ReviewState.DRAFT
            assert update.citations.get().quote == "the reform   had stalled"
        # Drafts do not count until published.
        assert not Recommendation.objects.exclude(current_status="").exists()

    def test_a_quote_not_in_the_document_is_refused_and_nothing_is_written(self, assembly, document, make_staff):
        _, rows = assembly
        with pytest.raises(ValidationError):
            assessment_record(
                recommendations=rows,
                fields=FIELDS,
                citation=citation(document, "words never said"),
                user=make_staff("Editor"),
            )
        assert not StatusUpdate.objects.exists()

    def test_a_viewer_may_not(self, assembly, document, make_staff):
        with pytest.raises(PermissionDenied):
            assessment_queue(
                ids=[r.pk for r in assembly[1]], fields=FIELDS, citation=citation(document), user=make_staff("Viewer")
            )
        assert not Job.objects.exists()

    def test_admin_action_for_a_filtered_selection(self, assembly, document, client_as):
        theme, rows = assembly
        client = client_as("Editor")
        url = f"{CHANGELIST}?themes__id__exact={theme.pk}"
        base = {"action": "assess", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [rows[0].pk]}
        form = client.post(url, base)
        assert form.status_code == 200 and "Record one status update for 5 recommendations" in form.content.decode()
        data = {
            **base,
            "apply_assessment": "yes",
            "status": FIELDS["status"],
            "as_of": "2024-05-01",
            "as_of_precision": "month",
            "as_of_basis": "stated",
            "summary": "No bill has been drafted.",
            "assessor_kind": "staff",
            "document": document.pk,
            "quote": "words never said",
        }
        refused = client.post(url, data)
        assert refused.status_code == 200 and refused.context["form"].errors["quote"]
        assert not StatusUpdate.objects.exists()
        done = client.post(url, {**data, "quote": "the reform had stalled"})
        assert done.status_code == 302
        assert set(StatusUpdate.objects.values_list("recommendation", flat=True)) == {r.pk for r in rows}


@pytest.mark.django_db(transaction=True)
class TestAsAJob:
    def test_worker_records_in_batches_and_a_reviewer_publishes_it_all(self, settings, assembly, document, make_staff):
        settings.JOBS_BATCH_SIZE, settings.JOBS_BATCH_SECONDS = 2, 600
        _, rows = assembly
        editor = make_staff("Editor")
        job = assessment_queue(ids=[r.pk for r in rows], fields=FIELDS, citation=citation(document), user=editor)
        assert job.description.startswith("“")
        run_worker()
        job = fresh(job)
        assert (job.state, job.done, job.changed) == (Job.State.SUCCEEDED, 5, 5)
        assert sorted(job.changed_ids) == sorted(StatusUpdate.objects.values_list("pk", flat=True))
        assert set(StatusUpdate.objects.values_list("recorded_by", flat=True)) == {editor.pk}
        with pytest.raises(PermissionDenied):
            assessment_publish_queue(job=job, user=editor)  # editors do not publish
        publish = assessment_publish_queue(job=job, user=make_staff("Reviewer"))
        run_worker()
        assert (fresh(publish).state, fresh(publish).changed) == (Job.State.SUCCEEDED, 5)
        assert set(
            Recommendation.objects.filter(pk__in=[r.pk for r in rows]).values_list("current_status", flat=True)
        ) == {FIELDS["status"]}

    def test_failure_half_way_keeps_whole_batches_and_a_rerun_records_the_rest_once(
        self, settings, assembly, document, make_staff, monkeypatch
    ):
        settings.JOBS_BATCH_SIZE, settings.JOBS_BATCH_SECONDS = 2, 600
        _, rows = assembly
        editor = make_staff("Editor")
        job = assessment_queue(ids=[r.pk for r in rows], fields=FIELDS, citation=citation(document), user=editor)

        def fail(job, index):
            if index == 3:
                raise RuntimeError("power cut")

        monkeypatch.setattr(runner, "after_row", fail)
        run_worker()
        assert (fresh(job).state, StatusUpdate.objects.count()) == (Job.State.FAILED, 2)
        monkeypatch.setattr(runner, "after_row", lambda job, index: None)
        runner.job_requeue(job=job, user=editor)
        run_worker()
        assert fresh(job).state == Job.State.SUCCEEDED
        # One status update per recommendation: none twice, none missing.
        assert sorted(StatusUpdate.objects.values_list("recommendation", flat=True)) == sorted(r.pk for r in rows)
