import pytest

from tests.api_mixins import ReadOnlyEndpointTests
from tests.factories import ActorFactory, used_publicly

pytestmark = pytest.mark.django_db


class TestActorsEndpoint(ReadOnlyEndpointTests):
    basename = "actor"
    ordering = "name"
    search_hit = "zebra"

    def make(self, count):
        names = ["Zebra Rights Watch", "Alpha Union", "Middle Council", *[f"Actor {n}" for n in range(count)]]
        return used_publicly(*(ActorFactory(name=name) for name in names[:count]))


def test_filters_actors_by_kind_and_parent(api_client):
    state = ActorFactory(kind="state", slug="kazakhstan")
    envoy = ActorFactory(kind="envoy", part_of=state)
    used_publicly(state, envoy)
    url = "/api/v1/actors/"
    assert [a["id"] for a in api_client.get(url, {"kind": "envoy"}).json()["results"]] == [envoy.pk]
    assert api_client.get(url, {"kind": "ngo"}).json()["count"] == 0
    assert [a["id"] for a in api_client.get(url, {"part_of": "kazakhstan"}).json()["results"]] == [envoy.pk]
    assert api_client.get(url, {"kind": "bogus"}).status_code == 400
