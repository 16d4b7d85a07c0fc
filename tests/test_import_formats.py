"""The formats and shapes of file the import reads (issue 12), the state-name resolver, and the
dated, cited UPR rows (issue 9). Sample files: tests/data (written by make_samples.py)."""

import codecs
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from recommendations.importers import ImportRefused, import_file
from recommendations.importers.sessions import sessions, upr_session
from recommendations.importers.states import country_code, is_placeholder
from recommendations.importers.tables import FileKind, file_kind
from recommendations.models import Actor, Citation, Recommendation, SourceDocument

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MACROMAN = (DATA / "upr-sample-macroman.csv").read_bytes()
SUR = {suffix: (DATA / f"upr-info-sur.{suffix}").read_bytes() for suffix in ("csv", "xls", "xlsx")}


def database():
    """The imported recommendations, as the API would show them (ids and timestamps aside)."""
    return sorted(
        (
            r.external_id,
            r.kind,
            r.text,
            r.made_by.name,
            r.addressed_to.name,
            r.state_response,
            r.upr_session,
            r.upr_action_category,
            r.made_on,
            tuple(sorted(r.themes.values_list("name", flat=True))),
        )
        for r in Recommendation.objects.select_related("made_by", "addressed_to")
    )


class TestDetection:
    @pytest.mark.parametrize(
        ("name", "kind"),
        [("upr-info-sur.xls", FileKind.XLS), ("upr-info-sur.xlsx", FileKind.XLSX), ("upr-info-sur.csv", FileKind.TEXT)],
    )
    def test_recognises_the_kind_of_file_from_its_first_bytes(self, name, kind):
        assert file_kind((DATA / name).read_bytes()) == kind

    def test_recognises_a_word_document(self):
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        assert file_kind(buffer.getvalue()) == FileKind.DOCX

    @pytest.mark.parametrize(
        ("name", "description"),
        [
            ("upr-info-sur.csv", "comma-separated text in utf-8"),
            ("upr-info-semicolon-cp1252.csv", "semicolon-separated text in cp1252"),
            ("upr-info-utf16.txt", "tab-separated text in utf-16"),
            ("upr-info-sur.xls", "an Excel workbook (.xls)"),
            ("upr-info-sur.xlsx", "an Excel workbook (.xlsx)"),
        ],
    )
    def test_reads_every_shape_a_spreadsheet_program_writes(self, name, description):
        report = import_file(content=(DATA / name).read_bytes(), file_name=name)
        assert (report.format, report.file_description) == ("upr-info", description)
        assert report.totals.created >= 5

    def test_lower_case_semicolon_cp1252_and_utf16_read_as_the_comma_file_does(self):
        import_file(content=MACROMAN)
        expected = database()
        for name in ("upr-info-semicolon-cp1252.csv", "upr-info-utf16.txt"):
            report = import_file(content=(DATA / name).read_bytes(), file_name=name)
            assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (0, 0, 5), name
        assert database() == expected

    def test_a_file_of_another_layout_is_refused_listing_its_headers_and_the_layouts_known(self):
        with pytest.raises(ImportRefused) as error:
            import_file(content=(DATA / "not-an-export.csv").read_bytes())
        message = str(error.value)
        assert "Found (comma-separated text in utf-8): Name, Country, Date" in message
        assert "To, To-Rgrp, To-Org, Text, From" in message and "SuR, Rgrp, Org, Recommendation, RS" in message
        assert not Recommendation.objects.exists()

    def test_a_word_document_is_refused_while_no_format_reads_it(self):
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        with pytest.raises(ImportRefused, match="a Word document"):
            import_file(content=buffer.getvalue(), format="upr-info")


class TestUprInfoOwnExport:
    def test_the_same_rows_as_csv_xls_and_xlsx_give_the_same_database(self):
        snapshots = []
        for suffix in ("csv", "xls", "xlsx"):
            report = import_file(content=SUR[suffix], file_name=f"upr-info-sur.{suffix}")
            assert report.totals.created == 6, suffix
            snapshots.append(database())
            Recommendation.objects.all().delete()
        assert snapshots[0] == snapshots[1] == snapshots[2]

    def test_a_second_format_of_the_same_rows_changes_nothing_but_is_cited(self):
        import_file(content=SUR["csv"])
        report = import_file(content=SUR["xlsx"], file_name="upr-info-sur.xlsx")
        assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (0, 0, 6)

    def test_a_voluntary_pledge_is_a_promise_made_by_and_addressed_to_the_state(self):
        import_file(content=SUR["xls"])
        pledge = Recommendation.objects.get(text__startswith="Submit the overdue reports")
        assert pledge.kind == Recommendation.Kind.PROMISE and pledge.mechanism == "upr"
        assert pledge.made_by == pledge.addressed_to and pledge.made_by.country.code == "KZ"
        assert pledge.state_response == ""
        assert (pledge.made_on, pledge.made_on_precision) == (datetime.date(2014, 10, 1), "month")

    def test_rows_identical_but_for_their_issues_are_merged_with_a_warning(self):
        report = import_file(content=SUR["csv"])
        trafficking = Recommendation.objects.get(text__startswith="Strengthen the protection of victims")
        assert set(trafficking.source_themes.values_list("name", flat=True)) == {"Migrants", "Trafficking"}
        assert set(trafficking.themes.values_list("slug", flat=True)) == {"migrants", "human-trafficking"}
        assert [(d.number, d.first_number) for d in report.merged] == [(6, 5)]
        assert any("Row 6 repeats row 5 except for its issues" in warning for warning in report.warnings)

    def test_states_are_resolved_and_placeholders_make_no_actor(self):
        report = import_file(content=SUR["csv"])
        codes = {actor.name: actor.country.code for actor in Actor.objects.filter(kind="state")}
        assert codes["St Lucia"] == "LC" and codes["Antigua & Barbuda"] == "AG"
        assert codes["Republic of Moldova"] == "MD" and codes["United Republic of Tanzania"] == "TZ"
        assert codes["Democratic People's Republic of Korea"] == "KP" and codes["St Kitts & Nevis"] == "KN"
        assert codes["Sao Tome & Principe"] == "ST"
        assert not Actor.objects.filter(name__icontains="unknown").exists()
        assert report.skipped_rows == [7]
        assert any("“(Unknown)” names no state" in warning for warning in report.warnings)
        assert report.names_without_country == []
        assert Recommendation.objects.for_state_under_review("LC").count() == 1

    def test_only_the_state_under_review_asked_for(self):
        report = import_file(content=SUR["csv"], state_under_review="KZ")
        assert set(report.per_state) == {"Kazakhstan"}
        assert not Recommendation.objects.exclude(addressed_to__country="KZ").exists()
        with pytest.raises(ImportRefused, match="no rows for the state under review “France”"):
            import_file(content=SUR["csv"], state_under_review="France")

    def test_the_command_and_its_alias(self, tmp_path, capsys):
        path = tmp_path / "export.xls"
        path.write_bytes(SUR["xls"])
        call_command("import_recommendations", str(path), "--format", "upr-info", "--dry-run")
        assert not Recommendation.objects.exists()
        call_command("import_upr", str(path), "--state-under-review", "Kazakhstan")
        assert Recommendation.objects.count() == 3
        err = capsys.readouterr().err
        assert "Row 6 repeats row 5 except for its issues" in err


class TestStateNames:
    @pytest.mark.parametrize(
        ("name", "code"),
        [
            ("St Lucia", "LC"),
            ("St Vincent & the Grenadines", "VC"),
            ("Bolivia (Plurinational State of)", "BO"),
            ("C&ocirc;te d&#39;Ivoire", "CI"),
            ("Holy See", "VA"),
            ("Lao PDR", "LA"),
            ("Sovereign Military Order of Malta", ""),
        ],
    )
    def test_variants_resolve_to_one_code(self, name, code):
        assert country_code(name) == code

    def test_placeholders(self):
        assert is_placeholder("&#40;Unknown&#41;") and is_placeholder("N/A") and is_placeholder(" ")
        assert not is_placeholder("Niger")


class TestDatedAndCitedRows:
    def test_the_session_table_knows_kazakhstans_reviews(self):
        assert upr_session(7).month == datetime.date(2010, 2, 1)  # 12 February 2010
        assert upr_session(20).month == datetime.date(2014, 10, 1)  # 30 October 2014
        assert upr_session(34).month == datetime.date(2019, 11, 1)  # 7 November 2019
        assert upr_session(6).month == datetime.date(2009, 12, 1)  # opened on 30 November
        assert upr_session(999) is None
        numbers = sorted(sessions())
        assert numbers == list(range(1, len(numbers) + 1))
        for session in sessions().values():
            assert session.first_day <= session.last_day and session.month.day == 1
            assert session.month.replace(day=1) in (session.first_day.replace(day=1), session.last_day.replace(day=1))

    def test_each_imported_row_cites_its_row_of_the_stored_file(self):
        report = import_file(content=MACROMAN, file_name="upr-sample-macroman.csv")
        document = SourceDocument.objects.get(external_id=report.document)
        assert document.document_type == SourceDocument.DocumentType.DATASET
        assert document.text == codecs.decode(MACROMAN, "mac_roman")
        row = Recommendation.objects.get(text__contains="peaceful assemblies")
        [citation] = row.citations.all()
        assert citation.location == "row 3" and citation.document == document
        assert citation.passage == row.text  # the offsets point at the row's own words
        call_command("verify_evidence", stdout=io.StringIO())  # raises on any problem

    def test_spreadsheet_rows_cite_the_sheet_written_out_as_text(self):
        import_file(content=SUR["xlsx"], file_name="upr-info-sur.xlsx")
        citation = Citation.objects.get(recommendation__text__startswith="Adopt a law against domestic violence")
        assert citation.location == "row 3" and citation.passage == citation.recommendation.text
        assert citation.document.text.splitlines()[0].startswith("SuR\tRgrp\tOrg\tRecommendation")

    def test_existing_undated_rows_get_their_month_and_citation_once(self):
        import_file(content=MACROMAN)
        # Rows imported before dates and citations existed.
        Recommendation.objects.update(made_on=None, made_on_basis="stated", made_on_precision="day", date_note="")
        Citation.objects.all().delete()
        report = import_file(content=MACROMAN)
        assert report.totals.updated == 5
        row = Recommendation.objects.get(text__contains="land concessions")
        assert (row.made_on, row.made_on_precision, row.made_on_basis) == (
            datetime.date(2010, 2, 1),
            "month",
            "inferred",
        )
        assert row.citations.count() == 1
        before = list(Recommendation.objects.order_by("id").values())
        again = import_file(content=MACROMAN)
        assert not again.changed and list(Recommendation.objects.order_by("id").values()) == before
        assert Citation.objects.count() == 5

    def test_a_curated_date_is_kept(self):
        import_file(content=MACROMAN)
        row = Recommendation.objects.get(text__contains="land concessions")
        Recommendation.objects.filter(pk=row.pk).update(made_on=datetime.date(2010, 2, 12), made_on_precision="day")
        assert not import_file(content=MACROMAN).changed

    def test_imported_rows_count_in_as_of_and_timeline_figures(self, api_client):
        import_file(content=MACROMAN, publish=True)
        stats = "/api/v1/stats/"
        assert api_client.get(stats, {"mechanism": "upr"}).json()["overall"]["total"] == 5
        # Sessions 7 (February 2010), 19 (April 2014) and 20 (October 2014).
        counts = {
            on: api_client.get(stats, {"mechanism": "upr", "as_of": on}).json()["overall"]["total"]
            for on in ("2010-01-31", "2010-02-01", "2014-04-30", "2014-10-31")
        }
        assert counts == {"2010-01-31": 0, "2010-02-01": 2, "2014-04-30": 3, "2014-10-31": 5}
        points = api_client.get(
            "/api/v1/stats/timeline/",
            {"mechanism": "upr", "start": "2010-01-01", "end": "2014-12-31", "interval": "year"},
        ).json()["points"]
        assert [(point["date"], point["total"]) for point in points] == [
            ("2010-12-31", 2),
            ("2011-12-31", 2),
            ("2012-12-31", 2),
            ("2013-12-31", 2),
            ("2014-12-31", 5),
        ]
