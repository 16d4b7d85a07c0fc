"""The curator workspace in Chromium (issue 10): log in, the dashboard's numbers, citing a passage
from the document reader (with the number of steps it takes), a refused quote fixed with one
click, the list on a phone, and search."""

import datetime

import pytest
from django.test import Client

from recommendations.models import Citation, DateBasis, Recommendation, StatusUpdate
from tests.factories import LegalProvisionFactory, RecommendationFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSAGE = "The parliament adopted the amendments to the law on peaceful assemblies in May 2020."
TEXT = f"Astana, 3 June 2020\n\nA first paragraph about something else.\n\n{PASSAGE}\n\nA last paragraph."
CITE_STEPS_TARGET = 8


def assert_clean(session):
    assert session.console_errors == []
    assert session.failed_responses == []


def test_log_in_through_the_form_and_land_on_the_dashboard(desktop, make_staff):
    make_staff("Editor")
    desktop.goto("/admin/")  # sent to the login form, and back here after it
    desktop.page.fill("#id_username", "editor")
    desktop.page.fill("#id_password", "a long test passphrase")
    desktop.page.click("button[type=submit]")
    desktop.page.wait_for_selector("[data-testid=dashboard]")
    assert_clean(desktop)


def test_dashboard_numbers_equal_the_api_stats(desktop, make_staff):
    RecommendationFactory.create_batch(2)
    RecommendationFactory(due_on=datetime.date(2020, 1, 1), kind=Recommendation.Kind.PROMISE)
    user = make_staff("Reviewer")
    desktop.log_in(user)
    desktop.goto("/admin/")
    api = Client()
    api.force_login(user)
    stats = api.get("/api/v1/stats/").json()["overall"]
    figure = desktop.page.locator
    assert figure("[data-figure=total] .tracker-figure-number").inner_text() == str(stats["total"]) == "3"
    assert figure("[data-figure=overdue] .tracker-figure-number").inner_text() == str(stats["overdue"]) == "1"
    for key, count in stats["by_status"].items():
        assert figure(f"[data-status={key}]").inner_text() == str(count)
    figure("[data-figure=overdue]").click()
    desktop.page.wait_for_url("**/recommendation/?overdue=yes")
    assert desktop.page.locator("#result_list tbody tr").count() == 1
    assert_clean(desktop)


def test_cite_a_passage_from_the_document_reader(desktop, make_staff):
    document = SourceDocumentFactory(text=TEXT)
    recommendation = RecommendationFactory(title="Reform the law on peaceful assemblies")
    RecommendationFactory(title="Something unrelated")
    editor = make_staff("Editor")
    desktop.log_in(editor)
    page = desktop.page
    steps = 0

    desktop.goto(f"/admin/recommendations/sourcedocument/{document.pk}/read/")  # open the document
    steps += 1
    page.locator("#p3 .tracker-para-text").select_text()  # select the passage
    steps += 1
    page.get_by_role("button", name="Cite this passage").click()
    steps += 1
    page.fill("#tracker-cite-search", "assemblies")  # choose the recommendation (autocomplete)
    steps += 1
    page.get_by_role("link", name="Reform the law on peaceful assemblies").click()
    steps += 1
    page.wait_for_selector("#id_status")
    # The form opens with the document, the quote, its location and the date already filled.
    assert page.input_value("#id_quote") == PASSAGE
    assert page.input_value("#id_location") == "paragraph 3"
    assert page.input_value("#id_as_of") != ""
    assert page.locator("#tracker-document-panel").is_visible()  # the document beside the quote
    page.select_option("#id_status", "in_progress")
    steps += 1
    page.fill("#id_summary", "Parliament adopted the amendments.")
    steps += 1
    page.click("button[name=_save]")
    steps += 1
    page.wait_for_url("**/statusupdate/")

    update = StatusUpdate.objects.get(recommendation=recommendation)
    citation = Citation.objects.get(status_update=update)
    assert (citation.document, citation.quote, citation.location) == (document, PASSAGE, "paragraph 3")
    assert (update.as_of, update.as_of_basis, update.recorded_by) == (document.published_on, DateBasis.INFERRED, editor)
    print(f"cite a passage: {steps} steps")
    assert steps <= CITE_STEPS_TARGET
    # The reader now highlights the cited passage and links it to the status update.
    desktop.goto(f"/admin/recommendations/sourcedocument/{document.pk}/read/")
    highlight = page.locator("a.tracker-cited")
    assert highlight.inner_text() == PASSAGE
    assert highlight.get_attribute("href").endswith(f"/statusupdate/{update.pk}/change/")
    assert_clean(desktop)


def test_a_refused_quote_shows_the_closest_passage_and_uses_it_in_one_click(desktop, make_staff):
    document = SourceDocumentFactory(text=TEXT)
    recommendation = RecommendationFactory()
    desktop.log_in(make_staff("Editor"))
    page = desktop.page
    misquoted = "The parliament adopted amendments to the law on peaceful assembly in May 2020."
    desktop.goto(
        f"/admin/recommendations/statusupdate/add/?recommendation={recommendation.pk}&document={document.pk}"
        f"&status=in_progress&as_of=2020-06-03&summary=Adopted."
    )
    page.fill("#id_quote", misquoted)
    page.click("button[name=_save]")
    page.wait_for_selector("text=does not occur in the document")
    closest = page.locator(".tracker-closest blockquote").inner_text()
    assert closest.startswith("The parliament adopted the amendments") and closest in PASSAGE
    page.get_by_role("button", name="Use this passage").click()
    assert page.input_value("#id_quote") == closest
    page.click("button[name=_save]")
    page.wait_for_url("**/statusupdate/")
    assert Citation.objects.get(status_update__recommendation=recommendation).quote == closest
    assert desktop.failed_responses == []


def test_the_list_on_a_phone_shows_title_status_and_overdue_without_scrolling_sideways(phone, make_staff):
    RecommendationFactory(title="End torture in prisons", due_on=datetime.date(2020, 1, 1))
    phone.log_in(make_staff("Viewer"))
    phone.goto("/admin/recommendations/recommendation/")
    page = phone.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator("#result_list tbody tr").first
    for text in ("End torture in prisons", "Not assessed", "Overdue"):
        cell = row.get_by_text(text, exact=True).first
        assert cell.is_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, text
    # The filters are one tap away.
    from playwright.sync_api import expect  # as the fixtures do: only where the browser runs

    page.locator("a:has-text('Filters')").first.click()
    # The panel slides in: wait for it (up to Playwright's timeout), as a person would.
    expect(page.get_by_text("By overdue")).to_be_visible()
    assert_clean(phone)


def test_search_174_finds_words_and_provisions_never_hash_ids(desktop, make_staff):
    RecommendationFactory(title="Repeal article 174", text="Repeal article 174 of the Criminal Code.")
    amend = RecommendationFactory(title="Amend the Criminal Code", text="Amend it.")
    amend.legal_provisions.add(LegalProvisionFactory(article="174"))
    RecommendationFactory(title="Imported row", external_id="upr-9c174d1745e0174a")
    desktop.log_in(make_staff("Viewer"))
    desktop.goto("/admin/recommendations/recommendation/")
    page = desktop.page
    page.fill("#searchbar", "174")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=174**")
    titles = set(page.locator("#result_list tbody tr th, #result_list tbody tr td.field-title_cell").all_inner_texts())
    shown = " ".join(titles)
    assert "Repeal article 174" in shown and "Amend the Criminal Code" in shown
    assert "Imported row" not in shown
    assert_clean(desktop)
