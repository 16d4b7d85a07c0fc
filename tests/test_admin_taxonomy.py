"""The reference-data lists count the recommendations tagged with each entry."""

import pytest
from django.urls import reverse

from recommendations.models import AffectedGroup, SustainableDevelopmentGoal
from tests.factories import LegalProvisionFactory, RecommendationFactory, ThemeFactory


def _tag(field, entry, count):
    for _ in range(count):
        getattr(RecommendationFactory(), field).add(entry)


@pytest.mark.parametrize(
    ("field", "make", "url_name"),
    [
        ("themes", lambda n: ThemeFactory(), "theme"),
        ("legal_provisions", lambda n: LegalProvisionFactory(), "legalprovision"),
        ("sdgs", lambda n: SustainableDevelopmentGoal.objects.get(number=n), "sustainabledevelopmentgoal"),
        (
            "affected_groups",
            lambda n: AffectedGroup.objects.create(slug=f"group-{n}", name=f"Group {n}"),
            "affectedgroup",
        ),
    ],
)
def test_each_taxonomy_list_counts_and_sorts_by_its_recommendations(admin_client, field, make, url_name):
    entry, later = make(5), make(6)
    _tag(field, entry, 3)
    _tag(field, later, 1)  # made later and named after: first in any other order
    url = reverse(f"admin:recommendations_{url_name}_changelist")

    response = admin_client.get(url, {"o": "-" + str(response_column(admin_client, url))})

    rows = list(response.context["cl"].result_list)
    assert rows[0] == entry
    assert rows[0].recommendation_total == 3
    assert all(row.recommendation_total <= 3 for row in rows)


def response_column(admin_client, url):
    """The 1-based position of the "recommendations" column, for the admin's ``o=`` sort key."""
    changelist = admin_client.get(url).context["cl"]
    return list(changelist.list_display).index("recommendation_count")
