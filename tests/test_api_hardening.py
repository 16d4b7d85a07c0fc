"""Issue 8, finding 7: a locked-out user's tokens, the browsable API's login redirect, caching
headers, CSV formulas behind any separator, and ``If-Match: *``."""

import csv
import io

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recommendations.api.renderers import neutralise_formula
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def fail_logins(username, times=None, address="127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": username, "password": "wrong", "next": "/admin/"})


@pytest.fixture
def reviewer(make_staff):
    return make_staff("Reviewer")


@pytest.fixture
def token_client(reviewer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")
    return client


# --- A locked-out user's tokens --------------------------------------------------------------------


def test_a_locked_out_users_token_is_refused_until_the_lock_is_lifted(reviewer, token_client):
    assert token_client.get("/api/v1/recommendations/").status_code == 200
    fail_logins(reviewer.username, address="203.0.113.9")  # from anywhere: the account is locked
    assert AccessAttempt.objects.filter(username=reviewer.username).exists()
    refused = token_client.get("/api/v1/recommendations/")
    assert refused.status_code == 401
    assert "locked" in refused.json()["detail"]
    call_command("axes_reset_username", reviewer.username)
    assert token_client.get("/api/v1/recommendations/").status_code == 200


def test_failed_sign_ins_below_the_limit_leave_the_token_working(reviewer, token_client):
    fail_logins(reviewer.username, times=settings.AXES_FAILURE_LIMIT - 1)
    assert token_client.get("/api/v1/recommendations/").status_code == 200


def test_a_lock_that_has_cooled_off_no_longer_refuses_the_token(reviewer, token_client):
    fail_logins(reviewer.username)
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")
    assert token_client.get("/api/v1/recommendations/").status_code == 200


def test_another_users_lock_does_not_refuse_the_token(token_client):
    fail_logins("someone-else")
    assert token_client.get("/api/v1/recommendations/").status_code == 200


def test_the_lock_is_checked_in_the_token_query(token_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert token_client.get("/api/v1/themes/").status_code == 200
    token_queries = [query["sql"] for query in queries if "authtoken_token" in query["sql"]]
    assert len(token_queries) == 1
    assert "axes_accessattempt" in token_queries[0]
    assert not [query for query in queries if "axes_accessattempt" in query["sql"] and "authtoken" not in query["sql"]]


# --- Browsable API login --------------------------------------------------------------------------


def test_signing_in_to_the_browsable_api_goes_to_the_api_root(client, reviewer):
    response = client.post("/api/auth/login/", {"username": reviewer.username, "password": "a long test passphrase"})
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/"
    assert client.get(response["Location"]).status_code == 200
    with_next = Client().post(
        "/api/auth/login/?next=/api/v1/themes/",
        {"username": reviewer.username, "password": "a long test passphrase", "next": "/api/v1/themes/"},
    )
    assert with_next["Location"] == "/api/v1/themes/"


# --- Caching headers ------------------------------------------------------------------------------


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def test_public_reads_are_cacheable_briefly_and_vary_on_credentials(api_client):
    RecommendationFactory()
    response = api_client.get("/api/v1/recommendations/")
    assert response.status_code == 200
    assert response["Cache-Control"] == f"public, max-age={settings.API_PUBLIC_CACHE_SECONDS}"
    assert {"authorization", "cookie", "accept"} <= vary(response)


def test_authenticated_responses_are_private(token_client, client, reviewer):
    for response in (token_client.get("/api/v1/recommendations/"), token_client.get("/api/v1/themes/")):
        assert response.status_code == 200
        assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
        assert "authorization" in vary(response)
    client.force_login(reviewer)
    assert "private" in client.get("/api/v1/recommendations/")["Cache-Control"]


def test_errors_and_writes_are_not_stored(api_client, token_client, recommendation):
    assert api_client.get("/api/v1/recommendations/?status=bogus")["Cache-Control"] == "no-store"
    assert api_client.get("/api/v1/recommendations/987654/")["Cache-Control"] == "no-store"
    response = token_client.post(f"/api/v1/recommendations/{recommendation.pk}/unpublish/")
    assert "no-store" in response["Cache-Control"]
    # A bad token is not a public answer either.
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/v1/themes/")["Cache-Control"] == "no-store"


def test_the_login_form_is_not_cached_publicly(client):
    response = client.get("/api/auth/login/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "public" not in response["Cache-Control"]


def test_pages_outside_the_api_are_left_alone(client):
    assert "authorization" not in vary(client.get("/admin/login/"))


# --- CSV formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("=1+1", "'=1+1"),
        ("x;=1+1", "x;'=1+1"),
        ("x,=1+1", "x,'=1+1"),
        ("x\t@SUM(A1)", "x\t'@SUM(A1)"),
        ("x|+1", "x|'+1"),
        ("x; -1", "x; '-1"),
        ("first line\n=cmd()", "first line\n'=cmd()"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("x\uff1b\uff1d1+1", "x\uff1b'\uff1d1+1"),
        ("Amend art. 174 - now", "Amend art. 174 - now"),
        ("e-mail a@b.org", "e-mail a@b.org"),
    ],
)
def test_formula_neutralisation_covers_every_separator_and_full_width_forms(cell, expected):
    assert neutralise_formula(cell) == expected


def test_csv_export_neutralises_a_formula_behind_a_semicolon(api_client):
    RecommendationFactory(title="x;=1+1")
    RecommendationFactory(title="\uff1dHYPERLINK(1)")
    response = api_client.get("/api/v1/recommendations/", {"format": "csv", "ordering": "title"})
    titles = [row["title"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
    assert titles == ["x;'=1+1", "'\uff1dHYPERLINK(1)"]
    # Read as a spreadsheet with ";" as its separator would: no cell starts like a formula.
    for line in response.content.decode().splitlines():
        for cell in line.split(";"):
            assert not cell.startswith(("=", "+", "@", "\uff1d"))


# --- If-Match: * ---------------------------------------------------------------------------------


def test_if_match_any_is_refused(token_client, recommendation):
    url = f"/api/v1/recommendations/{recommendation.pk}/"
    response = token_client.patch(url, {"title": "Overwritten"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
    assert "If-Match: *" in response.json()["detail"]
    recommendation.refresh_from_db()
    assert recommendation.title != "Overwritten"
    response = token_client.post(f"{url}unpublish/", HTTP_IF_MATCH="*")
    assert response.status_code == 428
