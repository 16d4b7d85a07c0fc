"""The admin's UPR import page (upload → preview → confirm) and the UPR filters on the changelist."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.importers import import_file
from recommendations.jobs.models import Job
from recommendations.models import Recommendation
from tests.jobs_helpers import run_queued_jobs

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "upr-sample-macroman.csv").read_bytes()
IMPORT_URL = reverse("admin:recommendations_recommendation_import_upr")
CHANGELIST_URL = reverse("admin:recommendations_recommendation_changelist")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def staff_client(client, username, *codenames):
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


@pytest.fixture
def importer(client):
    return staff_client(
        client, "importer", "view_recommendation", "add_recommendation", "change_recommendation", "view_job"
    )


def upload(client, content=SAMPLE, name="upr-sample-macroman.csv", encoding=""):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), "encoding": encoding})


def confirm(client, token, **data):
    """Confirm a preview (which queues the import as a job) and run the job, as a worker would."""
    response = client.post(IMPORT_URL, {"token": token, **data}, follow=True)
    run_queued_jobs()
    return response


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


class TestPermissions:
    def test_the_changelist_links_to_the_import_for_users_who_may_import(self, importer):
        assert IMPORT_URL in importer.get(CHANGELIST_URL).content.decode()

    @pytest.mark.parametrize(
        "codenames",
        [
            ("view_recommendation", "change_recommendation"),
            ("view_recommendation", "add_recommendation"),
        ],
    )
    def test_staff_without_both_add_and_change_permission_are_refused(self, client, codenames):
        client = staff_client(client, "curator", *codenames)
        assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()
        assert client.get(IMPORT_URL).status_code == 403
        assert upload(client).status_code == 403
        assert not Recommendation.objects.exists()

    def test_anonymous_users_are_sent_to_the_login_page(self, client):
        response = upload(client)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
        assert not Recommendation.objects.exists()


class TestUploadPreviewConfirm:
    def test_the_upload_page_shows_the_form(self, importer):
        response = importer.get(IMPORT_URL)
        assert response.status_code == 200
        assert 'type="file"' in response.content.decode()

    def test_an_upload_shows_a_preview_and_writes_nothing(self, importer, upload_dir):
        response = upload(importer)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Preview of upr-sample-macroman.csv" in page
        assert "6 rows read as <strong>upr-info</strong>, comma-separated text in mac-roman" in page
        assert "5 created, 0 updated, 0 unchanged, 1 duplicate row stored once" in page
        assert "<tr><td>Kazakhstan</td><td>3</td><td>0</td><td>0</td><td>1</td></tr>" in page
        assert "Row 6 repeats row 4 exactly (Kazakhstan)." in page
        assert "Consult the Guaraní communities before granting land concessions" in page
        assert 'value="Confirm import"' in page
        assert not Recommendation.objects.exists()
        assert len(list(upload_dir.iterdir())) == 1

    def test_confirming_the_preview_queues_the_import_as_a_job_that_imports_the_file(
        self, importer, upload_dir, settings
    ):
        token = upload(importer).context["pending"].token
        response = importer.post(IMPORT_URL, {"token": token}, follow=True)
        job = Job.objects.get()
        assert response.redirect_chain[-1][0] == reverse("admin:recommendations_job_change", args=[job.pk])
        assert "upr-sample-macroman.csv is queued as" in messages_of(response)[0]
        assert (job.kind, job.state, job.total, job.started_by.username) == ("import_upr", "queued", 6, "importer")
        assert not Recommendation.objects.exists()  # nothing is written in the request
        assert list(upload_dir.iterdir()) == []  # the waiting file went to the job
        assert job.input_file.read() == SAMPLE

        run_queued_jobs()
        job.refresh_from_db()
        assert job.state == Job.State.SUCCEEDED
        assert job.outcome == (
            "Imported upr-sample-macroman.csv (6 rows): 5 created, 0 updated, 0 unchanged, 1 duplicate row stored once."
        )
        assert (job.done, job.total, job.changed) == (6, 6, 5)
        assert sorted(job.changed_ids) == sorted(Recommendation.objects.values_list("pk", flat=True))
        assert Recommendation.objects.filter(mechanism="upr").count() == 5
        assert Recommendation.objects.filter(text__contains="Guaraní").exists()
        assert not job.input_file and not any(settings.JOBS_INPUT_DIR.rglob("*.upload"))  # imported: file removed

        page = importer.get(reverse("admin:recommendations_job_change", args=[job.pk])).content.decode()
        assert f"{CHANGELIST_URL}?job={job.pk}" in page and "The 5 rows it changed" in page
        listed = importer.get(CHANGELIST_URL, {"job": job.pk})
        assert listed.context["cl"].result_count == 5

    def test_a_preview_is_confirmed_only_once(self, importer):
        token = upload(importer).context["pending"].token
        confirm(importer, token)
        response = importer.post(IMPORT_URL, {"token": token}, follow=True)
        assert messages_of(response) == [
            "The uploaded file is no longer there (was it already imported?); upload it again."
        ]
        assert Recommendation.objects.count() == 5

    def test_a_file_already_imported_has_nothing_to_confirm(self, importer):
        import_file(content=SAMPLE)
        page = upload(importer).content.decode()
        assert "0 created, 0 updated, 5 unchanged" in page
        assert "there is nothing to import" in page and "Confirm import" not in page

    def test_the_preview_of_an_updated_file_shows_what_changes(self, importer):
        import_file(content=SAMPLE)
        response = upload(importer, SAMPLE.replace(b"Noted,5", b"Accepted,5"))
        page = response.content.decode()
        assert "0 created, 1 updated, 4 unchanged" in page
        assert "state_response: noted → supported" in page
        assert (
            Recommendation.objects.get(text__contains="peaceful assemblies").state_response
            == Recommendation.StateResponse.NOTED
        )
        confirm(importer, response.context["pending"].token)
        assert Recommendation.objects.get(text__contains="peaceful assemblies").state_response == "supported"

    def test_a_bad_file_shows_its_row_and_problem_on_the_form(self, importer, upload_dir):
        import_file(content=SAMPLE)
        before = list(Recommendation.objects.order_by("id").values())
        response = upload(importer, (DATA / "upr-sample-bad-response.csv").read_bytes(), name="bad.csv")
        assert response.status_code == 200
        assert response.context["form"].errors["file"] == [
            "bad.csv: Row 4, column Response: unknown response “Maybe” (expected Accepted, Noted or Voluntary Pledge). "
            "Nothing was imported."
        ]
        assert list(Recommendation.objects.order_by("id").values()) == before
        assert not upload_dir.exists() or list(upload_dir.iterdir()) == []

    def test_a_file_with_a_missing_column_shows_it_on_the_form(self, importer):
        response = upload(importer, (DATA / "upr-sample-missing-column.csv").read_bytes())
        assert "missing column Response" in response.context["form"].errors["file"][0]

    def test_an_unknown_encoding_is_a_form_error(self, importer):
        response = upload(importer, encoding="klingon")
        assert "not a text encoding" in response.context["form"].errors["encoding"][0]
        assert not Recommendation.objects.exists()

    def test_the_encoding_given_is_used_for_the_preview_and_the_import(self, importer):
        response = upload(importer, encoding="mac_roman")
        assert "in mac-roman\n    (as given)" in response.content.decode()
        confirm(importer, response.context["pending"].token)
        assert Recommendation.objects.filter(text__contains="Guaraní").exists()

    def test_a_file_changed_after_its_preview_is_refused(self, importer, upload_dir):
        token = upload(importer).context["pending"].token
        [stored] = upload_dir.iterdir()
        stored.write_bytes(SAMPLE.replace(b"Noted", b"Accepted"))
        response = importer.post(IMPORT_URL, {"token": token}, follow=True)
        assert messages_of(response) == ["The uploaded file changed after its preview; upload it again."]
        assert not Recommendation.objects.exists()

    def test_another_users_preview_cannot_be_confirmed(self, importer, client):
        token = upload(importer).context["pending"].token
        other = staff_client(client, "other", "add_recommendation", "change_recommendation")
        response = other.post(IMPORT_URL, {"token": token}, follow=True)
        assert messages_of(response) == ["This confirmation is not valid; upload the file again."]
        assert not Recommendation.objects.exists()

    def test_a_forged_token_is_refused(self, importer):
        response = importer.post(IMPORT_URL, {"token": "../../etc/passwd"}, follow=True)
        assert messages_of(response) == ["This confirmation is not valid; upload the file again."]


class TestChangelistFilters:
    @pytest.fixture
    def imported(self):
        import_file(content=SAMPLE)

    def result_titles(self, client, query):
        response = client.get(f"{CHANGELIST_URL}?{query}")
        assert response.status_code == 200
        return sorted(recommendation.title for recommendation in response.context["cl"].result_list)

    def test_filters_by_state_under_review(self, admin_client, imported):
        titles = self.result_titles(admin_client, "state_under_review=kazakhstan")
        assert titles == [
            "Amend the law on peaceful assemblies so that a notification suffices; "
            "release those detained for peaceful protest",
            "Protect children in residential care from violence, and let them report abuse safely",
            "Ratify the Optional Protocol to the Convention against Torture and open every detention site to visits",
        ]

    def test_lists_only_states_that_received_recommendations(self, admin_client, imported):
        response = admin_client.get(CHANGELIST_URL)
        [state_filter] = [spec for spec in response.context["cl"].filter_specs if spec.title == "state under review"]
        assert [name for _, name in state_filter.lookup_choices] == ["Bolivia", "DPR Korea", "Kazakhstan"]

    @pytest.mark.parametrize(
        ("query", "count"),
        [
            ("upr_cycle__exact=1", 2),
            ("upr_session__exact=20", 2),
            ("upr_action_category=5", 2),
            ("upr_action_category=3", 1),
        ],
    )
    def test_filters_by_upr_cycle_session_and_action_category(self, admin_client, imported, query, count):
        assert len(self.result_titles(admin_client, query)) == count

    def test_the_changelist_costs_the_same_queries_with_more_rows(self, admin_client):
        import_file(content=SAMPLE)
        with CaptureQueriesContext(connection) as few:
            admin_client.get(CHANGELIST_URL)
        rows = [f"State {n},,,Ask number {n},Germany,,,Accepted,4,Theme {n % 7},{n % 40 + 1}" for n in range(40)]
        header = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
        import_file(content=(header + "\n".join(rows)).encode())
        with CaptureQueriesContext(connection) as many:
            admin_client.get(CHANGELIST_URL)
        assert len(many) == len(few)


class TestReviewChoice:
    def test_a_reviewer_is_not_offered_to_publish_their_own_import(self, client_as):
        """Publishing rows one imports oneself is self-review (the publish rule of every write)."""
        preview = upload(client_as("Reviewer"))
        assert 'name="publish"' not in preview.content.decode()
        assert "drafts, for another reviewer to publish" in preview.content.decode()

    def test_a_reviewer_posting_the_checkbox_anyway_is_refused(self, client_as):
        client = client_as("Reviewer")
        preview = upload(client)
        response = client.post(IMPORT_URL, {"token": preview.context["pending"].token, "publish": "on"}, follow=True)
        assert any("another reviewer must confirm" in m for m in messages_of(response))
        assert not Recommendation.objects.exists()

    def test_with_self_review_allowed_a_reviewer_may_publish_and_the_rows_are_published(self, client_as, settings):
        settings.ALLOW_SELF_REVIEW = True
        client = client_as("Editor")
        assert 'name="publish"' not in upload(client).content.decode()
        client = client_as("Reviewer")
        preview = upload(client)
        assert 'name="publish"' in preview.content.decode()
        confirm(client, preview.context["pending"].token, publish="on")
        assert Recommendation.objects.public().count() == 5
        assert set(Recommendation.objects.values_list("self_reviewed", flat=True)) == {True}

    def test_an_editor_cannot_publish_by_posting_the_checkbox(self, client_as):
        client = client_as("Editor")
        preview = upload(client)
        response = client.post(IMPORT_URL, {"token": preview.context["pending"].token, "publish": "on"}, follow=True)
        assert any("Only a reviewer can publish" in m for m in messages_of(response))
        assert not Recommendation.objects.exists()


class TestFormats:
    def test_a_workbook_in_upr_infos_own_layout_is_previewed_with_its_warnings(self, importer):
        content = (Path(__file__).parent / "data" / "upr-info-sur.xls").read_bytes()
        page = upload(importer, content=content, name="export.xls").content.decode()
        assert "<strong>upr-info</strong>, an Excel workbook (.xls)" in page
        assert "Row 6 repeats row 5 except for its issues" in page
        assert "Row 7: “(Unknown)” names no state; the row was skipped." in page

    def test_the_format_and_state_under_review_chosen_are_used_for_the_import(self, importer):
        content = (Path(__file__).parent / "data" / "upr-info-sur.xlsx").read_bytes()
        preview = importer.post(
            IMPORT_URL,
            {"file": SimpleUploadedFile("export.xlsx", content), "format": "upr-info", "state_under_review": "KZ"},
        )
        assert preview.context["report"].totals.created == 3
        confirm(importer, preview.context["pending"].token)
        assert set(Recommendation.objects.values_list("addressed_to__country", flat=True)) == {"KZ"}

    def test_a_file_of_another_layout_shows_the_headers_found_and_the_layouts_known(self, importer):
        content = (Path(__file__).parent / "data" / "not-an-export.csv").read_bytes()
        response = upload(importer, content=content, name="list.csv")
        [error] = response.context["form"].errors["file"]
        assert error.startswith("list.csv: Row 1 (the header)") and "Found (comma-separated text in utf-8)" in error
        assert "SuR, Rgrp, Org, Recommendation" in error and not Recommendation.objects.exists()
