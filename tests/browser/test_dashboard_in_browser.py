"""The public dashboard in Chromium: its numbers are the API's, the charts draw from the API
without cookies, a recommendation's quotes lead to the highlighted passage, drafts never show,
it fits a 390 px phone, and no page asks another host for anything or logs an error."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(transactional_db):
    """The curated seed data, committed so that the live server's thread sees it. (The suite's
    snapshot fixture inserts rows in an order that only a transaction's deferred checks accept.)"""
    from django.conf import settings

    from recommendations.seeds import seeds_load

    return seeds_load(directory=settings.SEEDS_DIR)


def api(session, path):
    """What the API answers an anonymous client (a fresh request context: no cookies)."""
    response = session.page.context.request.get(session.live_server.url + path, headers={"Cookie": ""})
    assert response.ok, path
    return response.json()


def wait_for_charts(session):
    """Every figure with an API URL has been drawn from it (or the test fails on the timeout). Tests
    wait for it before they end: the live server must not be answering while the test's data goes."""
    from playwright.sync_api import expect

    expect(session.page.locator("figure.chart[data-api]").first).to_be_attached()
    expect(session.page.locator('figure.chart[data-api]:not([data-drawn="true"])')).to_have_count(0)


def shown_figures(page):
    return {
        element.get_attribute("data-figure"): element.inner_text().strip()
        for element in page.locator("dd[data-figure]").all()
    }


def assert_clean(session):
    """No failed request, no console error, nothing asked of another host."""
    assert session.failed_responses == []
    assert session.console_errors == []
    assert session.requested_hosts == {session.live_server.url.split("//")[1]}


def test_overview_numbers_are_the_apis_and_charts_draw_from_the_api(desktop, seeded):
    chart_calls = []
    desktop.page.on("request", lambda request: "/api/v1/" in request.url and chart_calls.append(request))
    desktop.goto("/en/")
    wait_for_charts(desktop)
    stats = api(desktop, "/api/v1/stats/")["overall"]
    figures = shown_figures(desktop.page)
    assert figures["total"] == str(stats["total"])
    assert figures["implemented"] == str(stats["by_status"]["implemented"])
    assert figures["overdue"] == str(stats["overdue"])
    # Each status row of the table alternative is the API's count.
    for status, count in stats["by_status"].items():
        row = desktop.page.locator(f"#table-status tr[data-status={status}] td").first
        assert row.text_content().strip() == str(count), status
    # The charts are canvases described for screen readers, drawn from API calls made without cookies.
    assert desktop.page.locator("canvas[role=img][aria-label]").count() >= 6
    assert chart_calls and all("cookie" not in request.headers for request in chart_calls)
    assert_clean(desktop)


def test_a_chosen_date_changes_the_numbers_as_the_api_does(desktop, seeded):
    desktop.goto("/en/")
    today = shown_figures(desktop.page)
    desktop.page.fill("#f-as-of", "2019-11-07")
    desktop.page.get_by_role("button", name="Apply").click()
    desktop.page.wait_for_url("**as_of=2019-11-07**")
    wait_for_charts(desktop)
    then = shown_figures(desktop.page)
    stats = api(desktop, "/api/v1/stats/?as_of=2019-11-07")["overall"]
    assert then["total"] == str(stats["total"]) != today["total"]
    assert then["overdue"] == str(stats["overdue"])
    assert "7 November 2019" in desktop.page.locator("#as-of-note").inner_text()
    assert_clean(desktop)


def test_a_recommendation_shows_its_history_and_its_quote_leads_to_the_passage(desktop, seeded):
    found = api(desktop, "/api/v1/recommendations/?external_id=seed:tokayev-protest-law-reform")["results"][0]
    detail = api(desktop, f"/api/v1/recommendations/{found['id']}/")
    desktop.goto(f"/en/recommendations/{found['id']}/")
    page = desktop.page
    assert page.get_by_role("heading", level=1).inner_text() == detail["title"]
    history = page.locator("ol.timeline > li")
    assert history.count() == len(detail["status_history"]) > 0
    assert detail["status_history"][0]["summary"] in history.first.inner_text()

    citation = detail["status_history"][0]["citations"][0]
    history.first.locator("a.quote-link").first.click()
    page.wait_for_url("**/documents/**#quote")
    mark = page.locator("mark#quote")
    document = api(desktop, f"/api/v1/documents/{citation['document']['id']}/")
    assert mark.text_content() == document["text"][citation["quote_start"] : citation["quote_end"]]
    assert mark.is_visible()
    assert page.evaluate("document.activeElement.id") == "quote"  # focused for keyboard and screen reader users
    assert_clean(desktop)


def test_a_draft_never_appears_even_to_a_logged_in_curator(desktop, seeded, make_staff):
    from recommendations.models import ReviewState
    from tests.factories import RecommendationFactory

    RecommendationFactory(title="An unpublished draft about assemblies", review_state=ReviewState.DRAFT)
    desktop.log_in(make_staff("Administrator"))
    answers = []
    desktop.page.on(
        "response", lambda response: "/api/v1/stats/?group_by=kind" in response.url and answers.append(response)
    )
    desktop.goto("/en/")
    wait_for_charts(desktop)
    assert "unpublished draft" not in desktop.page.content()
    # The chart's own API call (made without the curator's cookies) counts only published rows.
    assert answers and answers[0].json()["overall"]["total"] == 33
    desktop.goto("/en/?q=unpublished")
    wait_for_charts(desktop)  # (and the live server done with their requests before the database is emptied)
    assert "unpublished draft" not in desktop.page.content()
    assert_clean(desktop)


@pytest.mark.parametrize("path", ["/en/", "/ru/states/KZ/", "/en/themes/freedom-of-assembly/"])
def test_pages_fit_a_390_px_phone(phone, seeded, path):
    phone.goto(path)
    wait_for_charts(phone)
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.page.get_by_role("heading", level=1).is_visible()
    assert_clean(phone)


def test_recommendation_page_fits_a_phone(phone, seeded):
    found = api(phone, "/api/v1/recommendations/?external_id=seed:tokayev-protest-law-reform")["results"][0]
    phone.goto(f"/ru/recommendations/{found['id']}/")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.page.locator("html").get_attribute("lang") == "ru"
    assert_clean(phone)


def test_keyboard_reaches_the_content_and_the_filters(desktop, seeded):
    desktop.goto("/en/")
    desktop.page.keyboard.press("Tab")
    assert desktop.page.evaluate("document.activeElement.textContent") == "Skip to content"
    desktop.page.select_option("#f-kind", "recommendation")
    desktop.page.focus("#f-q")
    desktop.page.keyboard.press("Enter")  # submits the filters from the keyboard
    desktop.page.wait_for_url("**kind=recommendation**")
    wait_for_charts(desktop)
    stats = api(desktop, "/api/v1/stats/?kind=recommendation")["overall"]
    assert shown_figures(desktop.page)["total"] == str(stats["total"])


def test_the_embedded_chart_works_inside_another_page(desktop, seeded):
    desktop.goto("/en/embed/chart/?group_by=theme&kind=promise")
    wait_for_charts(desktop)
    assert desktop.page.locator("canvas[role=img]").count() == 1
    assert_clean(desktop)


def xlsx_rows(path):
    """The rows of a downloaded XLSX as dicts by header (openpyxl raises if it is not a workbook)."""
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(
    "path",
    [
        "/en/themes/freedom-of-assembly/?kind=recommendation",
        "/en/states/KZ/?kind=promise",
        "/en/?q=assembly&status=not_implemented",
    ],
)
def test_the_xlsx_download_is_the_filtered_view_and_only_published_rows(desktop, seeded, make_staff, path, tmp_path):
    from urllib.parse import parse_qs, urlsplit

    from recommendations.models import ReviewState, Theme
    from tests.factories import RecommendationFactory

    draft = RecommendationFactory(title="An assembly draft", kind="recommendation", review_state=ReviewState.DRAFT)
    draft.themes.add(Theme.objects.get(slug="freedom-of-assembly"))
    desktop.log_in(make_staff("Administrator"))  # a curator's cookies must not bring drafts in
    desktop.goto(path)
    wait_for_charts(desktop)
    page = desktop.page
    link = page.locator("a[data-export][href*='format=xlsx']")
    query = parse_qs(urlsplit(link.get_attribute("href")).query)
    chosen = parse_qs(urlsplit(path).query)
    fixed = {"themes": {"theme": ["freedom-of-assembly"]}, "states": {"state_under_review": ["KZ"]}}
    expected = {**chosen, **next((value for key, value in fixed.items() if f"/{key}/" in path), {}), "format": ["xlsx"]}
    assert query == expected
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "view.xlsx"
    download.value.save_as(saved)
    rows = xlsx_rows(saved)
    shown = sorted(title.strip() for title in page.locator("#list .rec-title").all_text_contents())
    assert rows and len(shown) < 25  # the whole view is on the page's first page
    assert sorted(row["Title"] for row in rows) == shown
    assert "An assembly draft" not in {row["Title"] for row in rows}
    assert_clean(desktop)


def test_a_refused_download_is_explained_on_the_page(desktop, seeded):
    desktop.goto("/en/")
    wait_for_charts(desktop)
    page = desktop.page
    # A link the API refuses (here, a format it does not make) shows the API's reason in words on
    # the page; nothing is saved as a file.
    link = page.locator("a[data-export][href*='format=csv']").element_handle()
    link.evaluate("a => { a.href = a.href.replace('format=csv', 'format=pdf'); }")
    link.click()
    message = page.locator("#export-message")
    message.wait_for(state="visible")
    assert "Choose csv or xlsx." in message.inner_text(), message.inner_text()
    # The API's 400 was the point: the browser logs it as a failed resource, and nothing else.
    assert desktop.failed_responses and all(failed.startswith("400 ") for failed in desktop.failed_responses)
    assert all("400" in error for error in desktop.console_errors)


def test_a_view_too_large_to_stream_is_downloaded_through_an_export_job(desktop, seeded, settings, tmp_path):
    """Past EXPORT_STREAM_LIMIT the API refuses to stream and names its export job: the page starts
    the job (without cookies), shows its progress, and saves the file once the worker has written
    it. The worker here is the task backend that runs a job as soon as it is queued (the live
    server's one SQLite connection cannot be shared with a worker thread); the job itself is the
    real one, file and all."""
    from recommendations.jobs.models import Job

    settings.EXPORT_STREAM_LIMIT = 5
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    desktop.goto("/en/?kind=recommendation")
    wait_for_charts(desktop)
    page = desktop.page
    with page.expect_download() as download:
        page.locator("a[data-export][href*='format=xlsx']").click()
    saved = tmp_path / "view.xlsx"
    download.value.save_as(saved)
    expected = api(desktop, "/api/v1/recommendations/?kind=recommendation&page_size=500")["results"]
    assert len(expected) > 5
    assert sorted(row["Title"] for row in xlsx_rows(saved)) == sorted(item["title"] for item in expected)
    progress = page.locator("#export-progress")
    assert progress.get_attribute("data-state") == "done" and progress.is_visible()
    assert page.locator("#export-message").is_hidden()
    job = Job.objects.get()
    assert (job.state, job.started_by, job.params["format"]) == (Job.State.SUCCEEDED, None, "xlsx")
    # The streamed export's 400 (which names the job) is the only failed request.
    assert desktop.failed_responses and all(
        failed.startswith("400 ") and "/recommendations/export/?" in failed for failed in desktop.failed_responses
    )
    assert all("400" in error for error in desktop.console_errors)
