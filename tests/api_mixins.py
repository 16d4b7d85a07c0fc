"""A reusable set of tests for a read-only API endpoint (NetBox style): a test class sets a few
attributes and inherits list, detail, 404, anonymous refusal of writes, ``q``, ordering, the
"changed since" feed, CSV and a query-count ceiling."""

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone


class ReadOnlyEndpointTests:
    """Set ``basename``, implement ``make(n)`` (create n objects, return them in any order),
    ``search_hit`` (a ``q`` value matching only the first object made) and ``ordering``
    (a field of the list items that the ``ordering`` parameter sorts by)."""

    basename = ""
    ordering = "id"
    search_hit = ""
    max_queries = 4

    def make(self, count):
        raise NotImplementedError

    def list_url(self):
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, pk):
        return reverse(f"api:{self.basename}-detail", args=[pk])

    def test_lists_objects_to_anonymous_clients(self, api_client, db):
        objects = self.make(3)
        response = api_client.get(self.list_url())
        assert response.status_code == 200
        assert response.json()["count"] == len(objects)
        assert {item["id"] for item in response.json()["results"]} == {obj.pk for obj in objects}

    def test_shows_one_object(self, api_client, db):
        obj = self.make(1)[0]
        response = api_client.get(self.detail_url(obj.pk))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    def test_unknown_id_is_404(self, api_client, db):
        self.make(1)
        assert api_client.get(self.detail_url(987654)).status_code == 404
        assert api_client.get(self.detail_url(2**70)).status_code == 404

    def test_refuses_anonymous_writes(self, api_client, db):
        obj = self.make(1)[0]
        assert api_client.post(self.list_url(), {}, format="json").status_code in (401, 403, 405)
        assert api_client.put(self.detail_url(obj.pk), {}, format="json").status_code in (401, 403, 405)
        assert api_client.delete(self.detail_url(obj.pk)).status_code in (401, 403, 405)
        assert type(obj).objects.filter(pk=obj.pk).exists()

    def test_q_finds_a_match_and_misses_the_rest(self, api_client, db):
        objects = self.make(3)
        hit = api_client.get(self.list_url(), {"q": self.search_hit}).json()
        assert [item["id"] for item in hit["results"]] == [objects[0].pk]
        miss = api_client.get(self.list_url(), {"q": "zzqx-nothing-matches"}).json()
        assert miss["count"] == 0

    def test_orders_both_ways(self, api_client, db):
        self.make(3)
        up = [
            item[self.ordering]
            for item in api_client.get(self.list_url(), {"ordering": self.ordering}).json()["results"]
        ]
        down = [
            item[self.ordering]
            for item in api_client.get(self.list_url(), {"ordering": f"-{self.ordering}"}).json()["results"]
        ]
        assert up == sorted(up)
        assert down == sorted(up, reverse=True)
        assert api_client.get(self.list_url(), {"ordering": "bogus"}).status_code == 400

    def test_updated_after_returns_only_what_changed_since(self, api_client, db):
        objects = self.make(2)
        model = type(objects[0])
        model.objects.filter(pk=objects[0].pk).update(updated_at=timezone.now() - datetime.timedelta(days=10))
        since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
        response = api_client.get(self.list_url(), {"updated_after": since})
        assert [item["id"] for item in response.json()["results"]] == [objects[1].pk]
        bad = api_client.get(self.list_url(), {"updated_after": "last week"})
        assert bad.status_code == 400
        assert "updated_after" in bad.json()

    def test_lists_as_csv(self, api_client, db):
        objects = self.make(2)
        response = api_client.get(self.list_url(), {"format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert sorted(int(row["id"]) for row in rows) == sorted(obj.pk for obj in objects)

    def test_query_count_does_not_grow_with_page_size(self, api_client, db, django_assert_max_num_queries):
        self.make(12)
        for page_size in (1, 12):
            with django_assert_max_num_queries(self.max_queries):
                response = api_client.get(self.list_url(), {"page_size": page_size})
            assert len(response.json()["results"]) == page_size
