import pytest

from tests.api_mixins import ReadOnlyEndpointTests
from tests.factories import LegalProvisionFactory

pytestmark = pytest.mark.django_db


class TestLegalProvisionsEndpoint(ReadOnlyEndpointTests):
    basename = "legalprovision"
    ordering = "article"
    search_hit = "strife"

    def make(self, count):
        titles = ["Inciting strife", "False information", "Peaceful assembly", *[f"P{n}" for n in range(count)]]
        return [LegalProvisionFactory(title=title) for title in titles[:count]]


def test_finds_a_provision_by_slug_and_labels_it(seeded, api_client):
    response = api_client.get("/api/v1/legal-provisions/", {"slug": "kz-criminal-code-174"})
    [provision] = response.json()["results"]
    assert provision["label"] == "Criminal Code art. 174 (KZ)"
    assert provision["title"].startswith("Inciting social")
    assert api_client.get("/api/v1/legal-provisions/", {"slug": "kz-criminal-code-999"}).json()["count"] == 0
