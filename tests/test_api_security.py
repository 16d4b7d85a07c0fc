"""What the production settings and the API must get right together."""

import pytest
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

pytestmark = pytest.mark.django_db


def test_a_forged_forwarded_for_header_does_not_dodge_the_throttle(api_client, monkeypatch):
    rates = {"anon": "2/minute", "user": "2/minute"}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    statuses = [api_client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_swagger_ui_runs_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "'unsafe-inline'" in next(part for part in policy.split(";") if part.strip().startswith("style-src "))
    page = response.content.decode()
    # The start-up code is a separate file, and every asset comes from this server (no CDN).
    assert '<script src="/api/docs/?script=' in page or "?script=" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_redoc_is_served_without_a_cdn(client):
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    assert "worker-src 'self' blob:" in response["Content-Security-Policy"]
    assert "cdn.jsdelivr" not in response.content.decode()


def test_other_pages_keep_the_strict_policy(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    style_src = next(part for part in policy.split(";") if part.strip().startswith("style-src "))
    assert "unsafe-inline" not in style_src


def test_csv_export_neutralises_formulas(api_client):
    import csv
    import io

    from tests.factories import RecommendationFactory

    RecommendationFactory(title='=HYPERLINK("http://evil.example","Click")', made_on="2020-01-01")
    RecommendationFactory(title="Plain title", made_on="2019-01-01")
    response = api_client.get("/api/v1/recommendations/", {"format": "csv", "ordering": "-made_on"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["title"] for row in rows] == ['\'=HYPERLINK("http://evil.example","Click")', "Plain title"]
    assert rows[0]["id"].isdigit()  # numbers are left as they are
