"""The admin in a real browser: the shared set-up works, and the admin pages load without errors."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_sees_the_recommendations_list_in_chromium(desktop, make_staff):
    from tests.factories import RecommendationFactory

    RecommendationFactory(title="Amend article 174 of the Criminal Code")
    desktop.log_in(make_staff("Editor"))
    desktop.goto("/admin/recommendations/recommendation/")
    assert desktop.page.get_by_text("Amend article 174 of the Criminal Code").is_visible()
    assert desktop.failed_responses == []
    assert desktop.console_errors == []
    assert desktop.requested_hosts == {desktop.live_server.url.split("//")[1]}


def test_anonymous_browser_is_sent_to_the_login_page(desktop):
    desktop.goto("/admin/")
    assert "/admin/login/" in desktop.page.url
    assert desktop.page.locator("input[name=username]").is_visible()


def test_history_page_shows_a_word_diff_without_errors(desktop, make_staff):
    from recommendations import services
    from tests.factories import RecommendationFactory

    recommendation = RecommendationFactory(text="The state promises to reform the law on peaceful assembly.")
    services.recommendation_change(
        recommendation=recommendation,
        expected_version=recommendation.version,
        text="The state promises to repeal the law on peaceful assembly.",
    )
    desktop.log_in(make_staff("Reviewer"))
    desktop.goto(f"/admin/recommendations/recommendation/{recommendation.pk}/history/")
    assert desktop.page.locator(".tracker-diff del").first.inner_text().strip() == "reform"
    assert desktop.page.locator(".tracker-diff ins").first.inner_text().strip() == "repeal"
    assert desktop.failed_responses == []
    assert desktop.console_errors == []
