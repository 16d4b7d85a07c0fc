"""The recommendation filters on four literal rows, so every expected result can be checked
by eye: a hit and a miss for every filter, as of today and as of past dates."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.filters import RecommendationFilterSet, StatusUpdateFilterSet
from recommendations.models import (
    AffectedGroup,
    ImplementationStatus,
    Recommendation,
    SourceTheme,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)
from tests.factories import (
    ActorFactory,
    ClusterFactory,
    LegalProvisionFactory,
    RecommendationFactory,
    SourceDocumentFactory,
    StateFactory,
    ThemeFactory,
    record_status,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def rows():
    """A: a promise, due end of 2019, not started in 2019, implemented mid-2020.
    B: an NGO recommendation in progress since November 2019, no deadline.
    C: a bilateral recommendation to another state, due end of 2023, never assessed.
    D: an OSCE recommendation whose date is unknown, partly implemented as of December 2001."""
    kazakhstan = StateFactory(slug="kazakhstan", country="KZ")
    uzbekistan = StateFactory(slug="uzbekistan", country="UZ")
    tokayev = ActorFactory(slug="tokayev", kind="head_of_state")
    hrw, us, osce = ActorFactory(slug="hrw"), ActorFactory(slug="us", kind="state"), ActorFactory(slug="osce")
    ActorFactory(slug="unused-actor")
    assembly, torture = ThemeFactory(slug="assembly"), ThemeFactory(slug="torture")
    ThemeFactory(slug="unused-theme")
    art_174, art_274 = LegalProvisionFactory(slug="art-174"), LegalProvisionFactory(slug="art-274")
    LegalProvisionFactory(slug="unused-provision")
    document = SourceDocumentFactory()

    a = RecommendationFactory(
        title="A",
        text="Reform the protest law on peaceful assemblies.",
        kind="promise",
        made_by=tokayev,
        addressed_to=kazakhstan,
        mechanism="national",
        made_on=D(2019, 6, 12),
        due_on=D(2019, 12, 31),
    )
    a.themes.add(assembly)
    a.legal_provisions.add(art_174)
    a.sdgs.add(SustainableDevelopmentGoal.objects.get(number=16))
    record_status(a, ImplementationStatus.NOT_STARTED, D(2019, 8, 1), document)
    record_status(a, ImplementationStatus.IMPLEMENTED, D(2020, 6, 1), document)

    b = RecommendationFactory(
        title="B",
        text="End torture in custody.",
        external_id="b-key",
        made_by=hrw,
        addressed_to=kazakhstan,
        mechanism="ngo",
        made_on=D(2019, 11, 4),
        state_response="supported",
        upr_cycle=3,
        upr_session=34,
    )
    b.themes.add(torture)
    b.legal_provisions.add(art_274)
    b.sdgs.add(SustainableDevelopmentGoal.objects.get(number=16))
    defenders = AffectedGroup.objects.get(slug="human-rights-defenders")
    b.affected_groups.add(defenders)
    b.source_themes.add(
        SourceTheme.objects.create(vocabulary=SourceTheme.Vocabulary.UPR_INFO, name="Torture and other CID")
    )
    record_status(b, ImplementationStatus.IN_PROGRESS, D(2019, 11, 5), document)

    RecommendationFactory(
        title="C",
        text="Let trade unions register.",
        made_by=us,
        addressed_to=uzbekistan,
        mechanism="bilateral",
        made_on=D(2022, 4, 11),
        due_on=D(2023, 12, 31),
    )

    d = RecommendationFactory(
        title="D", text="Carry out electoral reform.", made_by=osce, addressed_to=kazakhstan, made_on=None
    )
    record_status(d, ImplementationStatus.PARTIALLY_IMPLEMENTED, D(2001, 12, 1), document)

    cluster = ClusterFactory(name="Protest and custody")
    Recommendation.objects.filter(pk__in=[a.pk, b.pk]).update(cluster=cluster)
    objects = {
        "assembly": assembly,
        "torture": torture,
        "hrw": hrw,
        "kazakhstan": kazakhstan,
        "art_174": art_174,
        "cluster": cluster,
        "defenders": defenders,
    }
    return {name: obj.pk for name, obj in objects.items()}


def ids(rows, *names):
    return [str(rows[name]) for name in names]


# (query parameters, the rows expected). Values in {braces} are replaced by ids from `rows`.
CASES = [
    ({}, "ABCD"),
    ({"kind": "promise"}, "A"),
    ({"kind": "recommendation"}, "BCD"),
    ({"status": "implemented"}, "A"),
    ({"status": ["in_progress", "partially_implemented"]}, "BD"),
    ({"status": "no_status"}, "C"),
    ({"status": "stalled"}, ""),
    ({"status": "not_started", "as_of": "2020-01-01"}, "A"),
    ({"status": "implemented", "as_of": "2020-01-01"}, ""),
    ({"status": "no_status", "as_of": "2019-11-04"}, "B"),
    ({"overdue": "true"}, "C"),
    ({"overdue": "false"}, "ABD"),
    ({"overdue": "true", "as_of": "2020-01-01"}, "A"),
    ({"overdue": "true", "as_of": "2019-12-31"}, ""),
    ({"overdue": "false", "as_of": "2020-01-01"}, "BD"),
    ({"as_of": "2020-01-01"}, "ABD"),
    ({"as_of": "2019-07-01"}, "AD"),
    ({"as_of": "2000-01-01"}, ""),
    ({"mechanism": "ngo"}, "B"),
    ({"mechanism": "upr"}, ""),
    ({"state_response": "supported"}, "B"),
    ({"state_response": "noted"}, ""),
    ({"theme": "assembly"}, "A"),
    ({"theme": ["assembly", "torture"]}, "AB"),
    ({"theme_id": "{assembly}"}, "A"),
    ({"theme_id": ["{assembly}", "{torture}"]}, "AB"),
    ({"legal_provision": "art-174"}, "A"),
    ({"legal_provision_id": "{art_174}"}, "A"),
    ({"sdg": "16"}, "AB"),
    ({"sdg": "5"}, ""),
    ({"affected_group": "human-rights-defenders"}, "B"),
    ({"affected_group_id": "{defenders}"}, "B"),
    ({"made_by": "hrw"}, "B"),
    ({"made_by": "kazakhstan"}, ""),
    ({"made_by_id": "{hrw}"}, "B"),
    ({"cluster": "{cluster}"}, "AB"),
    ({"addressed_to": "uzbekistan"}, "C"),
    ({"addressed_to": "hrw"}, ""),
    ({"addressed_to_id": "{kazakhstan}"}, "ABD"),
    ({"actor": "kazakhstan"}, "ABD"),
    ({"actor": "hrw"}, "B"),
    ({"actor_id": "{hrw}"}, "B"),
    ({"country": "UZ"}, "C"),
    ({"country": "FR"}, ""),
    ({"made_after": "2019-11-01"}, "BC"),
    ({"made_after": "2030-01-01"}, ""),
    ({"made_before": "2019-07-01"}, "A"),
    ({"made_before": "2000-01-01"}, ""),
    ({"due_after": "2020-01-01"}, "C"),
    ({"due_after": "2030-01-01"}, ""),
    ({"due_before": "2019-12-31"}, "A"),
    ({"due_before": "2000-01-01"}, ""),
    ({"has_deadline": "true"}, "AC"),
    ({"has_deadline": "false"}, "BD"),
    ({"external_id": "b-key"}, "B"),
    ({"external_id": "nope"}, ""),
    ({"state_under_review": "KZ"}, "ABD"),
    ({"state_under_review": "uzbekistan"}, "C"),
    ({"review_state": "published"}, "ABCD"),
    ({"review_state": "draft"}, ""),
    ({"upr_cycle": "3"}, "B"),
    ({"upr_cycle": "2"}, ""),
    ({"upr_session": "34"}, "B"),
    ({"upr_session": "35"}, ""),
    ({"q": "protest"}, "A"),
    ({"q": "Custody"}, "B"),
    ({"q": "zzqx"}, ""),
    ({"source_issue": "torture and other cid"}, "B"),
    ({"source_issue": "Torture"}, ""),
    ({"language": "en"}, "ABCD"),
    ({"language": "kk"}, ""),
    ({"updated_after": "2000-01-01T00:00:00Z"}, "ABCD"),
    ({"updated_after": "2999-01-01T00:00:00Z"}, ""),
    # An ordering case compares the order itself (the others compare sorted titles); the rows'
    # default order, newest first, is C B A D.
    ({"ordering": "title"}, "ABCD"),
    ({"ordering": "-title"}, "DCBA"),
]


def resolve(params, rows):
    def one(value):
        return value.format(**rows) if isinstance(value, str) else value

    return {key: [one(v) for v in value] if isinstance(value, list) else one(value) for key, value in params.items()}


def querydict(params):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[str(case[0]) for case in CASES])
def test_recommendation_filter(rows, params, expected):
    filterset = RecommendationFilterSet(querydict(resolve(params, rows)), queryset=Recommendation.objects.all())
    assert filterset.is_valid(), filterset.errors
    titles = "".join(r.title for r in filterset.qs)
    assert (titles if "ordering" in params else "".join(sorted(titles))) == expected


def test_every_filter_has_a_hit_and_a_miss():
    """A guard: a filter added without cases here fails this test."""
    for name in RecommendationFilterSet.base_filters:
        if name == "ordering":
            continue
        results = [expected for params, expected in CASES if name in params]
        assert any(results), f"no case where “{name}” finds something"
        assert any(len(r) < 4 for r in results), f"no case where “{name}” leaves something out"


# Fields that are not filtered, and why: long texts are searched with q; the denormalised
# status and the precisions are reached through status/as_of and the dates; whether a date is
# stated or inferred (and the note saying how) qualifies the date rather than selects rows.
UNFILTERED_FIELDS = {
    "title",
    "text",
    "context",
    # The search's index of the fields above and the names around the row: ``q`` searches it.
    "search_related",
    "search_vector",
    "date_note",
    "made_on_precision",
    "due_on_precision",
    "made_on_basis",
    "due_on_basis",
    "upr_action_category",
    "current_status",
    "current_status_as_of",
    "created_at",
    "related",
    "id",
    # Review bookkeeping: who published or archived and when, the lock version. Archived rows are
    # never listed; the review state itself has a filter.
    "published_at",
    "published_by",
    "archived_at",
    "archived_by",
    "version",
    # Who added it, whether its publisher wrote it, a reviewer's note sending it back: review
    # bookkeeping, shown on the row.
    "created_by",
    "self_reviewed",
    "sent_back_note",
    "sent_back_at",
    "sent_back_by",
}
FIELD_FILTERS = {
    "made_on": "made_after",
    "due_on": "due_before",
    "updated_at": "updated_after",
    "themes": "theme",
    "legal_provisions": "legal_provision",
    "sdgs": "sdg",
    "also_made_by": "made_by",  # made_by matches the first-named maker and the joint ones
    "affected_groups": "affected_group",
    "source_themes": "source_issue",
}


def test_every_recommendation_field_has_a_filter_or_a_reason():
    filters = set(RecommendationFilterSet.base_filters)
    for field in Recommendation._meta.get_fields():
        if (field.auto_created and not field.concrete) or field.name in UNFILTERED_FIELDS:
            continue
        assert FIELD_FILTERS.get(field.name, field.name) in filters, f"no filter for Recommendation.{field.name}"


def test_status_update_filters(rows):
    def titles(**params):
        filterset = StatusUpdateFilterSet(querydict(params), queryset=StatusUpdate.objects.all())
        assert filterset.is_valid(), filterset.errors
        return sorted(f"{u.recommendation.title}:{u.status}" for u in filterset.qs)

    assert titles(as_of_after="2019-11-01", as_of_before="2019-11-30") == ["B:in_progress"]
    assert titles(as_of_after="2030-01-01") == []
    assert titles(status="implemented") == ["A:implemented"]
    assert titles(kind="promise") == ["A:implemented", "A:not_started"]
    assert titles(theme="torture") == ["B:in_progress"]
    assert titles(mechanism="national") == ["A:implemented", "A:not_started"]
    assert titles(mechanism="bilateral") == []
    assert titles(state_under_review="kz") == [
        "A:implemented",
        "A:not_started",
        "B:in_progress",
        "D:partially_implemented",
    ]
    assert titles(state_under_review="uzbekistan") == []
    assert titles(recommendation=str(Recommendation.objects.get(title="D").pk)) == ["D:partially_implemented"]
    assert titles(updated_after=(timezone.now() + datetime.timedelta(days=1)).isoformat()) == []


def test_status_update_state_filter_refuses_an_unknown_state(rows, api_client):
    response = api_client.get("/api/v1/status-updates/", {"state_under_review": "XX"})
    assert response.status_code == 400
    assert response.json() == {"state_under_review": ["No state with country code or actor slug “XX”."]}


@pytest.mark.parametrize("value", ["KZ", "kz", " uz ", "kazakhstan", "tokayev", "hrw", "XX", "nobody", "K", ""])
def test_state_under_review_filter_refuses_exactly_what_the_queryset_does_not_know(rows, api_client, value):
    from recommendations.querysets import state_under_review

    response = api_client.get("/api/v1/recommendations/", {"state_under_review": value})
    if value and state_under_review(value) is None:
        assert response.status_code == 400
        assert "state_under_review" in response.json()
        assert not Recommendation.objects.for_state_under_review(value).exists()
        return
    assert response.status_code == 200
    expected = Recommendation.objects.for_state_under_review(value) if value else Recommendation.objects.all()
    assert sorted(item["title"] for item in response.json()["results"]) == sorted(r.title for r in expected)


def test_an_actor_without_a_country_under_review_matches_what_is_addressed_to_it(rows):
    """An authority with no country of its own (an international body, say) answers only for
    what is addressed to it."""
    assembly_body = ActorFactory(slug="un-assembly")
    RecommendationFactory(title="E", addressed_to=assembly_body, made_by=ActorFactory())
    assert [r.title for r in Recommendation.objects.for_state_under_review("un-assembly")] == ["E"]
    assert [r.title for r in Recommendation.objects.for_state_under_review(assembly_body)] == ["E"]


@pytest.mark.parametrize(
    ("name", "unused", "unknown"),
    [
        ("theme", "unused-theme", "no-such-theme"),
        ("legal_provision", "unused-provision", "no-such-provision"),
        ("actor", "unused-actor", "no-such-actor"),
        ("state_under_review", "unused-actor", "no-such-actor"),
    ],
)
def test_reference_data_no_public_row_uses_is_refused_like_unknown(rows, name, unused, unknown):
    """Without a request (as an anonymous client), a filter accepts only what the public sees:
    an actor, theme or provision that no published row uses is answered exactly as one that does
    not exist, so the answers do not reveal it."""

    def errors(value):
        filterset = RecommendationFilterSet(querydict({name: value}), queryset=Recommendation.objects.public())
        return None if filterset.is_valid() and filterset.qs is not None else filterset.errors

    def refusal(value):
        try:
            result = errors(value)
        except Exception as error:  # the state filter raises its 400 while filtering
            result = error.message_dict if hasattr(error, "message_dict") else error
        return str(result).replace(value, "<value>")

    assert refusal(unused) == refusal(unknown) != "None"


@pytest.mark.parametrize("value", [",,,", "title,", ",-title"])
def test_an_empty_sort_key_is_a_400_naming_ordering(api_client, value):
    """The comma-separated ordering field lets empty keys through; the schema's enum does not."""
    response = api_client.get("/api/v1/recommendations/", {"ordering": value})
    assert response.status_code == 400
    assert "ordering" in response.json()
    assert api_client.get("/api/v1/recommendations/", {"ordering": "title,-made_on"}).status_code == 200


@pytest.mark.parametrize("value", ["0.0", "3.0", "1e1", "-1", "x"])
def test_a_cycle_or_session_must_be_a_whole_number(api_client, value):
    for name in ("upr_cycle", "upr_session"):
        response = api_client.get("/api/v1/recommendations/", {name: value})
        assert response.status_code == 400, (name, value)
        assert name in response.json()
    assert api_client.get("/api/v1/recommendations/", {"upr_cycle": "3"}).status_code == 200


def test_no_filter_repeats_a_row_or_sorts_every_match(rows, api_client):
    """A row with both themes asked for is listed once, and a status update of it once. The
    filters on a row's own columns (or a to-one relation's) add no DISTINCT: it made the database
    sort every matching row, whole, before it could give the first page."""
    b = Recommendation.objects.get(title="B")
    b.themes.add(Theme.objects.get(slug="assembly"))
    listed = api_client.get("/api/v1/recommendations/", {"theme": ["assembly", "torture"]}).json()["results"]
    assert sorted(item["title"] for item in listed) == ["A", "B"]
    updates = api_client.get("/api/v1/status-updates/", {"theme": ["assembly", "torture"]}).json()["results"]
    assert sorted(item["id"] for item in updates) == sorted(
        StatusUpdate.objects.filter(recommendation__title__in="AB").values_list("id", flat=True)
    )
    own_columns = {
        "/api/v1/recommendations/": {"kind": "promise", "mechanism": "national", "country": "KZ", "sdg": "16"},
        "/api/v1/status-updates/": {"status": "implemented", "kind": "promise", "theme": "assembly"},
        "/api/v1/documents/": {"document_type": "report"},
        "/api/v1/actors/": {"kind": "state"},
    }
    for url, params in own_columns.items():
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url, params).status_code == 200
        assert not [query["sql"] for query in queries if "DISTINCT" in query["sql"]], url
