"""``q`` on the reference lists: each searches the fields its label names, and nothing else."""

import pytest

from tests.factories import ActorFactory, ClusterFactory, LegalProvisionFactory, SourceDocumentFactory, ThemeFactory


@pytest.mark.parametrize(
    ("endpoint", "make_match", "make_other", "query"),
    [
        ("actors", lambda: ActorFactory(name="Ministry of Justice"), lambda: ActorFactory(), "justice"),
        ("themes", lambda: ThemeFactory(slug="torture-prevention"), lambda: ThemeFactory(), "TORTURE"),
        # An article matches exactly ("17" is not article 174), the instrument by its words.
        (
            "legal-provisions",
            # Slugs of their own: the factory's numbered ones ("provision-17") would match "17" too.
            lambda: LegalProvisionFactory(article="17", slug="criminal-code-short"),
            lambda: LegalProvisionFactory(article="174", slug="criminal-code-long"),
            "17",
        ),
        ("legal-provisions", lambda: LegalProvisionFactory(instrument="Labour Code"), LegalProvisionFactory, "labour"),
        (
            "documents",
            lambda: SourceDocumentFactory(publisher="Kazakhstan Bureau"),
            SourceDocumentFactory,
            "bureau",
        ),
        ("clusters", lambda: ClusterFactory(description="Decriminalise defamation"), ClusterFactory, "defamation"),
    ],
)
def test_q_finds_the_row_by_its_named_fields_only(api_client, admin_user, endpoint, make_match, make_other, query):
    api_client.force_authenticate(admin_user)  # staff see every row, so only q decides
    match, other = make_match(), make_other()

    found = api_client.get(f"/api/v1/{endpoint}/", {"q": f"  {query} "}).json()["results"]
    everything = api_client.get(f"/api/v1/{endpoint}/", {"q": "   "}).json()["results"]

    assert [row["id"] for row in found] == [match.pk]
    assert {match.pk, other.pk} <= {row["id"] for row in everything}
