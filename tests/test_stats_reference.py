"""stats/, stats/?as_of=, stats/?group_by=theme and stats/timeline/ against a straightforward
computation in Python over every row, on a small dataset with the edge cases the SQL must get
right: several assessments on one day (the last recorded wins), draft and archived
recommendations (counted nowhere), a draft assessment (counts toward nothing), dates before any
assessment (no status), a recommendation made on an unknown date, deadlines on a point's day."""

import datetime

import pytest

from recommendations import services
from recommendations.models import ImplementationStatus, Recommendation, ReviewState, StatusUpdate
from tests.factories import RecommendationFactory, SourceDocumentFactory, ThemeFactory, record_status

D = datetime.date
S = ImplementationStatus
KEYS = [*S.values, "no_status"]
ASKED = [D(2018, 12, 31), D(2019, 1, 1), D(2019, 3, 31), D(2019, 4, 1), D(2019, 6, 30), D(2020, 1, 1), D(2021, 1, 1)]


@pytest.fixture
def dataset(db):
    document = SourceDocumentFactory()
    water, press = ThemeFactory(slug="water", name="Water"), ThemeFactory(slug="press", name="Press")

    def make(title, made_on, due_on=None, themes=(), **fields):
        recommendation = RecommendationFactory(title=title, made_on=made_on, due_on=due_on, **fields)
        recommendation.themes.set(themes)
        return recommendation

    same_day = make("same day", D(2019, 1, 1), D(2019, 3, 31), [water])
    record_status(same_day, S.NOT_STARTED, D(2019, 4, 1), document)
    record_status(same_day, S.IMPLEMENTED, D(2019, 4, 1), document)
    record_status(same_day, S.STALLED, D(2019, 4, 1), document)  # recorded last: it holds
    late_start = make("assessed before it was made", D(2019, 6, 30), D(2019, 6, 30), [water, press])
    record_status(late_start, S.IN_PROGRESS, D(2019, 1, 1), document)
    record_status(late_start, S.PARTIALLY_IMPLEMENTED, D(2020, 1, 1), document)
    never = make("never assessed", D(2019, 3, 31), D(2019, 3, 31), [press])
    unknown_date = make("made on an unknown date", None, None)
    record_status(unknown_date, S.IN_PROGRESS, D(2019, 3, 31), document)
    draft_update = make("a draft assessment", D(2018, 1, 1), D(2018, 12, 31), [press])
    record_status(draft_update, S.NOT_STARTED, D(2019, 1, 1), document)
    record_status(draft_update, S.IMPLEMENTED, D(2019, 3, 31), document, publish=False)
    draft = make("a draft", D(2019, 1, 1), themes=[water], review_state=ReviewState.DRAFT)
    record_status(draft, S.IMPLEMENTED, D(2019, 1, 1), document, publish=False)
    archived = make("archived", D(2019, 1, 1), D(2019, 1, 1), [water])
    record_status(archived, S.STALLED, D(2019, 3, 31), document)
    services.recommendation_archive(recommendation=archived)
    return {"never": never}


def reference(on, theme=None):
    """The definitions, in plain Python over every row (README and stats.py say them)."""
    counts, overdue = dict.fromkeys(KEYS, 0), 0
    for recommendation in Recommendation.objects.all():
        if recommendation.review_state != ReviewState.PUBLISHED or recommendation.archived_at is not None:
            continue
        if theme is not None and theme not in {t.slug for t in recommendation.themes.all()}:
            continue
        updates = [
            update
            for update in StatusUpdate.objects.filter(recommendation=recommendation)
            if update.review_state == ReviewState.PUBLISHED and (on is None or update.as_of <= on)
        ]
        if on is not None:
            made = recommendation.made_on <= on if recommendation.made_on else bool(updates)
            if not made:
                continue
        latest = max(updates, key=lambda u: (u.as_of, u.created_at, u.id), default=None)
        status = latest.status if latest else "no_status"
        counts[status] += 1
        day = on or datetime.date.today()
        if recommendation.due_on and recommendation.due_on < day and status != S.IMPLEMENTED:
            overdue += 1
    return {"total": sum(counts.values()), "by_status": counts, "overdue": overdue}


def picked(answer):
    return {key: answer[key] for key in ("total", "by_status", "overdue")}


def test_the_edge_cases_are_in_the_data(dataset):
    assert reference(D(2019, 4, 1))["by_status"]["stalled"] == 1  # the last of three on one day
    assert reference(D(2018, 12, 31))["total"] == 1  # before any assessment: the 2018 one, no status
    assert reference(None)["total"] == 5  # neither the draft nor the archived one


def test_current_counts_match(dataset, api_client):
    assert picked(api_client.get("/api/v1/stats/").json()["overall"]) == reference(None)


@pytest.mark.parametrize("on", ASKED, ids=str)
def test_as_of_counts_match(dataset, api_client, on):
    answer = api_client.get("/api/v1/stats/", {"as_of": on.isoformat(), "group_by": "theme"}).json()
    assert picked(answer["overall"]) == reference(on)
    groups = {group["key"]: picked(group) for group in answer["groups"]}
    for theme in ("water", "press"):
        expected = reference(on, theme)
        assert groups[theme] == expected if expected["total"] else theme not in groups


def test_current_counts_by_theme_match(dataset, api_client):
    groups = {g["key"]: picked(g) for g in api_client.get("/api/v1/stats/", {"group_by": "theme"}).json()["groups"]}
    assert groups["water"] == reference(None, "water")
    assert groups["press"] == reference(None, "press")


def test_the_timeline_matches_at_every_point(dataset, api_client):
    points = api_client.get(
        "/api/v1/stats/timeline/", {"start": "2017-12-01", "end": "2021-01-15", "interval": "month"}
    ).json()["points"]
    assert len(points) == 38
    for point in points:
        assert picked(point) == reference(D.fromisoformat(point["date"])), point["date"]
