import pytest

from tests.api_mixins import ReadOnlyEndpointTests
from tests.factories import ThemeFactory, used_publicly

pytestmark = pytest.mark.django_db


class TestThemesEndpoint(ReadOnlyEndpointTests):
    basename = "theme"
    ordering = "name"
    search_hit = "torture"

    def make(self, count):
        names = ["Torture and ill-treatment", "Freedom of assembly", "Media freedom", *[f"T{n}" for n in range(count)]]
        return used_publicly(*(ThemeFactory(name=name) for name in names[:count]))


def test_filters_themes_by_parent(api_client):
    expression, media = used_publicly(ThemeFactory(slug="freedom-of-expression"), ThemeFactory())
    media.parent = expression
    media.save()
    response = api_client.get("/api/v1/themes/", {"parent": "freedom-of-expression"})
    assert [t["id"] for t in response.json()["results"]] == [media.pk]
    assert response.json()["results"][0]["parent"]["slug"] == "freedom-of-expression"
    assert api_client.get("/api/v1/themes/", {"parent": "no-such-theme"}).status_code == 400
