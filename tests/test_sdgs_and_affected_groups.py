"""Sustainable Development Goals and affected groups: shipped vocabularies, filters, stats groups,
the detail and writes through the API, and the admin."""

import pytest
from rest_framework.test import APIClient

from recommendations.models import AffectedGroup, Recommendation, SustainableDevelopmentGoal
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/recommendations/"


@pytest.fixture
def tagged():
    """A: SDG 16, human rights defenders; B: SDGs 5 and 16, women & girls; C: neither."""
    goal = {number: SustainableDevelopmentGoal.objects.get(number=number) for number in (5, 16)}
    defenders = AffectedGroup.objects.get(slug="human-rights-defenders")
    women = AffectedGroup.objects.get(slug="women-girls")
    a, b = RecommendationFactory(title="A"), RecommendationFactory(title="B")
    RecommendationFactory(title="C")
    a.sdgs.add(goal[16])
    a.affected_groups.add(defenders)
    b.sdgs.add(goal[5], goal[16])
    b.affected_groups.add(women)
    return {"a": a, "b": b, "women": women}


def titles(response):
    assert response.status_code == 200, response.json()
    return sorted(item["title"] for item in response.json()["results"])


def test_the_vocabularies_ship_with_every_database():
    assert list(SustainableDevelopmentGoal.objects.values_list("number", flat=True)) == list(range(1, 18))
    assert SustainableDevelopmentGoal.objects.get(number=16).name == "Peace, justice and strong institutions"
    # A name with commas is one group, not three.
    assert AffectedGroup.objects.filter(name="Lesbian, gay, bisexual, transgender and intersex persons").exists()
    assert AffectedGroup.objects.filter(slug="persons-with-disabilities").exists()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sdg": "16"}, ["A", "B"]),
        ({"sdg": "5"}, ["B"]),
        ({"sdg": ["5", "1"]}, ["B"]),
        ({"sdg": "1"}, []),
        ({"affected_group": "women-girls"}, ["B"]),
        ({"affected_group": ["women-girls", "human-rights-defenders"]}, ["A", "B"]),
        ({"affected_group": "children"}, []),
        ({"sdg": "16", "affected_group": "human-rights-defenders"}, ["A"]),
    ],
)
def test_filters(tagged, api_client, params, expected):
    assert titles(api_client.get(URL, params)) == expected


def test_filter_by_group_id(tagged, api_client):
    assert titles(api_client.get(URL, {"affected_group_id": tagged["women"].pk})) == ["B"]


@pytest.mark.parametrize(
    "params",
    [
        {"sdg": "18"},
        {"sdg": "0"},
        {"sdg": "x"},
        {"sdg": "9" * 30},
        {"affected_group": "nobody"},
        {"affected_group_id": "9" * 30},
    ],
)
def test_unknown_values_are_a_400_naming_the_parameter(tagged, api_client, params):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_stats_group_by_sdg_and_affected_group(tagged, api_client):
    by_goal = api_client.get("/api/v1/stats/", {"group_by": "sdg"}).json()
    totals = {group["key"]: group["total"] for group in by_goal["groups"]}
    assert totals["16"] == 2 and totals["5"] == 1 and totals[None] == 1
    label = next(group["label"] for group in by_goal["groups"] if group["key"] == "16")
    assert label == "SDG 16: Peace, justice and strong institutions"
    by_group = api_client.get("/api/v1/stats/", {"group_by": "affected_group"}).json()
    totals = {group["key"]: group["total"] for group in by_group["groups"]}
    assert totals == {"human-rights-defenders": 1, "women-girls": 1, None: 1}


def test_detail_lists_goals_and_groups(tagged, api_client):
    data = api_client.get(f"{URL}{tagged['b'].pk}/").json()
    assert [goal["number"] for goal in data["sdgs"]] == [5, 16]
    assert [group["slug"] for group in data["affected_groups"]] == ["women-girls"]


def test_vocabulary_endpoints(api_client):
    goals = api_client.get("/api/v1/sdgs/", {"page_size": 50}).json()
    assert [goal["number"] for goal in goals["results"]] == list(range(1, 18))
    groups = api_client.get("/api/v1/affected-groups/", {"q": "disab"}).json()
    assert [group["slug"] for group in groups["results"]] == ["persons-with-disabilities"]


def test_a_reviewer_sets_goals_and_groups_with_a_patch(tagged, make_staff):
    client = APIClient()
    client.force_authenticate(make_staff("Reviewer"))
    url = f"{URL}{tagged['a'].pk}/"
    etag = client.get(url)["ETag"]
    response = client.patch(
        url, {"sdgs": [5, "10"], "affected_groups": ["children"]}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.json()
    a = Recommendation.objects.get(pk=tagged["a"].pk)
    assert sorted(a.sdgs.values_list("number", flat=True)) == [5, 10]
    assert list(a.affected_groups.values_list("slug", flat=True)) == ["children"]
    # The change is in the history, like every other field.
    assert a.history.count() >= 2


@pytest.mark.parametrize("value", [[18], ["0"], ["9" * 30], ["sixteen"]])
def test_a_goal_outside_1_to_17_is_a_400(tagged, make_staff, value):
    client = APIClient()
    client.force_authenticate(make_staff("Reviewer"))
    url = f"{URL}{tagged['a'].pk}/"
    response = client.patch(url, {"sdgs": value}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 400
    assert "sdgs" in response.json()
    assert list(tagged["a"].sdgs.values_list("number", flat=True)) == [16]


def test_admin_lists_goals_and_refuses_an_eighteenth(admin_client):
    page = admin_client.get("/admin/recommendations/sustainabledevelopmentgoal/")
    assert page.status_code == 200
    assert b"Partnerships for the goals" in page.content
    assert admin_client.get("/admin/recommendations/sustainabledevelopmentgoal/add/").status_code == 403


def test_admin_filters_recommendations_by_goal_and_group(tagged, admin_client):
    goal = SustainableDevelopmentGoal.objects.get(number=5)
    page = admin_client.get("/admin/recommendations/recommendation/", {"sdgs__id__exact": goal.pk})
    assert page.status_code == 200
    assert [row.title for row in page.context["cl"].result_list] == ["B"]
    page = admin_client.get(
        "/admin/recommendations/recommendation/", {"affected_groups__id__exact": tagged["women"].pk}
    )
    assert [row.title for row in page.context["cl"].result_list] == ["B"]
