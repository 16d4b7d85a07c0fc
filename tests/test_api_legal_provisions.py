import pytest

from tests.api_mixins import ReadOnlyEndpointTests
from tests.factories import LegalProvisionFactory, RecommendationFactory, used_publicly

pytestmark = pytest.mark.django_db


class TestLegalProvisionsEndpoint(ReadOnlyEndpointTests):
    basename = "legalprovision"
    ordering = "article"
    search_hit = "strife"

    def make(self, count):
        titles = ["Inciting strife", "False information", "Peaceful assembly", *[f"P{n}" for n in range(count)]]
        return used_publicly(*(LegalProvisionFactory(title=title) for title in titles[:count]))


def test_finds_a_provision_by_slug_and_labels_it(seeded, api_client):
    response = api_client.get("/api/v1/legal-provisions/", {"slug": "kz-criminal-code-174"})
    [provision] = response.json()["results"]
    assert provision["label"] == "Criminal Code art. 174 (KZ)"
    assert provision["title"].startswith("Inciting social")
    assert api_client.get("/api/v1/legal-provisions/", {"slug": "kz-criminal-code-999"}).json()["count"] == 0


def test_one_label_in_the_list_the_stats_and_the_admin(api_client):
    expected = {
        "kz-174": "Criminal Code art. 174 (KZ)",
        "kz-constitution": "Constitution (KZ)",
        "iccpr-21": "ICCPR art. 21",
        "iccpr": "ICCPR",
    }
    values = {
        "kz-174": ("KZ", "Criminal Code", "174"),
        "kz-constitution": ("KZ", "Constitution", ""),
        "iccpr-21": ("", "ICCPR", "21"),
        "iccpr": ("", "ICCPR", ""),
    }
    for slug, (country, instrument, article) in values.items():
        provision = LegalProvisionFactory(slug=slug, country=country, instrument=instrument, article=article)
        RecommendationFactory().legal_provisions.add(provision)
        assert str(provision) == expected[slug]  # the admin's label
    listed = api_client.get("/api/v1/legal-provisions/").json()["results"]
    assert {item["slug"]: item["label"] for item in listed} == expected
    groups = api_client.get("/api/v1/stats/", {"group_by": "legal_provision"}).json()["groups"]
    assert {group["key"]: group["label"] for group in groups} == expected
