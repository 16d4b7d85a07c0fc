"""Spreadsheet export (CSV, XLSX) from the admin's lists and the API: the filtered rows, readable
columns, formula-like cells neutralised; large exports as a background job."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from recommendations import spreadsheets
from recommendations.admin.exports import SpreadsheetExportMixin
from recommendations.jobs.models import Job
from recommendations.models import DatePrecision, ImplementationStatus, Recommendation, ReviewState
from tests.factories import RecommendationFactory, SourceDocumentFactory, ThemeFactory, record_status
from tests.jobs_helpers import fresh, run_worker

EXPORT = reverse("admin:recommendations_recommendation_export")


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *rows = list(sheet.iter_rows())
    return [{h.value: cell for h, cell in zip(header, row, strict=True)} for row in rows]


@pytest.fixture
def rows(db):
    theme = ThemeFactory(name="Freedom of assembly")
    assembly = RecommendationFactory(
        title='=HYPERLINK("http://evil")', made_on_precision=DatePrecision.MONTH, current_status=""
    )
    assembly.themes.add(theme)
    document = SourceDocumentFactory(title="Observer report", external_id="observer.txt")
    record_status(assembly, ImplementationStatus.IN_PROGRESS, "2020-03-01", document=document)
    other = RecommendationFactory(title="Abolish the death penalty")
    draft = RecommendationFactory(title="A draft", review_state=ReviewState.DRAFT)
    return assembly, other, draft


class TestAdminExport:
    def test_csv_has_the_filtered_rows_with_readable_columns(self, rows, client_as):
        assembly, _, _ = rows
        theme = assembly.themes.get()
        response = client_as("Viewer").get(EXPORT, {"themes__id__exact": theme.pk, "format": "csv"})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="recommendations-')
        [row] = read_csv(response)
        assert row["Title"] == '\'=HYPERLINK("http://evil")'  # neutralised: shown as text, never run
        assert row["Made"] == "June 2019"
        assert row["Current status"] == "In progress"
        assert row["Status as of"] == "2020-03-01"
        assert row["Overdue"] == "no"
        assert row["Themes"] == "Freedom of assembly"
        assert row["Review"] == "published"
        assert row["Citations"] == ""  # the recommendation's own; the status update's are in its export

    def test_xlsx_cells_are_text_never_formulas(self, rows, client_as):
        response = client_as("Viewer").get(EXPORT, {"format": "xlsx", "q": "HYPERLINK"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        [row] = read_xlsx(response)
        assert row["Title"].value == '\'=HYPERLINK("http://evil")'
        assert row["Title"].data_type == "s"
        assert row["Made"].value == "June 2019"

    def test_status_update_export_has_the_citation_and_its_document(self, rows, client_as):
        response = client_as("Viewer").get(reverse("admin:recommendations_statusupdate_export"), {"format": "csv"})
        [row] = read_csv(response)
        assert row["Citations"] == "“the reform   had stalled” — Observer report (observer.txt)"
        assert row["As of"] == "1 March 2020"

    def test_every_admin_list_exports(self, rows, client_as):
        client = client_as("Administrator")
        exported = [
            model
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, SpreadsheetExportMixin)
        ]
        assert len(exported) >= 8
        for model in exported:
            for file_format in ("csv", "xlsx"):
                url = reverse(f"admin:recommendations_{model._meta.model_name}_export")
                response = client.get(url, {"format": file_format})
                assert response.status_code == 200, (model, file_format)
        listing = client.get(reverse("admin:recommendations_theme_changelist"))
        assert "Export XLSX" in listing.content.decode()

    def test_refused_without_view_permission_and_for_an_unknown_format(self, rows, client, django_user_model):
        client.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
        assert client.get(EXPORT, {"format": "csv"}).status_code == 403
        client.force_login(django_user_model.objects.create_superuser("root"))
        assert client.get(EXPORT, {"format": "pdf"}).status_code == 400
        assert client.get(EXPORT, {"format": "csv", "made_on__gte": "nonsense"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_a_job_whose_file_its_starter_downloads(rows, settings, tmp_path, make_staff, client):
    settings.EXPORT_INLINE_LIMIT = 2
    settings.EXPORT_DIR = tmp_path
    viewer = make_staff("Viewer")
    client.force_login(viewer)
    response = client.get(EXPORT, {"format": "xlsx", "o": "2"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/job/{job.pk}/change/")
    assert (job.kind, job.total, job.started_by) == (Job.Kind.EXPORT, 3, viewer)
    run_worker()
    job = fresh(job)
    assert (job.state, job.done) == (Job.State.SUCCEEDED, 3)
    assert not list(tmp_path.glob("*.part"))
    download = client.get(reverse("admin:recommendations_job_download", args=[job.pk]))
    assert download.status_code == 200
    exported = read_xlsx(download)
    assert len(exported) == 3 and exported[0]["Title"].data_type == "s"
    client.force_login(make_staff("Viewer", "another-viewer"))
    assert client.get(reverse("admin:recommendations_job_download", args=[job.pk])).status_code == 403


class TestApiExport:
    def test_public_export_has_only_published_rows(self, rows, api_client):
        response = api_client.get("/api/v1/recommendations/export/", {"format": "csv"})
        assert response.status_code == 200
        titles = {row["Title"] for row in read_csv(response)}
        assert titles == {'\'=HYPERLINK("http://evil")', "Abolish the death penalty"}

    def test_filtered_xlsx(self, rows, api_client):
        response = api_client.get("/api/v1/recommendations/export/", {"format": "xlsx", "q": "death"})
        assert response.status_code == 200
        [row] = read_xlsx(response)
        assert row["Title"].value == "Abolish the death penalty"

    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    def test_an_export_larger_than_a_chunk_has_every_visible_row_in_the_lists_order(
        self, rows, api_client, settings, monkeypatch, file_format, django_assert_max_num_queries
    ):
        """No size limit (an XLSX over EXPORT_INLINE_LIMIT too): the rows are read a chunk at a
        time, in the list's order, and only the rows the client may see (published, not archived)."""
        settings.EXPORT_INLINE_LIMIT = 1
        monkeypatch.setattr(spreadsheets, "CHUNK", 2)
        for number in range(5):
            RecommendationFactory(title=f"Public {number}", made_on=datetime.date(2015 + number, 1, 1))
            RecommendationFactory(title=f"Draft {number}", review_state=ReviewState.DRAFT)
        archived = RecommendationFactory(title="Archived")
        Recommendation.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
        expected = list(Recommendation.objects.public().order_by("-made_on", "-id").values_list("title", flat=True))
        with django_assert_max_num_queries(40):  # 1 for the ids, then a fixed few per chunk of 2
            response = api_client.get("/api/v1/recommendations/export/", {"format": file_format})
            assert response.status_code == 200 and response.streaming
            exported = read_csv(response) if file_format == "csv" else read_xlsx(response)
        titles = [row["Title"] if file_format == "csv" else row["Title"].value for row in exported]
        assert len(titles) == 7 == len(expected)
        assert titles == [f"'{title}" if title.startswith("=") else title for title in expected]
        assert not any(title.startswith(("Draft", "Archived", "A draft")) for title in titles)
        assert response["Content-Disposition"].startswith('attachment; filename="recommendations-')

    def test_staff_export_includes_drafts_but_not_archived_rows(self, rows, api_client, make_staff, monkeypatch):
        monkeypatch.setattr(spreadsheets, "CHUNK", 2)
        archived = RecommendationFactory(title="Archived")
        Recommendation.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
        api_client.force_authenticate(make_staff("Viewer"))
        response = api_client.get("/api/v1/recommendations/export/", {"format": "xlsx"})
        titles = {row["Title"].value for row in read_xlsx(response)}
        assert titles == {'\'=HYPERLINK("http://evil")', "Abolish the death penalty", "A draft"}

    def test_status_updates_export(self, rows, api_client):
        response = api_client.get("/api/v1/status-updates/export/", {"format": "csv"})
        assert response.status_code == 200
        [row] = read_csv(response)
        assert row["Status"] == "In progress"


def test_admin_export_of_the_reference_data_reads_as_the_list_shows_it(rows, client_as):
    """The unfold columns export as text: a two-line cell (title, then id) becomes one cell, and
    the lists that arrived with the theme (SDGs, affected groups) export too."""
    client = client_as("Administrator")
    response = client.get(reverse("admin:recommendations_sourcedocument_export"), {"format": "csv"})
    assert {row["Document"] for row in read_csv(response)} >= {"Observer report | observer.txt"}
    response = client.get(reverse("admin:recommendations_sustainabledevelopmentgoal_export"), {"format": "csv"})
    assert len(read_csv(response)) == 17
    listing = client.get(reverse("admin:recommendations_recommendation_changelist")).content.decode()
    assert "Export CSV" in listing and "Import recommendations" in listing


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["garbage", "json", "\U000c77a1?"])
def test_an_unknown_export_format_is_a_400_naming_it(api_client, value):
    response = api_client.get("/api/v1/recommendations/export/", {"format": value})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "format" in response.json()
