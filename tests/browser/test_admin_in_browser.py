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
