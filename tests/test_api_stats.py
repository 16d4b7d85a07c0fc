import csv
import datetime
import io

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from recommendations.models import ImplementationStatus, Recommendation
from recommendations.stats import MAX_TIMELINE_POINTS, timeline_points
from tests.factories import ActorFactory, RecommendationFactory, SourceDocumentFactory, StateFactory, record_status

URL = "/api/v1/stats/"
TIMELINE = "/api/v1/stats/timeline/"
D = datetime.date


@pytest.mark.django_db
class TestStatsOnTheSeedData:
    def test_counts_everything_by_status(self, seeded, api_client):
        overall = api_client.get(URL).json()["overall"]
        assert overall["total"] == Recommendation.objects.count() == 33
        assert sum(overall["by_status"].values()) == 33
        for status in ImplementationStatus.values:
            assert overall["by_status"][status] == Recommendation.objects.filter(current_status=status).count()
        assert overall["by_status"]["no_status"] == Recommendation.objects.filter(current_status="").count()
        implemented = overall["by_status"]["implemented"]
        assert overall["implementation_rate"] == round(implemented / 33, 4)

    def test_the_protest_law_promise_is_overdue_on_new_year_2020_not_on_7_november_2019(self, seeded, api_client):
        key = {"external_id": "seed:tokayev-protest-law-reform"}
        november = api_client.get(URL, {**key, "as_of": "2019-11-07"}).json()["overall"]
        assert (november["total"], november["overdue"], november["by_status"]["not_implemented"]) == (1, 0, 1)
        january = api_client.get(URL, {**key, "as_of": "2020-01-01"}).json()["overall"]
        assert (january["total"], january["overdue"]) == (1, 1)

    def test_as_of_counts_only_what_had_been_made_by_then(self, seeded, api_client):
        picture = api_client.get(URL, {"as_of": "2019-11-07"}).json()
        assert picture["as_of"] == "2019-11-07"
        made_by_then = Recommendation.objects.existing_on(D(2019, 11, 7)).count()
        assert picture["overall"]["total"] == made_by_then < 33
        assert api_client.get(URL, {"as_of": "2019-11-07", "made_after": "2022-01-01"}).json()["overall"]["total"] == 0

    def test_follows_a_status_through_time(self, seeded, api_client):
        key = {"external_id": "seed:tokayev-protest-law-reform"}
        october = api_client.get(URL, {**key, "as_of": "2019-10-15"}).json()["overall"]
        assert october["by_status"]["in_progress"] == 1
        assert october["implementation_rate_with_partial"] == 0.0
        later = api_client.get(URL, {**key, "as_of": "2019-11-07"}).json()["overall"]
        assert (later["by_status"]["in_progress"], later["by_status"]["not_implemented"]) == (0, 1)

    def test_takes_the_list_filters(self, seeded, api_client):
        promises = api_client.get(URL, {"kind": "promise"}).json()["overall"]
        assert promises["total"] == Recommendation.objects.filter(kind="promise").count()
        in_progress = api_client.get(URL, {"status": "in_progress"}).json()["overall"]
        assert in_progress["total"] == in_progress["by_status"]["in_progress"] >= 1

    @pytest.mark.parametrize("group_by", ["theme", "actor", "made_by", "addressed_to", "country", "kind", "mechanism"])
    def test_groups_add_up_to_what_each_group_holds(self, seeded, api_client, group_by):
        data = api_client.get(URL, {"group_by": group_by}).json()
        assert data["group_by"] == group_by
        assert data["groups"]
        for group in data["groups"]:
            assert group["total"] == sum(group["by_status"].values())
        if group_by != "theme":  # a recommendation belongs to one actor, one kind…, but to several themes
            assert sum(group["total"] for group in data["groups"]) == data["overall"]["total"]

    def test_groups_by_kind(self, seeded, api_client):
        groups = {g["key"]: g for g in api_client.get(URL, {"group_by": "kind"}).json()["groups"]}
        assert groups["promise"]["total"] == Recommendation.objects.filter(kind="promise").count()
        assert groups["promise"]["label"].startswith("Promise")

    def test_groups_by_legal_provision(self, seeded, api_client):
        groups = {g["key"]: g for g in api_client.get(URL, {"group_by": "legal_provision"}).json()["groups"]}
        assert groups["kz-criminal-code-174"]["total"] == 1
        assert groups["kz-criminal-code-174"]["label"] == "Criminal Code art. 174 (KZ)"
        assert groups[None]["label"] == "(no legal provision)"

    def test_groups_by_theme_as_of_a_date(self, seeded, api_client):
        data = api_client.get(URL, {"group_by": "theme", "as_of": "2019-11-07"}).json()
        assembly = next(g for g in data["groups"] if g["key"] == "freedom-of-assembly")
        expected = Recommendation.objects.existing_on(D(2019, 11, 7)).filter(themes__slug="freedom-of-assembly").count()
        assert assembly["total"] == expected

    def test_csv_has_one_row_for_all_then_one_per_group(self, seeded, api_client):
        response = api_client.get(URL, {"group_by": "kind", "format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert rows[0]["label"] == "All"
        assert {row["key"] for row in rows} == {"", "promise", "recommendation"}
        assert int(rows[0]["total"]) == 33
        assert "by_status.implemented" in rows[0]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"group_by": "bogus"}, "group_by"),
            ({"as_of": "yesterday"}, "as_of"),
            ({"status": "bogus"}, "status"),
            ({"theme": "no-such-theme"}, "theme"),
            ({"group_by": "kind\x00"}, "group_by"),
        ],
    )
    def test_bad_parameters_are_a_400(self, api_client, params, field):
        response = api_client.get(URL, params)
        assert response.status_code == 400
        assert field in response.json()

    def test_query_count_is_fixed(self, api_client, django_assert_max_num_queries):
        for count in (1, 10):
            for _ in range(count):
                record_status(RecommendationFactory(), ImplementationStatus.STALLED, D(2020, 1, 1))
            with django_assert_max_num_queries(2):
                api_client.get(URL, {"group_by": "theme", "as_of": "2020-06-01"})


@pytest.mark.django_db
class TestTimeline:
    def test_each_point_is_the_picture_on_that_date(self, seeded, api_client):
        data = api_client.get(TIMELINE, {"start": "2019-01-01", "end": "2024-06-15", "interval": "quarter"}).json()
        assert data["points"][0]["date"] == "2019-03-31"
        assert data["points"][-1]["date"] == "2024-06-15"  # the last point is cut to the end
        assert len(data["points"]) == 22
        for point in data["points"][::5] + data["points"][-1:]:
            picture = api_client.get(URL, {"as_of": point["date"]}).json()["overall"]
            assert {key: point[key] for key in picture} == picture

    def test_takes_the_filters(self, seeded, api_client):
        params = {"start": "2019-11-01", "end": "2020-01-31", "external_id": "seed:tokayev-protest-law-reform"}
        points = api_client.get(TIMELINE, params).json()["points"]
        assert [(p["date"], p["by_status"]["not_implemented"], p["overdue"]) for p in points] == [
            ("2019-11-30", 1, 0),
            ("2019-12-31", 1, 0),
            ("2020-01-31", 1, 1),
        ]

    def test_csv_has_one_row_per_point(self, seeded, api_client):
        response = api_client.get(TIMELINE, {"start": "2019-01-01", "end": "2019-12-31", "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [row["date"] for row in rows][:2] == ["2019-01-31", "2019-02-28"]
        assert len(rows) == 12

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start": "2019-01-01"}, "end"),
            ({"start": "2020-01-01", "end": "2019-01-01"}, "end"),
            ({"start": "2019-01-01", "end": "2019-12-31", "interval": "week"}, "interval"),
            ({"start": "1900-01-01", "end": "2100-01-01", "interval": "month"}, "interval"),
            ({"start": "0001-01-01", "end": "9999-12-31", "interval": "year"}, "interval"),
            ({"start": "2019-01-01", "end": "2019-12-31", "kind": "bogus"}, "kind"),
        ],
    )
    def test_bad_parameters_are_a_400(self, api_client, params, field):
        response = api_client.get(TIMELINE, params)
        assert response.status_code == 400
        assert field in response.json()

    def test_the_last_possible_dates_do_not_overflow(self, api_client):
        response = api_client.get(TIMELINE, {"start": "9999-01-01", "end": "9999-12-31", "interval": "quarter"})
        assert response.status_code == 200
        assert response.json()["points"][-1]["date"] == "9999-12-31"

    def test_query_count_does_not_grow_with_the_number_of_points(self, api_client, django_assert_num_queries):
        record_status(RecommendationFactory(), ImplementationStatus.STALLED, D(2020, 1, 1))
        # One counting query (plus, on PostgreSQL, a SET LOCAL), inside a savepoint in tests.
        expected = 4 if connection.vendor == "postgresql" else 3
        for end in ("2019-02-01", "2038-12-31"):
            with django_assert_num_queries(expected):
                response = api_client.get(TIMELINE, {"start": "2019-01-01", "end": end})
            assert response.status_code == 200

    def test_points_are_month_quarter_and_year_ends(self):
        assert timeline_points(D(2019, 11, 7), D(2020, 2, 10), "month") == [
            D(2019, 11, 30),
            D(2019, 12, 31),
            D(2020, 1, 31),
            D(2020, 2, 10),
        ]
        assert timeline_points(D(2019, 2, 1), D(2019, 12, 31), "quarter") == [
            D(2019, 3, 31),
            D(2019, 6, 30),
            D(2019, 9, 30),
            D(2019, 12, 31),
        ]
        assert timeline_points(D(2019, 5, 1), D(2020, 5, 1), "year") == [D(2019, 12, 31), D(2020, 5, 1)]
        assert len(timeline_points(D(2000, 1, 1), D(2019, 12, 31), "month")) == MAX_TIMELINE_POINTS


# ── The property: counts from the API equal a plain-Python computation over random histories ──

# Some of these are month ends, so that assessments and deadlines fall exactly on timeline points.
DATES = [D(2019, 1, 1), D(2019, 3, 1), D(2019, 3, 31), D(2019, 6, 1), D(2019, 6, 30), D(2019, 9, 1), D(2020, 1, 1)]
ASKED = [*DATES, D(2018, 12, 31), D(2019, 2, 15), D(2019, 6, 2), D(2019, 12, 31), D(2021, 1, 1)]
STATUSES = ImplementationStatus.values

histories = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(Recommendation.Kind.values),
            "made_on": st.none() | st.sampled_from(DATES),
            "due_on": st.none() | st.sampled_from(DATES),
            # Several assessments may share a date: the one recorded last must win.
            "history": st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from(STATUSES)), max_size=4),
        }
    ),
    max_size=6,
)


def expected_counts(items, on):
    """The definition, in plain Python: status on D = the latest assessment dated on or before D
    (among equal dates the last recorded); only items made by D (or, made on an unknown date,
    assessed by D); overdue = due before D and not implemented on D."""
    counts = {key: 0 for key in [*STATUSES, "no_status"]}
    overdue = 0
    for item in items:
        held = [(as_of, order, status) for order, (as_of, status) in enumerate(item["history"]) if as_of <= on]
        made = item["made_on"] <= on if item["made_on"] else bool(held)
        if not made:
            continue
        status = max(held)[2] if held else "no_status"
        counts[status] += 1
        if item["due_on"] and item["due_on"] < on and status != "implemented":
            overdue += 1
    total = sum(counts.values())
    rate = round(counts["implemented"] / total, 4) if total else None
    return {"total": total, "by_status": counts, "overdue": overdue, "implementation_rate": rate}


# Each run of the suite makes new TestCase instances; bench/mutation.py runs it several times in
# one process, which Hypothesis would otherwise report as "differing executors".
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.differing_executors]


class TestStatsMatchPlainPython(HypothesisTestCase):
    """Each example runs in its own transaction, rolled back afterwards."""

    def create(self, items):
        document, state, actor = SourceDocumentFactory(), StateFactory(), ActorFactory()
        for item in items:
            due_on = item["due_on"]
            if due_on and item["made_on"] and due_on < item["made_on"]:
                due_on = item["made_on"]
            recommendation = RecommendationFactory(
                kind=item["kind"], made_on=item["made_on"], due_on=due_on, made_by=actor, addressed_to=state
            )
            item["due_on"] = due_on
            for as_of, status in item["history"]:
                record_status(recommendation, status, as_of, document)

    @settings(max_examples=40, deadline=None, suppress_health_check=SUPPRESSED)
    @given(items=histories, on=st.sampled_from(ASKED))
    def test_stats_as_of_match(self, items, on):
        self.create(items)
        data = self.client.get(URL, {"as_of": on.isoformat(), "group_by": "kind"}).json()
        expected = expected_counts(items, on)
        assert {key: data["overall"][key] for key in expected} == expected
        for group in data["groups"]:
            of_kind = expected_counts([item for item in items if item["kind"] == group["key"]], on)
            assert {key: group[key] for key in of_kind} == of_kind

    @settings(max_examples=15, deadline=None, suppress_health_check=SUPPRESSED)
    @given(items=histories)
    def test_timeline_matches(self, items):
        self.create(items)
        data = self.client.get(TIMELINE, {"start": "2018-12-01", "end": "2020-01-15", "interval": "month"}).json()
        for point in data["points"]:
            expected = expected_counts(items, D.fromisoformat(point["date"]))
            assert {key: point[key] for key in expected} == expected


# ── "Overdue", the one rule (querysets.overdue_q), read the same by every count ──────────────


@pytest.mark.django_db
class TestOverdueIsOneRule:
    """Five literal rows, all due on 31 December 2019 but R (no deadline):
    P not started, then implemented in June 2020; Q never assessed; R stalled, no deadline;
    S implemented before its deadline; T stalled."""

    @pytest.fixture
    def rows(self):
        document = SourceDocumentFactory()
        due, made = D(2019, 12, 31), D(2019, 1, 1)
        rows = {title: RecommendationFactory(title=title, made_on=made, due_on=due) for title in "PQST"}
        rows["R"] = RecommendationFactory(title="R", made_on=made, due_on=None)
        record_status(rows["P"], ImplementationStatus.NOT_STARTED, D(2019, 6, 1), document)
        record_status(rows["P"], ImplementationStatus.IMPLEMENTED, D(2020, 6, 1), document)
        record_status(rows["R"], ImplementationStatus.STALLED, D(2019, 6, 1), document)
        record_status(rows["S"], ImplementationStatus.IMPLEMENTED, D(2019, 11, 1), document)
        record_status(rows["T"], ImplementationStatus.STALLED, D(2019, 6, 1), document)
        return rows

    EXPECTED = {
        D(2019, 12, 31): "",  # the deadline day itself is not late
        D(2020, 1, 1): "PQT",
        D(2020, 6, 1): "QT",  # P implemented that day
        None: "QT",  # today
    }

    @pytest.mark.parametrize("on", list(EXPECTED), ids=str)
    def test_the_queryset_the_list_and_the_counts_agree(self, rows, api_client, on):
        expected = self.EXPECTED[on]
        assert "".join(sorted(r.title for r in Recommendation.objects.overdue(on))) == expected
        not_overdue = "".join(sorted(r.title for r in Recommendation.objects.not_overdue(on)))
        assert not_overdue == "".join(sorted(set("PQRST") - set(expected)))
        params = {"as_of": on.isoformat()} if on else {}
        listed = api_client.get("/api/v1/recommendations/", {**params, "overdue": "true"}).json()["results"]
        assert "".join(sorted(item["title"] for item in listed)) == expected
        stats = api_client.get(URL, {**params, "group_by": "kind"}).json()
        assert stats["overall"]["overdue"] == len(expected)
        assert [group["overdue"] for group in stats["groups"]] == [len(expected)]

    def test_the_model_and_the_admin_read_it_for_today(self, rows, admin_client):
        assert {title: row.is_overdue() for title, row in rows.items()} == {
            "P": False,
            "Q": True,
            "R": False,
            "S": False,
            "T": True,
        }
        response = admin_client.get("/admin/recommendations/recommendation/")
        column = {
            obj.title: response.context["cl"].model_admin.overdue_badge(obj) == "Overdue"
            for obj in response.context["cl"].result_list
        }
        assert column == {"P": False, "Q": True, "R": False, "S": False, "T": True}

    def test_the_timeline_counts_the_same(self, rows, api_client):
        points = api_client.get(TIMELINE, {"start": "2019-11-01", "end": "2020-06-30"}).json()["points"]
        assert [(p["date"], p["overdue"]) for p in points] == [
            ("2019-11-30", 0),
            ("2019-12-31", 0),
            ("2020-01-31", 3),
            ("2020-02-29", 3),
            ("2020-03-31", 3),
            ("2020-04-30", 3),
            ("2020-05-31", 3),
            ("2020-06-30", 2),
        ]
        for point in points:
            picture = api_client.get(URL, {"as_of": point["date"]}).json()["overall"]
            assert picture["overdue"] == point["overdue"]
