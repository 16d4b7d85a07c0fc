"""The public dashboard (dashboard/): pages rendered from the public API only, for anyone,
showing only published data, in English and Russian, embeddable only where it says so."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

import dashboard
from recommendations.models import ReviewState
from tests.factories import RecommendationFactory, record_status

pytestmark = pytest.mark.django_db


def figures(html):
    """The key figures of an overview page, by their data-figure name."""
    return {
        name: re.sub(r"<[^>]+>", "", value).strip()
        for name, value in re.findall(r'data-figure="(\w+)">(.*?)</dd>', html, flags=re.S)
    }


def test_root_sends_the_visitor_to_their_language(client):
    assert client.get("/").headers["Location"] == "/en/"
    assert client.get("/", headers={"accept-language": "ru,en;q=0.5"}).headers["Location"] == "/ru/"


def test_overview_is_public_and_its_numbers_are_the_apis(client, seeded):
    response = client.get("/en/")
    assert response.status_code == 200
    stats = client.get("/api/v1/stats/").json()["overall"]
    shown = figures(response.text)
    assert shown["total"] == str(stats["total"]) == "33"
    assert shown["implemented"] == str(stats["by_status"]["implemented"])
    assert shown["partially_implemented"] == str(stats["by_status"]["partially_implemented"])
    assert shown["overdue"] == str(stats["overdue"])


def test_as_of_gives_the_apis_picture_on_that_date(client, seeded):
    response = client.get("/en/", {"as_of": "2019-11-07"})
    stats = client.get("/api/v1/stats/", {"as_of": "2019-11-07"}).json()["overall"]
    assert figures(response.text)["total"] == str(stats["total"]) == "19"
    assert figures(client.get("/en/").text)["total"] != figures(response.text)["total"]
    assert 'value="2019-11-07"' in response.text  # the chosen date stays in the form (and the URL)


def test_filters_are_the_apis_filters(client, seeded):
    response = client.get("/en/", {"kind": "promise", "theme": "freedom-of-assembly"})
    stats = client.get("/api/v1/stats/", {"kind": "promise", "theme": "freedom-of-assembly"}).json()["overall"]
    assert figures(response.text)["total"] == str(stats["total"])
    # The downloads are the API's export, for the same filters.
    for file_format in ("csv", "xlsx"):
        url = f"/api/v1/recommendations/export/?theme=freedom-of-assembly&amp;kind=promise&amp;format={file_format}"
        assert url in response.text


def test_every_view_offers_both_downloads_whatever_its_size(client, seeded, settings):
    settings.EXPORT_INLINE_LIMIT = 5  # the admin's inline limit; the API's export has none
    response = client.get("/en/")
    assert "/api/v1/recommendations/export/?format=csv" in response.text
    assert "/api/v1/recommendations/export/?format=xlsx" in response.text


def test_a_bad_filter_shows_the_apis_message_not_an_error_page(client, seeded):
    response = client.get("/en/", {"as_of": "yesterday", "status": "bogus"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.text
    assert "bogus is not one of the available choices" in response.text


def test_drafts_never_appear_even_to_a_logged_in_curator(client_as, seeded):
    draft = RecommendationFactory(title="A secret draft recommendation", review_state=ReviewState.DRAFT)
    client = client_as("Administrator")
    assert "A secret draft recommendation" not in client.get("/en/", {"q": "secret"}).text
    assert client.get(reverse("dashboard:recommendation", args=[draft.pk])).status_code == 404
    assert client.get(reverse("dashboard:embed-card", args=[draft.pk])).status_code == 404
    # The same curator sees the draft in the API: the dashboard asks as nobody.
    assert client.get(f"/api/v1/recommendations/{draft.pk}/").status_code == 200


def test_a_draft_assessment_does_not_appear(client, recommendation):
    record_status(recommendation, "implemented", datetime.date(2020, 1, 1), summary="Published one")
    record_status(recommendation, "regressed", datetime.date(2021, 1, 1), summary="Draft one", publish=False)
    page = client.get(reverse("dashboard:recommendation", args=[recommendation.pk])).text
    assert "Published one" in page
    assert "Draft one" not in page


def test_recommendation_page_shows_history_and_quotes_linked_to_the_passage(client, seeded):
    item = client.get("/api/v1/recommendations/", {"external_id": "seed:tokayev-protest-law-reform"}).json()
    detail = client.get(f"/api/v1/recommendations/{item['results'][0]['id']}/").json()
    page = client.get(reverse("dashboard:recommendation", args=[detail["id"]])).text
    assert escape(detail["title"]) in page
    assert "Status history" in page
    update = detail["status_history"][0]
    citation = update["citations"][0]
    assert escape(update["summary"]) in page
    link = (
        reverse("dashboard:document", args=[citation["document"]["id"]])
        + f"?start={citation['quote_start']}&amp;end={citation['quote_end']}#quote"
    )
    assert link in page
    assert "Independent assessment" in page or "Government&#x27;s claim" in page

    document = client.get(link.replace("&amp;", "&").split("#")[0]).text
    text = client.get(f"/api/v1/documents/{citation['document']['id']}/").json()["text"]
    passage = text[citation["quote_start"] : citation["quote_end"]]
    marked = re.search(r'<mark id="quote" tabindex="-1">(.*?)</mark>', document, flags=re.S).group(1)
    assert marked == escape(passage)


def test_document_page_ignores_offsets_out_of_range(client, seeded):
    doc = client.get("/api/v1/documents/").json()["results"][0]
    page = client.get(reverse("dashboard:document", args=[doc["id"]]), {"start": "5", "end": "99999999"})
    assert page.status_code == 200
    assert "<mark" not in page.text


def test_theme_and_state_pages(client, seeded):
    theme = client.get(reverse("dashboard:theme", args=["freedom-of-assembly"]))
    assert theme.status_code == 200
    stats = client.get("/api/v1/stats/", {"theme": "freedom-of-assembly"}).json()["overall"]
    assert figures(theme.text)["total"] == str(stats["total"])
    state = client.get(reverse("dashboard:state", args=["kz"]))
    assert state.status_code == 200
    assert "<h1>Kazakhstan</h1>" in state.text
    stats = client.get("/api/v1/stats/", {"state_under_review": "KZ"}).json()["overall"]
    assert figures(state.text)["total"] == str(stats["total"])
    # Its recent assessments are those of the state's recommendations (the footer lists the calls).
    assert "/api/v1/status-updates/?state_under_review=KZ&amp;" in state.text
    assert client.get(reverse("dashboard:theme", args=["no-such-theme"])).status_code == 404
    assert client.get(reverse("dashboard:state", args=["ZZ"])).status_code == 404
    assert client.get(reverse("dashboard:recommendation", args=[987654])).status_code == 404


def test_only_the_embed_pages_may_be_framed(client, seeded):
    rec = client.get("/api/v1/recommendations/").json()["results"][0]
    embeds = (reverse("dashboard:embed-chart") + "?group_by=theme", reverse("dashboard:embed-card", args=[rec["id"]]))
    for url in embeds:
        response = client.get(url)
        assert response.status_code == 200
        assert "X-Frame-Options" not in response.headers
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    for url in ("/en/", reverse("dashboard:recommendation", args=[rec["id"]]), "/api/v1/stats/"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.get(reverse("dashboard:embed-chart") + "?group_by=nonsense").status_code == 404


def test_overview_offers_the_embed_snippet(client, seeded):
    page = client.get("/en/", {"kind": "promise"}).text
    assert '&lt;iframe src="http://testserver/en/embed/chart/?kind=promise&amp;group_by=theme"' in page
    theme_page = client.get(reverse("dashboard:theme", args=["freedom-of-assembly"])).text
    assert "/en/embed/chart/?theme=freedom-of-assembly&amp;group_by=kind" in theme_page


def test_russian_pages_and_the_language_switcher(client, seeded):
    response = client.get("/ru/", {"kind": "promise"})
    assert response.status_code == 200
    assert '<html lang="ru">' in response.text
    assert "Выполнены ли рекомендации и обещания?" in response.text
    assert 'href="/en/?kind=promise"' in response.text  # the switcher keeps the filters
    assert response.cookies["django_language"].value == "ru"
    # The admin follows the language chosen on the dashboard.
    assert "Войти" in client.get("/admin/login/").text or "Имя пользователя" in client.get("/admin/login/").text


def test_pages_answer_only_reads(client, seeded):
    assert client.post("/en/").status_code == 405


def test_overview_query_count_does_not_grow_with_the_data(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        client.get("/en/")


def test_the_dashboard_reads_no_database():
    """Every dashboard module gets its data from the API client, never from models or SQL."""
    root = Path(dashboard.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (recommendations|django\.db)\b", source, flags=re.M), path
        assert ".objects." not in source, path


def test_the_page_script_has_the_export_jobs_words_in_the_pages_language(client, seeded):
    """A view too large to stream is downloaded through the API's export job; the script shows its
    progress in #export-progress with words the page gives it (dashboard.js, enhanceDownloads)."""
    import json
    import re

    for language, expected in (("en", "Preparing the file: {done} of {total} rows written…"), ("ru", "Файл готовится")):
        page = client.get(f"/{language}/").text
        assert 'id="export-progress" role="status"' in page
        config = json.loads(re.search(r'<script id="dashboard-config"[^>]*>(.*?)</script>', page, re.S).group(1))
        assert config["text"]["exportProgress"].startswith(expected)
        assert "{done}" in config["text"]["exportProgress"] and "{total}" in config["text"]["exportProgress"]
