"""The status periods (recommendations/status_periods.py) stay equal to what the published history
says after any sequence of writes through the services and the bulk paths, and the answers read
from them (the list filtered by ``as_of`` + ``status``, ``stats/?as_of=``) are the ones the old
per-row subquery gave."""

import datetime

import pytest
from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from recommendations import bulk, services, status_periods
from recommendations.keyset import made_on_key
from recommendations.models import ImplementationStatus, Recommendation, StatusUpdate
from recommendations.status_periods import StatusPeriod
from tests.factories import RecommendationFactory, SourceDocumentFactory, record_status

D = datetime.date
QUOTE = "the reform   had stalled"
DATES = [D(2019, 1, 1), D(2019, 3, 1), D(2019, 6, 1), D(2019, 6, 30), D(2020, 1, 1)]
ASKED = [*DATES, D(2018, 12, 31), D(2019, 2, 15), D(2019, 12, 31), D(2021, 1, 1)]
STATUSES = ImplementationStatus.values
URL = "/api/v1/recommendations/"


def periods_from_history(updates):
    """The periods of one recommendation from its published assessments (status, as_of,
    created_at, id), in plain Python: per date the last recorded wins; each date's status holds
    until the next date. [(status, starts_on, ends_on)], oldest first."""
    latest = {}
    for status, as_of, _created_at, _pk in sorted(updates, key=lambda row: (row[1], row[2], row[3])):
        latest[as_of] = status
    dates = sorted(latest)
    return [(latest[day], day, dates[i + 1] if i + 1 < len(dates) else None) for i, day in enumerate(dates)]


def stored_periods():
    periods = {}
    for row in StatusPeriod.objects.order_by("recommendation", "starts_on").values_list(
        "recommendation_id", "status", "starts_on", "ends_on", "made_on_key"
    ):
        periods.setdefault(row[0], []).append(row[1:])
    return periods


def expected_periods():
    updates = {}
    for row in StatusUpdate.objects.published().values_list("recommendation_id", "status", "as_of", "created_at", "id"):
        updates.setdefault(row[0], []).append(row[1:])
    made = dict(Recommendation.objects.values_list("pk", "made_on"))
    return {
        pk: [(*period, made[pk] or D.min) for period in periods_from_history(rows)]
        for pk, rows in updates.items()
        if rows
    }


def old_status_on(queryset, on):
    """What the list and the counts read before the periods: a correlated subquery per row for the
    status, and "made by then" with an EXISTS over the history."""
    latest = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk"), as_of__lte=on).latest_first()
    assessed = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk"), as_of__lte=on)
    return (
        queryset.annotate(
            old_status=Coalesce(Subquery(latest.values("status")[:1]), Value(""), output_field=CharField()),
            old_as_of=Subquery(latest.values("as_of")[:1]),
            sort_key=made_on_key(),
        )
        .filter(sort_key__lte=on)
        .filter(Q(made_on__isnull=False) | Exists(assessed))
    )


def assert_answers_match(client, on, statuses):
    """The API's list (as_of + status) and counts (stats/?as_of=) against the old subquery method."""
    old = old_status_on(Recommendation.objects.public(), on)
    wanted = ["" if status == "no_status" else status for status in statuses]
    expected = list(
        old.filter(old_status__in=wanted).order_by("-sort_key", "-id").values_list("pk", "old_status", "old_as_of")
    )
    response = client.get(URL, {"as_of": on.isoformat(), "status": statuses, "page_size": 100})
    assert response.status_code == 200, response.content
    got = [
        (row["id"], row["status"] or "", D.fromisoformat(row["status_as_of"]) if row["status_as_of"] else None)
        for row in response.json()["results"]
    ]
    assert got == expected, (on, statuses)
    counts = {key: 0 for key in [*STATUSES, "no_status"]}
    for status in old.values_list("old_status", flat=True):
        counts[status or "no_status"] += 1
    data = client.get("/api/v1/stats/", {"as_of": on.isoformat()}).json()
    assert data["overall"]["by_status"] == counts
    assert data["overall"]["total"] == sum(counts.values())


# ── one step of the random write sequences: every path that changes published assessments ──

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"), st.integers(0, 3), st.sampled_from(DATES), st.sampled_from(STATUSES), st.booleans()
        ),
        st.tuples(st.just("publish"), st.integers(0, 20)),
        st.tuples(st.just("unpublish"), st.integers(0, 20)),
        st.tuples(st.just("send_back"), st.integers(0, 20)),
        st.tuples(st.just("change"), st.integers(0, 20), st.sampled_from(DATES), st.sampled_from(STATUSES)),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("made_on"), st.integers(0, 3), st.none() | st.sampled_from(DATES)),
        st.tuples(st.just("bulk_made_on"), st.none() | st.sampled_from(DATES)),
        st.tuples(
            st.just("bulk_record_and_publish"),
            st.lists(st.tuples(st.integers(0, 3), st.sampled_from(DATES), st.sampled_from(STATUSES)), max_size=3),
        ),
    ),
    max_size=8,
)


class TestPeriodsFollowEveryWrite(HypothesisTestCase):
    """Each example runs in its own transaction, rolled back afterwards."""

    def setUp(self):
        super().setUp()
        self.document = SourceDocumentFactory()

    def citation(self):
        return [services.CitationInput(document=self.document, quote=QUOTE)]

    def apply(self, recommendations, step):
        kind, *arguments = step
        updates = list(StatusUpdate.objects.order_by("id"))
        picks = ("publish", "unpublish", "send_back", "change", "delete")
        pick = updates[arguments[0] % len(updates)] if updates and kind in picks else None
        if kind == "record":
            number, as_of, status, publish = arguments
            record_status(recommendations[number], status, as_of, self.document, publish=publish)
        elif kind == "bulk_record_and_publish":
            # The importers' bulk record (drafts), then the bulk publish job's service on each row.
            rows = bulk.status_updates_bulk_record(
                updates=[
                    bulk.NewStatusUpdate(
                        recommendation=recommendations[number],
                        status=status,
                        as_of=as_of,
                        summary="Bulk.",
                        citations=self.citation(),
                    )
                    for number, as_of, status in arguments[0]
                ]
            )
            for row in rows:
                services.status_update_publish(status_update=row, process="test")
        elif kind == "made_on":
            number, made_on = arguments
            # Preferably one with a history: its periods carry the date.
            assessed = [update.recommendation_id for update in updates] or [r.pk for r in recommendations]
            recommendation = Recommendation.objects.get(pk=assessed[number % len(assessed)])
            services.recommendation_change(
                recommendation=recommendation, expected_version=recommendation.version, made_on=made_on
            )
        elif kind == "bulk_made_on":
            changes = []
            assessed = {update.recommendation_id for update in updates} or {recommendations[0].pk}
            for recommendation in Recommendation.objects.filter(pk__in=assessed):
                recommendation.made_on = arguments[0]
                changes.append(bulk.BulkChange(recommendation, recommendation.version, fields=["made_on"]))
            bulk.recommendations_bulk_change(changes=changes)
        elif pick is None:
            return
        elif kind == "publish":
            services.status_update_publish(status_update=pick, process="test")
        elif kind == "unpublish":
            services.status_update_unpublish(status_update=pick)
        elif kind == "send_back":
            services.status_update_send_back(status_update=pick, note="Not what the source says.")
        elif kind == "change":
            services.status_update_change(
                status_update=pick, expected_version=pick.version, as_of=arguments[1], status=arguments[2]
            )
        elif kind == "delete":
            services.status_update_delete(status_update=pick)

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors]
    )
    # A recommendation's date changed after its periods were made, alone and in bulk.
    @example(
        made=[D(2019, 1, 1), None, D(2019, 3, 1), None],
        sequence=[("record", 0, D(2019, 3, 1), "in_progress", True), ("made_on", 0, D(2019, 6, 30))],
        on=D(2019, 12, 31),
        statuses=["in_progress"],
    )
    @example(
        made=[None, D(2019, 1, 1), None, None],
        sequence=[("record", 1, D(2019, 3, 1), "stalled", True), ("bulk_made_on", D(2019, 6, 1))],
        on=D(2019, 12, 31),
        statuses=["stalled", "no_status"],
    )
    @given(
        made=st.lists(st.none() | st.sampled_from(DATES), min_size=4, max_size=4),
        sequence=steps,
        on=st.sampled_from(ASKED),
        statuses=st.lists(st.sampled_from([*STATUSES, "no_status"]), min_size=1, max_size=2, unique=True),
    )
    def test_periods_equal_the_history_and_the_answers_the_old_ones(self, made, sequence, on, statuses):
        recommendations = [RecommendationFactory(made_on=made_on) for made_on in made]
        for step in sequence:
            self.apply(recommendations, step)
        assert stored_periods() == expected_periods()
        assert_answers_match(self.client, on, statuses)


@pytest.mark.django_db
class TestRefresh:
    def test_rebuilds_every_recommendation_or_the_ones_given(self):
        document = SourceDocumentFactory()
        first, second = RecommendationFactory(made_on=None), RecommendationFactory()
        record_status(first, "in_progress", D(2019, 3, 1), document)
        record_status(first, "stalled", D(2019, 3, 1), document)  # the same date: the last recorded wins
        record_status(first, "implemented", D(2020, 1, 1), document)
        record_status(second, "not_started", D(2019, 6, 1), document, publish=False)  # a draft: no period
        assert stored_periods() == {
            first.pk: [("stalled", D(2019, 3, 1), D(2020, 1, 1), D.min), ("implemented", D(2020, 1, 1), None, D.min)]
        }
        StatusPeriod.objects.all().delete()
        status_periods.refresh([second.pk])
        assert stored_periods() == {}
        status_periods.refresh(Recommendation.objects.filter(pk=first.pk))
        assert stored_periods() == expected_periods()
        StatusPeriod.objects.all().delete()
        status_periods.refresh()
        assert stored_periods() == expected_periods() and len(stored_periods()[first.pk]) == 2

    def test_deleting_a_recommendation_deletes_its_periods(self):
        recommendation = RecommendationFactory()
        record_status(recommendation, "in_progress", D(2019, 7, 1))
        assert StatusPeriod.objects.filter(recommendation=recommendation).exists()
        recommendation.delete()
        assert not StatusPeriod.objects.exists()

    def test_a_demo_load_builds_its_periods(self):
        from recommendations.demo.generate import generate_demo_data

        generate_demo_data(recommendations=30, seed=5)
        assert stored_periods() == expected_periods() and stored_periods()


@pytest.mark.django_db
class TestListOnADate:
    def test_deep_pages_by_cursor_follow_the_same_order(self, client):
        document = SourceDocumentFactory()
        rows = [RecommendationFactory(made_on=D(2019, 1, 1) + datetime.timedelta(days=n % 5)) for n in range(12)]
        for row in rows:
            record_status(row, "in_progress", D(2019, 2, 1), document)
        url, seen = URL + "?as_of=2019-06-01&status=in_progress&page_size=5", []
        while url:
            data = client.get(url).json()
            seen += [row["id"] for row in data["results"]]
            url = data["next"]
        expected = sorted(rows, key=lambda row: (row.made_on, row.pk), reverse=True)
        assert seen == [row.pk for row in expected]

    def test_query_count_is_fixed(self, client, django_assert_num_queries):
        document = SourceDocumentFactory()
        for number in range(3):
            record_status(RecommendationFactory(), "in_progress", D(2019, 7, 1 + number), document)
        # The capped count, the page, its themes and joint makers: whatever the rows.
        with django_assert_num_queries(4):
            assert client.get(URL, {"as_of": "2019-12-31", "status": "in_progress"}).json()["count"] == 3
        for number in range(5):
            record_status(RecommendationFactory(), "in_progress", D(2019, 8, 1 + number), document)
        with django_assert_num_queries(4):
            assert client.get(URL, {"as_of": "2019-12-31", "status": "in_progress"}).json()["count"] == 8
