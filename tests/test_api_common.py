"""What every API endpoint shares: the browsable API, throttling of anonymous clients, CORS
for the configured dashboard origins, NUL bytes refused in any parameter."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_browsable_api_renders_lists_with_the_filter_form(client):
    RecommendationFactory(title="Reform the assembly law")
    for url in ("/api/v1/", "/api/v1/recommendations/", "/api/v1/stats/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert "text/html" in response["Content-Type"]
    assert "Reform the assembly law" in client.get("/api/v1/recommendations/", HTTP_ACCEPT="text/html").content.decode()


def test_anonymous_clients_are_throttled(api_client, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "1000/minute"})
    statuses = [api_client.get("/api/v1/themes/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_cors_headers_only_for_the_configured_dashboard_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://dashboard.example.org"]
    allowed = client.get("/api/v1/themes/", HTTP_ORIGIN="https://dashboard.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://dashboard.example.org"
    other = client.get("/api/v1/themes/", HTTP_ORIGIN="https://elsewhere.example.com")
    assert "Access-Control-Allow-Origin" not in other
    admin = client.get("/admin/login/", HTTP_ORIGIN="https://dashboard.example.org")
    assert "Access-Control-Allow-Origin" not in admin  # only the API is shared


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/recommendations/?page=1%00",
        "/api/v1/recommendations/?ordering=%00title",
        "/api/v1/stats/?group_by=%00",
        "/api/v1/stats/timeline/?start=2019-01-01%00&end=2020-01-01",
        "/api/v1/themes/?q%00=x",
        "/api/v1/documents/?format=csv%00",
    ],
)
def test_a_nul_byte_anywhere_in_the_query_is_a_400(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 400
    assert "Null characters are not allowed." in str(response.json())


def test_browsable_api_filter_form_offers_every_filter_while_json_validates_only_those_given(client):
    """A JSON request's filters build form fields only for the parameters given (the rest clean to
    nothing anyway); the browsable API's form still shows every filter."""
    from django.http import QueryDict

    from recommendations.filters import RecommendationFilterSet

    html = client.get("/api/v1/recommendations/?status=in_progress", HTTP_ACCEPT="text/html").content.decode()
    for name in ("status", "made_after", "theme_id", "state_under_review", "ordering"):
        assert f'name="{name}"' in html, name
    filterset = RecommendationFilterSet(data=QueryDict("status=in_progress&made_after=2019-01-01&foo=1"))
    assert set(filterset.form.fields) == {"status", "made_after"}
    assert filterset.is_valid()
    bad = RecommendationFilterSet(data=QueryDict("made_before=not-a-date"))
    assert not bad.is_valid() and set(bad.errors) == {"made_before"}
    # Each filterset has filters of its own: a form field built for one request is not another's.
    assert filterset.filters["status"] is not bad.filters["status"]
    assert filterset.filters["theme"].parent is filterset and bad.filters["theme"].parent is bad
