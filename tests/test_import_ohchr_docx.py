"""OHCHR's thematic lists of UPR recommendations (Word), in both layouts (issue 12): paragraph and
report symbol as identity, every recommending state, position, themes, groups of persons, SDGs,
an NGO's filled-in assessments as draft status updates, and refusals that write nothing."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from recommendations.importers import ImportRefused, import_file
from recommendations.importers.ohchr_docx import split_known
from recommendations.models import Actor, Citation, Recommendation, SourceDocument, StatusUpdate, Theme
from tests import docx_samples
from tests.factories import ActorFactory
from tests.jobs_helpers import run_queued_jobs

pytestmark = pytest.mark.django_db


def imported(content, **arguments):
    return import_file(content=content, file_name="slovenia.docx", **arguments)


def test_the_current_layout():
    report = imported(docx_samples.thematic_list())
    assert report.format == "ohchr-docx"
    assert report.totals.created == 2
    ratify = Recommendation.objects.get(external_id="ohchr:A/HRC/59/15:140.7")
    assert ratify.text == "Ratify the Optional Protocol to the Convention against Torture without delay"
    assert ratify.addressed_to.country.code == "SI"
    # Every recommending state made it: the first named is made_by, the others also_made_by.
    assert ratify.made_by.country.code == "MV"
    assert sorted(actor.country.code for actor in ratify.also_made_by.all()) == ["BO", "PT"]
    assert ratify.state_response == Recommendation.StateResponse.SUPPORTED
    assert ratify.mechanism == Recommendation.Mechanism.UPR
    assert ratify.upr_session == 48 and ratify.made_on == datetime.date(2025, 1, 1)
    # A theme whose name holds commas stays one theme. OHCHR's themes are kept by name; no mapping
    # onto curated themes ships for them, so the import reports them for curators to map.
    uhri_themes = [
        "Economic, social & cultural rights - general measures of implementation",
        "Torture and other cruel, inhuman or degrading treatment",
    ]
    assert sorted(ratify.source_themes.values_list("name", flat=True)) == uhri_themes
    assert set(ratify.source_themes.values_list("vocabulary", flat=True)) == {"uhri"}
    assert not ratify.themes.exists()
    assert set(uhri_themes) <= set(report.unmapped_issues)
    assert sorted(ratify.affected_groups.values_list("slug", flat=True)) == [
        "human-rights-defenders",
        "persons-deprived-of-their-liberty",
    ]
    assert list(ratify.sdgs.values_list("number", flat=True)) == [16]
    assert "theme: A41 Constitutional and legislative framework" in ratify.context
    # It cites the stored document at the paragraph, and the quote is where the offsets say.
    citation = ratify.citations.get()
    assert citation.document.document_type == SourceDocument.DocumentType.DATASET
    assert citation.location == "para. 140.7 of A/HRC/59/15"
    assert citation.document.text[citation.quote_start : citation.quote_end] == ratify.text


def test_a_position_with_more_words_and_two_goals():
    imported(docx_samples.thematic_list())
    amend = Recommendation.objects.get(external_id="ohchr:A/HRC/59/15:140.12")
    assert amend.state_response == Recommendation.StateResponse.NOTED
    assert amend.made_by.country.code == "NO" and not amend.also_made_by.exists()
    assert sorted(amend.sdgs.values_list("number", flat=True)) == [5, 16]
    assert list(amend.affected_groups.values_list("slug", flat=True)) == ["journalists"]


def test_a_reimport_changes_nothing():
    imported(docx_samples.thematic_list())
    before = {r.pk: r.version for r in Recommendation.objects.all()}
    report = imported(docx_samples.thematic_list())
    assert report.totals.created == 0 and report.totals.updated == 0 and report.totals.unchanged == 2
    assert {r.pk: r.version for r in Recommendation.objects.all()} == before


def test_joint_recommendations_in_the_api_filters_and_detail(api_client):
    imported(docx_samples.thematic_list(), publish=False)
    Recommendation.objects.update(review_state="published")
    portugal = Actor.objects.get(country="PT")
    listed = api_client.get("/api/v1/recommendations/", {"made_by": portugal.slug}).json()["results"]
    assert [item["external_id"] for item in listed] == ["ohchr:A/HRC/59/15:140.7"]
    assert sorted(actor["slug"] for actor in listed[0]["also_made_by"]) == sorted(
        Actor.objects.filter(country__in=["PT", "BO"]).values_list("slug", flat=True)
    )
    by_actor = api_client.get("/api/v1/recommendations/", {"actor_id": portugal.pk}).json()
    assert by_actor["count"] == 1
    stats = api_client.get("/api/v1/stats/", {"sdg": "16", "affected_group": "journalists"}).json()
    assert stats["overall"]["total"] == 1


def test_the_admin_shows_joint_states(admin_client):
    imported(docx_samples.thematic_list())
    ratify = Recommendation.objects.get(external_id="ohchr:A/HRC/59/15:140.7")
    page = admin_client.get(f"/admin/recommendations/recommendation/{ratify.pk}/change/")
    assert page.status_code == 200
    assert 'name="also_made_by"' in page.content.decode()


def test_the_earlier_layout_with_an_ngo_assessment():
    ngo = ActorFactory(slug="kiba", name="KIBHR", kind=Actor.Kind.NGO)
    report = imported(docx_samples.earlier_list(), assessed_by="kiba", assessed_on=datetime.date(2025, 3, 1))
    assert report.totals.created == 2 and report.assessments == 1
    law = Recommendation.objects.get(external_id="ohchr:A/HRC/28/7:120.3")
    assert law.upr_session == 20 and law.made_on == datetime.date(2014, 10, 1)
    assert list(law.sdgs.values_list("number", flat=True)) == [5, 16]
    assert list(law.affected_groups.values_list("slug", flat=True)) == ["women-girls"]
    update = StatusUpdate.objects.get(recommendation=law)
    assert update.status == "partially_implemented"
    assert update.review_state == "draft"  # a reviewer publishes it
    assert update.assessed_by == ngo and update.assessor_kind == StatusUpdate.AssessorKind.NGO
    assert update.as_of == datetime.date(2025, 3, 1)
    quote = update.citations.get()
    assert quote.quote == "Partially implemented: the law was adopted in 2024; courts have not yet applied it."
    assert quote.location == "para. 120.3 of A/HRC/28/7, Assessment/comments on level of implementation"
    assert quote.document.text[quote.quote_start : quote.quote_end] == quote.quote
    # The empty assessment cell records nothing; an inline list of groups is split after the
    # known names (which hold commas) are taken whole.
    release = Recommendation.objects.get(external_id="ohchr:A/HRC/28/7:120.9")
    assert not release.status_updates.exists()
    assert sorted(release.affected_groups.values_list("slug", flat=True)) == ["journalists", "lgbti-persons"]
    # Imported again: the assessment is not recorded twice.
    again = imported(docx_samples.earlier_list(), assessed_by="kiba", assessed_on=datetime.date(2025, 3, 1))
    assert again.assessments == 0 and StatusUpdate.objects.count() == 1


def test_assessments_need_an_assessor_and_a_date():
    with pytest.raises(ImportRefused, match=r"Row 2, column Assessment/comments.*--assessed-by"):
        imported(docx_samples.earlier_list())
    assert not Recommendation.objects.exists()


def test_an_assessment_without_a_status_is_refused_naming_row_and_column():
    ActorFactory(slug="kiba", kind=Actor.Kind.NGO)
    rows = [(*docx_samples.EARLIER_ROWS[0][:3], "The law was adopted.")]
    content = docx_samples.thematic_list(
        heading="UPR of Slovenia (2nd Cycle – 20th session)", columns=docx_samples.EARLIER_COLUMNS, rows=rows
    )
    with pytest.raises(ImportRefused, match=r"Row 2, column “Assessment/comments.*must begin with a status"):
        imported(content, assessed_by="kiba", assessed_on=datetime.date(2025, 3, 1))
    assert not Recommendation.objects.exists() and not Theme.objects.exists()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("Ratify the Convention (Portugal);", "paragraph number"),
        ("140.3 Ratify the Convention;", "no recommending state"),
    ],
)
def test_a_bad_recommendation_cell_is_refused_and_nothing_is_written(cell, message):
    rows = [(cell, "Supported", "- Torture", "")]
    with pytest.raises(ImportRefused, match=rf"Row 2, column “Recommendation and recommending State”: .*{message}"):
        imported(docx_samples.thematic_list(rows=rows))
    assert not Recommendation.objects.exists() and not Actor.objects.exists()


def test_an_unknown_position_is_refused():
    rows = [("140.3 Ratify the Convention (Portugal);", "Pending", "- Torture", "")]
    with pytest.raises(ImportRefused, match=r"Row 2, column “Position of the State under review”: expected"):
        imported(docx_samples.thematic_list(rows=rows))


def test_the_state_under_review_from_the_command_line_when_the_header_has_none():
    with pytest.raises(ImportRefused, match="--state-under-review"):
        imported(docx_samples.thematic_list(heading=""))
    imported(docx_samples.thematic_list(heading=""), state_under_review="Slovenia")
    assert Recommendation.objects.filter(addressed_to__country="SI").count() == 2


def test_a_header_about_another_state_is_refused():
    with pytest.raises(ImportRefused, match="about Slovenia"):
        imported(docx_samples.thematic_list(), state_under_review="KZ")


def test_a_word_document_without_the_table_lists_what_it_found():
    content = docx_samples.thematic_list(columns=("Paragraph", "Text", "Notes", "More"), rows=[])
    with pytest.raises(ImportRefused, match=r"Its tables' first rows: Paragraph, Text, Notes, More.*Known layouts"):
        imported(content)


def test_the_command(tmp_path, capsys):
    ActorFactory(slug="kiba", kind=Actor.Kind.NGO)
    path = tmp_path / "slovenia-2nd-cycle.docx"
    path.write_bytes(docx_samples.earlier_list())
    call_command("import_recommendations", str(path), "--dry-run", "--assessed-by=kiba", "--assessed-on=2025-03-01")
    assert "Would have: 2 created" in capsys.readouterr().out
    assert not Recommendation.objects.exists()
    call_command("import_recommendations", str(path), "--assessed-by=kiba", "--assessed-on=2025-03-01")
    out = capsys.readouterr().out
    assert "2 created" in out and "1 assessment recorded as draft status update" in out
    with pytest.raises(CommandError, match="not a date"):
        call_command("import_recommendations", str(path), "--assessed-by=kiba", "--assessed-on=March")


def test_split_known_takes_names_with_commas_whole():
    vocabulary = ["Lesbian, gay, bisexual, transgender and intersex persons", "Journalists"]
    assert split_known("Journalists, Lesbian, gay, bisexual, transgender and intersex persons, Youth", vocabulary) == [
        "Lesbian, gay, bisexual, transgender and intersex persons",
        "Journalists",
        "Youth",
    ]


def test_history_records_the_joint_states():
    imported(docx_samples.thematic_list())
    ratify = Recommendation.objects.get(external_id="ohchr:A/HRC/59/15:140.7")
    first = ratify.history.earliest()
    assert sorted(link.actor.country.code for link in first.also_made_by.all()) == ["BO", "PT"]
    assert Citation.objects.filter(recommendation=ratify).count() == 1


def test_the_admin_import_page_takes_the_assessor_and_date(client, settings, tmp_path):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    ActorFactory(slug="kiba", kind=Actor.Kind.NGO)
    user = get_user_model().objects.create_user(username="importer", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_recommendation", "add_recommendation", "change_recommendation"])
    )
    client.force_login(user)
    url = reverse("admin:recommendations_recommendation_import_upr")
    file = SimpleUploadedFile("slovenia.docx", docx_samples.earlier_list())
    refused = client.post(url, {"file": file})
    assert "--assessed-by" in refused.content.decode() and not Recommendation.objects.exists()
    file = SimpleUploadedFile("slovenia.docx", docx_samples.earlier_list())
    preview = client.post(url, {"file": file, "assessed_by": "kiba", "assessed_on": "2025-03-01"})
    assert preview.status_code == 200 and not Recommendation.objects.exists()
    assert "1 assessment recorded as draft status update" in preview.content.decode()
    client.post(url, {"token": preview.context["pending"].token})
    run_queued_jobs()  # the confirmation queues the import; a worker runs it
    update = StatusUpdate.objects.get()
    assert update.as_of == datetime.date(2025, 3, 1) and update.recorded_by == user
    assert update.review_state == "draft"
