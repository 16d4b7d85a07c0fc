"""The UPR Info import service (``recommendations.upr_import``) and its encoding detection."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.db.models import QuerySet

from recommendations import services
from recommendations.importers import ImportRefused, import_file, short_title
from recommendations.importers.sessions import upr_cycle
from recommendations.importers.states import country_code
from recommendations.models import Actor, Recommendation, Theme
from recommendations.text_encoding import decode_text
from tests.factories import RecommendationFactory, StateFactory, ThemeFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "upr-sample-macroman.csv").read_bytes()
HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\r\n"


def csv_bytes(*rows: str, encoding="utf-8") -> bytes:
    return (HEADER + "".join(f"{row}\r\n" for row in rows)).encode(encoding)


def snapshot():
    """Everything the import may touch, to prove that it touched nothing."""
    through = Recommendation.themes.through
    return (
        list(Recommendation.objects.order_by("id").values()),
        sorted(through.objects.values_list("recommendation_id", "theme_id")),
        list(Actor.objects.order_by("id").values()),
        list(Theme.objects.order_by("id").values()),
    )


def imported(text_part):
    return Recommendation.objects.get(text__contains=text_part)


def issues_and_themes(recommendation):
    """The issues the file named (kept on the row) and the slugs of the curated themes they map to."""
    return (
        set(recommendation.source_themes.values_list("name", flat=True)),
        set(recommendation.themes.values_list("slug", flat=True)),
    )


class TestReadingRealExportQuirks:
    def test_reads_mac_roman_with_bare_carriage_returns(self):
        report = import_file(content=SAMPLE)
        assert report.encoding == "mac-roman" and report.encoding_detected
        assert (
            imported("land concessions").text
            == "Consult the Guaraní communities before granting land concessions in the Chaco"
        )
        assert Actor.objects.filter(name="Côte d'Ivoire").exists()

    def test_keeps_a_line_break_inside_a_quoted_text_cell(self):
        import_file(content=SAMPLE)
        text = imported("peaceful assemblies").text
        assert text == (
            "Amend the law on peaceful assemblies so that a notification suffices;\n"
            "release those detained for peaceful protest"
        )

    def test_keeps_each_issue_of_a_multi_theme_cell_and_gives_its_curated_theme(self):
        import_file(content=SAMPLE)
        assert issues_and_themes(imported("peaceful assemblies")) == (
            {"Freedom of association and peaceful assembly", "Human rights defenders"},
            {"freedom-of-assembly", "human-rights-defenders"},
        )
        assert issues_and_themes(imported("residential care")) == (
            {"Rights of the Child", "Women's rights"},
            {"childrens-rights", "womens-rights"},
        )

    def test_stores_an_exact_duplicate_row_once_and_reports_it(self):
        report = import_file(content=SAMPLE)
        assert Recommendation.objects.filter(text__startswith="Ratify the Optional Protocol").count() == 1
        assert [(d.number, d.first_number) for d in report.duplicates] == [(6, 4)]
        assert report.per_state["Kazakhstan"].duplicates == 1
        assert report.rows == 6 and report.totals.created == 5

    def test_reads_utf8_with_a_byte_order_mark_and_crlf_endings(self):
        row = "Kazakhstan,,,Abolish the death penalty,France,,,Accepted,5,Death penalty,7"
        content = "\ufeff".encode() + csv_bytes(row)
        report = import_file(content=content)
        assert report.encoding == "utf-8"
        assert imported("death penalty").made_by.country.code == "FR"

    def test_reads_windows_1252(self):
        row = "Bolivia,,,Protect the Guaraní “now”,Spain,,,Accepted,5,Indigenous peoples,7"
        content = csv_bytes(row, encoding="cp1252")
        assert import_file(content=content).encoding == "cp1252"
        assert imported("Protect the").text == "Protect the Guaraní “now”"

    def test_an_encoding_given_overrides_detection(self):
        report = import_file(content=SAMPLE, encoding="mac_roman")
        assert report.encoding == "mac-roman" and not report.encoding_detected
        assert imported("land concessions").text.startswith("Consult the Guaraní communities")

    def test_a_wrong_encoding_given_is_refused_with_its_line(self):
        with pytest.raises(ImportRefused, match=r"not valid utf-8: byte 0x92 on line 2"):
            import_file(content=SAMPLE, encoding="utf-8")
        assert not Recommendation.objects.exists()

    def test_an_unknown_encoding_name_is_refused(self):
        with pytest.raises(ImportRefused, match="not a text encoding"):
            import_file(content=SAMPLE, encoding="klingon")


class TestMapping:
    def test_maps_a_row_onto_a_upr_recommendation(self):
        import_file(content=SAMPLE)
        recommendation = imported("Optional Protocol")
        assert recommendation.mechanism == Recommendation.Mechanism.UPR
        assert recommendation.kind == Recommendation.Kind.RECOMMENDATION
        assert (recommendation.upr_session, recommendation.upr_cycle) == (20, 2)
        assert recommendation.context == "UPR session 20 (cycle 2)"
        assert recommendation.state_response == Recommendation.StateResponse.SUPPORTED
        assert recommendation.upr_action_category == 5
        # The export gives no date: the month of the session is inferred, and says so.
        assert (recommendation.made_on, recommendation.made_on_precision) == (datetime.date(2014, 10, 1), "month")
        assert recommendation.made_on_basis == "inferred" and "session 20" in recommendation.date_note
        assert recommendation.external_id.startswith("upr:") and len(recommendation.external_id) == 68
        assert (recommendation.addressed_to.name, recommendation.addressed_to.kind) == ("Kazakhstan", "state")
        assert recommendation.addressed_to.country.code == "KZ"
        assert recommendation.made_by.country.code == "CI"
        assert imported("peaceful assemblies").state_response == Recommendation.StateResponse.NOTED

    def test_gives_observer_states_and_upr_info_spellings_their_country_codes(self):
        report = import_file(content=SAMPLE)
        codes = dict(Actor.objects.values_list("name", "country"))
        assert codes["Holy See"] == "VA"
        assert codes["DPR Korea"] == "KP"
        assert codes["Republic of Korea"] == "KR"
        assert report.names_without_country == []

    def test_reports_names_without_a_country_code(self):
        report = import_file(content=csv_bytes("Kazakhstan,,,Do more,Atlantis,,,Accepted,4,General,7"))
        assert report.names_without_country == ["Atlantis"]
        assert Actor.objects.get(name="Atlantis").kind == Actor.Kind.STATE

    def test_attaches_rows_to_the_curated_state_actor_by_country_code(self):
        curated = StateFactory(name="Republic of Kazakhstan", slug="kazakhstan", country="KZ")
        report = import_file(content=SAMPLE)
        assert Recommendation.objects.filter(addressed_to=curated).count() == 3
        assert not Actor.objects.filter(name="Kazakhstan").exists()
        assert "Kazakhstan" not in report.new_actors

    def test_a_non_state_actor_with_the_same_slug_is_not_taken_for_the_state(self):
        ngo = Actor.objects.create(name="Bolivia Watch", slug="bolivia", kind=Actor.Kind.NGO)
        import_file(content=SAMPLE)
        state = imported("Guaraní").addressed_to
        assert state != ngo and state.kind == Actor.Kind.STATE and state.slug == "bolivia-2"

    def test_maps_onto_existing_curated_themes_by_slug_or_name(self):
        # The shipped mapping names curated themes by slug; a curated theme a curator renamed is still it,
        # and one of the shipped name under another slug is not made twice.
        by_slug = ThemeFactory(name="Defenders", slug="human-rights-defenders")
        by_name = ThemeFactory(name="CHILDREN'S RIGHTS", slug="children")
        # An issue the shipped mapping does not know maps onto a curated theme of its name, in any case.
        zebras = ThemeFactory(name="ZEBRA WELFARE", slug="zebras")
        report = import_file(content=SAMPLE + b"Kazakhstan,,,Protect zebras,France,,,Accepted,4,Zebra welfare,7\r")
        assert by_slug in imported("peaceful assemblies").themes.all()
        assert by_name in imported("residential care").themes.all()
        assert list(imported("Protect zebras").themes.all()) == [zebras]
        assert "Defenders" not in report.new_themes and "Children's rights" not in report.new_themes
        assert Theme.objects.filter(name__iexact="children's rights").count() == 1
        assert report.unmapped_issues == []

    def test_blank_or_pending_response_means_no_response_yet(self):
        import_file(
            content=csv_bytes(
                "Kazakhstan,,,First ask,France,,,,4,General,7",
                "Kazakhstan,,,Second ask,France,,,Pending,,General,7",
            )
        )
        assert imported("First ask").state_response == ""
        assert (imported("Second ask").state_response, imported("Second ask").upr_action_category) == ("", None)

    def test_titles_are_cut_at_a_word_boundary(self):
        text = "Take all necessary measures to protect journalists " * 5
        title = short_title(text)
        assert len(title) <= 120 and title.endswith("journalists Take all…")
        assert text.startswith(title.removesuffix("…") + " ")  # whole words only
        assert short_title("Short text\n here") == "Short text here"

    def test_sessions_map_to_their_cycles(self):
        assert [upr_cycle(s) for s in (1, 12, 13, 26, 27, 40, 41, 54, 55)] == [1, 1, 2, 2, 3, 3, 4, 4, None]

    def test_country_codes_for_upr_info_spellings(self):
        assert [country_code(n) for n in ("United States", "Iran", "Russian Federation", "Cote d'Ivoire")] == [
            "US",
            "IR",
            "RU",
            "CI",
        ]


class TestIdempotence:
    def test_importing_the_same_file_again_changes_nothing(self):
        import_file(content=SAMPLE)
        before = snapshot()
        report = import_file(content=SAMPLE)
        assert snapshot() == before
        assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (0, 0, 5)
        assert report.totals.duplicates == 1 and not report.changed

    def test_an_updated_file_updates_what_changed_and_says_so(self):
        import_file(content=SAMPLE)
        untouched = imported("Optional Protocol")
        changed_before = imported("peaceful assemblies")
        report = import_file(content=SAMPLE.replace(b"Noted,5", b"Accepted,5"))
        assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (0, 1, 4)
        assert report.per_state["Kazakhstan"].updated == 1
        [change] = report.changes
        assert (change.number, change.action) == (3, "update")
        assert change.changes == (("state_response", "noted", "supported"),)
        changed = imported("peaceful assemblies")
        assert changed.state_response == Recommendation.StateResponse.SUPPORTED
        assert changed.updated_at > changed_before.updated_at  # the API's "changed since" feed sees it
        assert imported("Optional Protocol").updated_at == untouched.updated_at

    def test_a_new_issue_adds_its_theme_and_keeps_curated_themes_and_title(self):
        import_file(content=SAMPLE)
        recommendation = imported("Optional Protocol")
        curated_theme = ThemeFactory(name="Detention monitoring")
        recommendation.themes.add(curated_theme)
        Recommendation.objects.filter(pk=recommendation.pk).update(title="Ratify OPCAT")
        two_issues = SAMPLE.replace(
            b"International instruments", b'"International instruments,Torture and other CID treatment"'
        )
        report = import_file(content=two_issues)
        assert report.totals.updated == 1  # the duplicate row carries the same change and is still a duplicate
        assert issues_and_themes(imported("Optional Protocol")) == (
            {"International instruments", "Torture and other CID treatment"},
            {"international-instruments", "torture", curated_theme.slug},
        )
        assert imported("Optional Protocol").title == "Ratify OPCAT"

    def test_whitespace_in_the_text_does_not_make_a_new_recommendation(self):
        import_file(content=csv_bytes("Kazakhstan,,,Abolish  the death penalty,France,,,Accepted,5,General,7"))
        report = import_file(content=csv_bytes("Kazakhstan,,,Abolish the death penalty ,France,,,Accepted,5,General,7"))
        assert Recommendation.objects.count() == 1
        assert report.totals.updated == 1 and report.changes[0].changes[0][0] == "text"

    def test_the_same_text_from_another_state_or_session_is_another_recommendation(self):
        import_file(
            content=csv_bytes(
                "Kazakhstan,,,Abolish the death penalty,France,,,Accepted,5,Death penalty,7",
                "Kazakhstan,,,Abolish the death penalty,Spain,,,Accepted,5,Death penalty,7",
                "Kazakhstan,,,Abolish the death penalty,France,,,Noted,5,Death penalty,20",
            )
        )
        assert Recommendation.objects.count() == 3


class TestAtomicFailure:
    def test_an_unknown_response_stops_the_import_with_its_row_number(self):
        import_file(content=SAMPLE)
        before = snapshot()
        with pytest.raises(ImportRefused, match=r"^Row 4, column Response: unknown response “Maybe”"):
            import_file(content=(DATA / "upr-sample-bad-response.csv").read_bytes())
        assert snapshot() == before

    def test_nothing_of_a_bad_file_is_written_even_rows_before_the_bad_one(self):
        with pytest.raises(ImportRefused, match="Row 4"):
            import_file(content=(DATA / "upr-sample-bad-response.csv").read_bytes())
        assert not Recommendation.objects.exists() and not Actor.objects.exists() and not Theme.objects.exists()

    def test_a_missing_column_is_named(self):
        with pytest.raises(ImportRefused, match=r"^Row 1 \(the header\): missing column Response\."):
            import_file(content=(DATA / "upr-sample-missing-column.csv").read_bytes())
        assert not Recommendation.objects.exists()

    def test_a_row_with_too_few_values_is_named(self):
        content = csv_bytes("Kazakhstan,,,Do more,France,,,Accepted,4,General,7", "Kazakhstan,,,Do less,France")
        with pytest.raises(ImportRefused, match=r"^Row 3: expected 11 values \(one per column\), found 5"):
            import_file(content=content)
        assert not Recommendation.objects.exists()

    def test_a_stray_quote_is_an_unreadable_row(self):
        content = csv_bytes(
            "Kazakhstan,,,Do more,France,,,Accepted,4,General,7",
            "Kazakhstan,,,Do more,France,,,Accepted,4,General,7",
            'Kazakhstan,,,"Release" him,France,,,Accepted,4,General,7',
        )
        with pytest.raises(ImportRefused, match=r"^Row 4: the row cannot be read as CSV"):
            import_file(content=content)
        assert not Recommendation.objects.exists()

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("Action", "column Action: expected UPR Info's action category, 1 to 5, found “7”"),
            ("Session", "column Session: expected a UPR session number, found “twenty”"),
            ("To", "column To: the cell is empty"),
        ],
    )
    def test_bad_values_are_named(self, cell, message):
        values = {"To": "Kazakhstan", "Action": "4", "Session": "20"}
        values[cell] = {"Action": "7", "Session": "twenty", "To": ""}[cell]
        row = f"{values['To']},,,Do more,France,,,Accepted,{values['Action']},General,{values['Session']}"
        with pytest.raises(ImportRefused, match=f"^Row 2, {message}"):
            import_file(content=csv_bytes(row))

    def test_two_rows_for_one_recommendation_that_disagree_are_refused(self):
        content = csv_bytes(
            "Kazakhstan,,,Abolish the death penalty,France,,,Accepted,5,Death penalty,7",
            "Kazakhstan,,,Abolish the death penalty,France,,,Noted,5,Death penalty,7",
        )
        with pytest.raises(ImportRefused) as error:
            import_file(content=content)
        assert str(error.value) == (
            "Row 3: the same recommendation as row 2 (same session, states and text) but Response “Accepted” "
            "on row 2 and “Noted” on row 3. Remove one of the two rows and import again."
        )
        assert not Recommendation.objects.exists()

    def test_a_failure_while_writing_rolls_back_everything(self, monkeypatch):
        import_file(content=csv_bytes("Kazakhstan,,,Abolish the death penalty,France,,,Accepted,5,General,7"))
        before = snapshot()
        through = Recommendation.themes.through
        bulk_create = QuerySet.bulk_create

        def fail_on_theme_links(queryset, objs, *args, **kwargs):
            # The theme links are written last, after the actors, themes and recommendations.
            if queryset.model is through:
                raise IntegrityError("simulated: another import wrote the same rows")
            return bulk_create(queryset, objs, *args, **kwargs)

        monkeypatch.setattr(QuerySet, "bulk_create", fail_on_theme_links)
        with pytest.raises(ImportRefused, match="Nothing was written; try again"):
            import_file(content=SAMPLE)
        assert snapshot() == before

    def test_a_number_in_another_script_is_refused_not_crashed_on(self):
        with pytest.raises(ImportRefused, match=r"^Row 2, column Action: expected"):
            import_file(content=csv_bytes("Kazakhstan,,,Do more,France,,,Accepted,²,General,7"))

    def test_rows_listing_the_same_issues_in_another_order_are_duplicates(self):
        report = import_file(
            content=csv_bytes(
                'Kazakhstan,,,Do more,France,,,Accepted,4,"Justice,Detention",7',
                'Kazakhstan,,,Do more,France,,,Accepted,4,"Detention, Justice",7',
            )
        )
        assert report.totals.created == 1 and report.totals.duplicates == 1

    def test_an_empty_file_is_refused(self):
        with pytest.raises(ImportRefused, match="The file is empty"):
            import_file(content=b"")
        with pytest.raises(ImportRefused, match="no rows"):
            import_file(content=HEADER.encode())


class TestDryRun:
    def test_a_dry_run_writes_nothing_and_reports_what_an_import_would(self):
        dry = import_file(content=SAMPLE, dry_run=True)
        assert snapshot() == ([], [], [], [])
        real = import_file(content=SAMPLE)
        assert dry.dry_run and not real.dry_run
        assert dry.per_state == real.per_state
        assert dry.changes == real.changes and dry.duplicates == real.duplicates
        assert dry.new_actors == real.new_actors and dry.new_themes == real.new_themes

    def test_a_dry_run_of_an_updated_file_reports_the_update_without_making_it(self):
        import_file(content=SAMPLE)
        report = import_file(content=SAMPLE.replace(b"Noted,5", b"Accepted,5"), dry_run=True)
        assert report.totals.updated == 1
        assert imported("peaceful assemblies").state_response == Recommendation.StateResponse.NOTED


class TestStateUnderReview:
    def test_filters_by_country_code_slug_or_actor(self):
        import_file(content=SAMPLE)
        kazakhstan = Actor.objects.get(name="Kazakhstan")
        president = Actor.objects.create(name="President", slug="president", kind="head_of_state", country="KZ")
        promise = RecommendationFactory(addressed_to=president, made_by=president)
        expected = {*Recommendation.objects.filter(addressed_to=kazakhstan), promise}
        assert set(Recommendation.objects.for_state_under_review("KZ")) == expected
        assert set(Recommendation.objects.for_state_under_review("kz")) == expected
        assert set(Recommendation.objects.for_state_under_review(kazakhstan.slug)) == expected
        assert set(Recommendation.objects.for_state_under_review(kazakhstan)) == expected
        assert Recommendation.objects.for_state_under_review("BO").count() == 1

    def test_unknown_states_match_nothing(self):
        import_file(content=SAMPLE)
        assert not Recommendation.objects.for_state_under_review("atlantis").exists()
        assert not Recommendation.objects.for_state_under_review("FR").exists()

    def test_an_actor_without_a_country_matches_what_is_addressed_to_it(self):
        import_file(content=csv_bytes("Atlantis,,,Do more,France,,,Accepted,4,General,7"))
        atlantis = Actor.objects.get(name="Atlantis")
        assert list(Recommendation.objects.for_state_under_review(atlantis)) == [imported("Do more")]


class TestEncodingDetection:
    @pytest.mark.parametrize(
        ("encoding", "line_end"),
        [("utf-8", "\n"), ("cp1252", "\r\n"), ("mac_roman", "\r"), ("mac_roman", "\r\n"), ("utf-16", "\n")],
    )
    def test_reads_western_text_in_the_encodings_exports_use(self, encoding, line_end):
        text = f"Le café “quoted” naïve – Ærø Straße São Tomé, Côte d'Ivoire{line_end}" * 3
        assert decode_text(text.encode(encoding)).text == text

    def test_reads_cyrillic_windows_1251(self):
        text = "Рекомендация Казахстану: отменить смертную казнь.\n" * 5
        assert decode_text(text.encode("cp1251")).text == text


class TestCommand:
    def run(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("import_upr", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_imports_and_prints_a_summary_per_state_under_review(self):
        out, _ = self.run(str(DATA / "upr-sample-macroman.csv"))
        assert "6 rows read as upr-info, comma-separated text in mac-roman (detected)" in out
        assert re.search(r"^Kazakhstan\s+3\s+0\s+0\s+1$", out, re.MULTILINE)
        assert re.search(r"^Total\s+5\s+0\s+0\s+1$", out, re.MULTILINE)
        assert "row 6 repeats row 4 exactly (Kazakhstan): stored once." in out
        assert "Imported: 5 created, 0 updated, 0 unchanged, 1 duplicate row stored once." in out
        assert Recommendation.objects.count() == 5

    def test_a_second_run_says_nothing_changed(self):
        self.run(str(DATA / "upr-sample-macroman.csv"))
        out, _ = self.run(str(DATA / "upr-sample-macroman.csv"))
        assert "Nothing to change: 0 created, 0 updated, 5 unchanged, 1 duplicate row stored once." in out

    def test_lists_updated_rows_and_what_changed(self, tmp_path):
        self.run(str(DATA / "upr-sample-macroman.csv"))
        updated = tmp_path / "updated.csv"
        updated.write_bytes(SAMPLE.replace(b"Noted,5", b"Accepted,5"))
        out, _ = self.run(str(updated))
        assert "row 3 (Kazakhstan ← Norway): state_response: noted → supported" in out
        assert "Imported: 0 created, 1 updated, 4 unchanged" in out

    def test_dry_run_reports_and_writes_nothing(self):
        out, _ = self.run(str(DATA / "upr-sample-macroman.csv"), "--dry-run")
        assert "Dry run: nothing was written. Would have: 5 created" in out
        assert not Recommendation.objects.exists()

    def test_a_bad_file_is_a_readable_error_and_imports_nothing(self):
        with pytest.raises(
            CommandError, match=r"Row 4, column Response: unknown response “Maybe”.*\nNothing was imported"
        ):
            self.run(str(DATA / "upr-sample-bad-response.csv"))
        assert not Recommendation.objects.exists()

    def test_a_missing_file_is_a_readable_error(self, tmp_path):
        with pytest.raises(CommandError, match=r"Cannot read .*nope\.csv: No such file or directory"):
            self.run(str(tmp_path / "nope.csv"))

    def test_the_encoding_option_is_used(self):
        out, _ = self.run(str(DATA / "upr-sample-macroman.csv"), "--encoding", "mac_roman")
        assert "in mac-roman (as given)" in out

    def test_verbosity_0_prints_only_the_outcome(self):
        out, _ = self.run(str(DATA / "upr-sample-macroman.csv"), "-v", "0")
        assert out == "Imported: 5 created, 0 updated, 0 unchanged, 1 duplicate row stored once.\n"

    def test_warns_about_names_without_a_country_code(self, tmp_path):
        path = tmp_path / "atlantis.csv"
        path.write_bytes(csv_bytes("Kazakhstan,,,Do more,Atlantis,,,Accepted,4,General,7"))
        _, err = self.run(str(path))
        assert "No country code found for: Atlantis" in err


def test_curated_kazakhstan_data_and_imported_rows_live_side_by_side():
    call_command("load_seeds", stdout=io.StringIO())
    kazakhstan = Actor.objects.get(slug="kazakhstan")
    curated = set(Recommendation.objects.for_state_under_review(kazakhstan).values_list("pk", flat=True))
    actors_before = Actor.objects.count()
    report = import_file(content=SAMPLE)
    from_upr = set(
        Recommendation.objects.filter(addressed_to=kazakhstan, external_id__startswith="upr:").values_list(
            "pk", flat=True
        )
    )
    assert len(curated) > 20 and len(from_upr) == 3
    assert set(Recommendation.objects.for_state_under_review("KZ").values_list("pk", flat=True)) == curated | from_upr
    assert "Kazakhstan" not in report.new_actors and Actor.objects.count() == actors_before + len(report.new_actors)
    # An imported issue and the curated taxonomy meet in one theme.
    defenders = Theme.objects.get(slug="human-rights-defenders")
    assert {key.split(":")[0] for key in defenders.recommendations.values_list("external_id", flat=True)} == {
        "seed",
        "upr",
    }


class TestReviewAndHistory:
    """Imported rows follow the same review, versioning and history rules as any other change."""

    def test_new_rows_are_drafts_unless_published(self):
        import_file(content=SAMPLE)
        assert set(Recommendation.objects.values_list("review_state", flat=True)) == {"draft"}
        assert not Recommendation.objects.public().exists()

    def test_publishing_rows_one_imports_oneself_is_self_review(self, make_staff):
        """The publish rule of every other write: whoever adds rows may not also confirm them."""
        reviewer = make_staff("Reviewer")
        with pytest.raises(PermissionDenied, match="another reviewer must confirm"):
            import_file(content=SAMPLE, user=reviewer, publish=True)
        assert not Recommendation.objects.exists()

    def test_publish_makes_the_new_rows_public_at_once(self, make_staff, settings):
        settings.ALLOW_SELF_REVIEW = True
        reviewer = make_staff("Reviewer")
        report = import_file(content=SAMPLE, user=reviewer, publish=True)
        assert Recommendation.objects.public().count() == report.totals.created
        assert set(Recommendation.objects.values_list("published_by", flat=True)) == {reviewer.pk}

    def test_an_editor_may_import_drafts_but_not_publish(self, make_staff):
        editor = make_staff("Editor")
        with pytest.raises(PermissionDenied, match="Only a reviewer can publish"):
            import_file(content=SAMPLE, user=editor, publish=True)
        assert not Recommendation.objects.exists()
        import_file(content=SAMPLE, user=editor)
        assert Recommendation.objects.filter(review_state="draft").count() == 5

    def test_only_a_reviewer_may_change_published_rows(self, make_staff):
        import_file(content=SAMPLE, publish=True)
        before = snapshot()
        updated_file = SAMPLE.replace(b"Noted,5", b"Accepted,5")
        with pytest.raises(PermissionDenied, match=r"1 rows would change recommendations that are already published"):
            import_file(content=updated_file, user=make_staff("Editor"))
        assert snapshot() == before
        report = import_file(content=updated_file, user=make_staff("Reviewer"))
        assert report.totals.updated == 1

    def test_every_created_row_has_a_first_version_with_its_themes(self, make_staff):
        editor = make_staff("Editor")
        import_file(content=SAMPLE, user=editor)
        for recommendation in Recommendation.objects.prefetch_related("themes"):
            [version] = recommendation.history.all()
            assert (version.history_type, version.history_user, version.history_change_reason) == (
                "+",
                editor,
                "Import of upload",
            )
            assert {t.theme_id for t in version.themes.all()} == {t.pk for t in recommendation.themes.all()}

    def test_an_update_is_a_new_version_in_history(self):
        import_file(content=SAMPLE)
        changed = imported("peaceful assemblies")
        import_file(content=SAMPLE.replace(b"Noted,5", b"Accepted,5"))
        updated = imported("peaceful assemblies")
        assert updated.version == changed.version + 1
        latest, first = updated.history.all()[:2]
        assert (latest.history_type, latest.state_response, first.state_response) == ("~", "supported", "noted")
        # A curator holding the old version cannot now save over the imported change.
        with pytest.raises(services.ConcurrentEditError):
            services.recommendation_change(recommendation=changed, expected_version=changed.version, title="x")

    def test_the_command_publishes_only_when_asked(self, tmp_path):
        path = tmp_path / "sample.csv"
        path.write_bytes(SAMPLE)
        call_command("import_upr", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        assert not Recommendation.objects.public().exists()
        call_command("import_upr", str(path), "--publish", stdout=io.StringIO(), stderr=io.StringIO())
        # The rows exist already, so nothing is created and --publish publishes nothing new.
        assert not Recommendation.objects.public().exists()
        Recommendation.objects.all().delete()
        call_command("import_upr", str(path), "--publish", stdout=io.StringIO(), stderr=io.StringIO())
        assert Recommendation.objects.public().count() == 5
