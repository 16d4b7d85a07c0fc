"""One theme vocabulary (issue 10): imported UPR Info issues are kept on the row by name and mapped
onto the curated themes through the mapping table, so one theme filter or stats group counts
curated and imported rows alike; a curator's change of a mapping is applied with history."""

import csv
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from recommendations import theme_mapping
from recommendations.importers import import_file
from recommendations.importers.formats import ReadOptions, Source, choose
from recommendations.models import Recommendation, SourceTheme, Theme
from tests.factories import RecommendationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).parent / "data" / "upr-info-themes.csv").read_bytes()
# UPR Info's real exports (test input only, not shipped: see the README there); beside the checkout.
DATASETS = Path(os.environ.get("UPR_DATASETS_DIR", Path(__file__).resolve().parents[2] / "shared" / "datasets"))
EXPORTS = ("upr-info-sessions-06-09.csv", "upr-info-sessions-17-20.csv")


def imported(text_part):
    return Recommendation.objects.get(text__contains=text_part)


def slugs(recommendation):
    return set(recommendation.themes.values_list("slug", flat=True))


def issues(recommendation):
    return set(recommendation.source_themes.values_list("name", flat=True))


class TestImport:
    def test_an_issue_gives_its_curated_theme_and_is_kept_by_name(self):
        import_file(content=SAMPLE, file_name="themes.csv")
        gatherings = imported("peaceful gatherings")
        assert issues(gatherings) == {"Freedom of association and peaceful assembly"}
        assert slugs(gatherings) == {"freedom-of-assembly"}
        assert issues(imported("associations")) == {
            "Freedom of association and peaceful assembly",
            "Human rights defenders",
        }
        assert slugs(imported("associations")) == {"freedom-of-assembly", "human-rights-defenders"}
        # A curated theme the shipped mapping needs is created with its shipped name and parent.
        press = Theme.objects.get(slug="media-freedom")
        assert press.name == "Media freedom" and press.parent.slug == "freedom-of-expression"
        assert slugs(imported("journalists")) == {"media-freedom", "freedom-of-assembly"}

    def test_the_curated_theme_is_the_seeds_own(self, seeded):
        before = Theme.objects.count()
        report = import_file(content=SAMPLE, file_name="themes.csv")
        assembly = Theme.objects.get(slug="freedom-of-assembly")
        assert assembly in imported("peaceful gatherings").themes.all()
        # The seeds hold every curated theme these rows map onto: none is added.
        assert report.new_themes == []
        assert Theme.objects.count() == before

    def test_an_unmapped_issue_is_reported_and_kept_by_name(self):
        report = import_file(content=SAMPLE, file_name="themes.csv")
        sports = imported("sports centres")
        assert issues(sports) == {"Sport for all", "Rights of the Child"}
        assert slugs(sports) == {"childrens-rights"}
        assert report.unmapped_issues == ["Sport for all"]
        assert "Sport for all" in report.new_issues
        assert SourceTheme.objects.get(name="Sport for all").themes.count() == 0

    def test_the_command_reports_the_unmapped_issue(self, tmp_path, capsys):
        path = tmp_path / "themes.csv"
        path.write_bytes(SAMPLE)
        call_command("import_recommendations", str(path))
        err = capsys.readouterr().err
        assert "1 issue maps onto no curated theme: Sport for all." in err

    def test_two_known_issues_mapping_onto_one_theme_give_it_once(self):
        # "Right to housing" and "Right to land" both map onto the right to housing and land.
        import_file(
            content=SAMPLE
            + b"Kazakhstan,,,Build homes,France,,,Accepted,4,Right to housing,20\r\n"
            + b"Kazakhstan,,,Register land,France,,,Accepted,4,Right to land,20\r\n",
            file_name="first.csv",
        )
        import_file(
            content=SAMPLE
            + b'Kazakhstan,,,Title deeds for homes,Chile,,,Accepted,4,"Right to housing, Right to land",20\r\n',
            file_name="second.csv",
        )
        assert issues(imported("Title deeds")) == {"Right to housing", "Right to land"}
        assert slugs(imported("Title deeds")) == {"right-to-housing"}

    def test_a_curators_mapping_wins_over_the_shipped_one(self):
        mine = ThemeFactory(name="Civic space", slug="civic-space")
        source = SourceTheme.objects.create(vocabulary="upr_info", name="FREEDOM OF ASSOCIATION AND PEACEFUL ASSEMBLY")
        source.themes.set([mine])
        import_file(content=SAMPLE, file_name="themes.csv")
        assert slugs(imported("peaceful gatherings")) == {"civic-space"}
        assert list(imported("peaceful gatherings").source_themes.all()) == [source]  # matched in any case
        assert SourceTheme.objects.filter(name__iexact="freedom of association and peaceful assembly").count() == 1

    def test_a_dry_run_writes_no_mapping(self):
        report = import_file(content=SAMPLE, file_name="themes.csv", dry_run=True)
        assert report.unmapped_issues == ["Sport for all"]
        assert not SourceTheme.objects.exists() and not Theme.objects.exists()


class TestOneFilter:
    """A theme filter and a stats group count curated (seed) and imported rows alike."""

    def test_the_api_list_and_stats_count_curated_and_imported_rows(self, seeded, api_client):
        def listed():
            query = {"theme": "freedom-of-assembly", "page_size": 100}
            return {row["title"] for row in api_client.get("/api/v1/recommendations/", query).json()["results"]}

        def grouped():
            groups = api_client.get("/api/v1/stats/", {"group_by": "theme"}).json()["groups"]
            return {group["key"]: group for group in groups}

        curated = listed()
        assert len(curated) >= 7  # the seeds' own
        assert grouped()["freedom-of-assembly"]["total"] == len(curated)
        import_file(content=SAMPLE, file_name="themes.csv", publish=True)
        after = listed()
        assert after - curated == {
            "Allow peaceful gatherings on notification alone",
            "Register independent associations without delay",
            "Protect journalists covering protests",
        }
        groups = grouped()
        assert groups["freedom-of-assembly"]["total"] == len(curated) + 3
        assert not any(group["label"] == "Freedom of association and peaceful assembly" for group in groups.values())

    def test_the_api_shows_the_issue_names_on_a_row(self, api_client):
        import_file(content=SAMPLE, file_name="themes.csv", publish=True)
        row = api_client.get(f"/api/v1/recommendations/{imported('associations').pk}/").json()
        assert sorted(issue["name"] for issue in row["source_issues"]) == [
            "Freedom of association and peaceful assembly",
            "Human rights defenders",
        ]
        assert {theme["slug"] for theme in row["themes"]} == {"freedom-of-assembly", "human-rights-defenders"}


def test_the_api_filters_by_the_issue_its_file_named(api_client):
    import_file(content=SAMPLE, file_name="themes.csv", publish=True)

    def titles(issue):
        return {
            row["title"]
            for row in api_client.get("/api/v1/recommendations/", {"source_issue": issue}).json()["results"]
        }

    named = titles("freedom of ASSOCIATION and peaceful assembly")
    assert "Protect journalists covering protests" in named
    assert named == titles("Freedom of association and peaceful assembly")
    assert titles("An issue nobody named") == set()


def test_search_finds_a_row_by_the_issue_its_file_named(api_client):
    import_file(content=SAMPLE, file_name="themes.csv", publish=True)
    found = api_client.get("/api/v1/recommendations/", {"q": "association"}).json()["results"]
    # Not in its text, nor in its curated themes (freedom of assembly, media freedom): in its issues.
    assert "Protect journalists covering protests" in {row["title"] for row in found}


class TestRemap:
    def test_editing_a_mapping_and_remapping_updates_the_rows_with_history(self):
        import_file(content=SAMPLE, file_name="themes.csv")
        civic = ThemeFactory(name="Civic space", slug="civic-space")
        curated_by_hand = ThemeFactory(name="Protest policing", slug="protest-policing")
        gatherings = imported("peaceful gatherings")
        gatherings.themes.add(curated_by_hand)
        versions_before = gatherings.history.count()
        source = SourceTheme.objects.get(name="Freedom of association and peaceful assembly")
        theme_mapping.source_theme_change(source_theme=source, themes=[civic])
        assert list(theme_mapping.unapplied()) == [source]
        assert slugs(imported("peaceful gatherings")) == {"freedom-of-assembly", "protest-policing"}  # not yet

        call_command("remap_themes")

        # The mapping's old theme goes, its new one comes, a curator's own theme stays; another
        # issue of the row that still gives a theme keeps it.
        assert slugs(imported("peaceful gatherings")) == {"civic-space", "protest-policing"}
        assert slugs(imported("associations")) == {"civic-space", "human-rights-defenders"}
        assert slugs(imported("journalists")) == {"civic-space", "media-freedom"}
        assert slugs(imported("sports centres")) == {"childrens-rights"}  # not carrying it: untouched
        latest = imported("peaceful gatherings").history.first()
        assert imported("peaceful gatherings").history.count() == versions_before + 1
        assert {link.theme.slug for link in latest.themes.all()} == {"civic-space", "protest-policing"}
        assert latest.history_change_reason == "Theme mapping applied (remap_themes)"
        assert not theme_mapping.unapplied().exists()
        # The mapping has its history too.
        assert source.history.count() >= 2
        assert {link.theme_id for link in source.history.first().themes.all()} == {civic.pk}

    def test_remapping_again_changes_nothing(self):
        import_file(content=SAMPLE, file_name="themes.csv")
        report = theme_mapping.themes_remap()
        assert (report.rows, report.added, report.removed) == (0, 0, 0)

    def test_mapping_an_unmapped_issue_gives_its_rows_the_theme(self):
        import_file(content=SAMPLE, file_name="themes.csv")
        sport = ThemeFactory(name="Sport", slug="sport")
        source = SourceTheme.objects.get(name="Sport for all")
        theme_mapping.source_theme_change(source_theme=source, themes=[sport])
        report = theme_mapping.themes_remap(source_themes=SourceTheme.objects.filter(pk=source.pk))
        assert (report.rows, report.added, report.removed) == (1, 1, 0)
        assert slugs(imported("sports centres")) == {"childrens-rights", "sport"}

    def test_a_row_imported_after_the_change_gets_the_new_mapping(self):
        civic = ThemeFactory(name="Civic space", slug="civic-space")
        import_file(content=SAMPLE, file_name="themes.csv")
        source = SourceTheme.objects.get(name="Freedom of association and peaceful assembly")
        theme_mapping.source_theme_change(source_theme=source, themes=[civic])
        issue = b"Freedom of association and peaceful assembly"
        more = SAMPLE + b"Kazakhstan,,,Repeal the permit rule for rallies,France,,,Accepted,5," + issue + b",20\r\n"
        import_file(content=more, file_name="more.csv")
        assert slugs(imported("permit rule")) == {"civic-space"}


class TestAdoptingIssueThemes:
    """Databases that imported UPR Info files before the mapping have one theme per issue."""

    def test_rows_keep_the_issue_by_name_and_get_the_curated_theme(self, seeded, capsys):
        old = ThemeFactory(
            name="Freedom of association and peaceful assembly", slug="freedom-of-association-and-peaceful-assembly"
        )
        row = RecommendationFactory(text="Let people gather.")
        row.themes.add(old, Theme.objects.get(slug="torture"))
        versions = row.history.count()

        call_command("remap_themes", "--adopt-issue-themes")

        assert slugs(row) == {"freedom-of-assembly", "torture"}
        assert issues(row) == {"Freedom of association and peaceful assembly"}
        assert not Theme.objects.filter(pk=old.pk).exists()
        assert row.history.count() == versions + 1
        assert row.history.first().history_change_reason == "UPR Info issues moved to the theme mapping"
        assert "1 theme named after UPR Info issues moved" in capsys.readouterr().out
        # The curated themes, named like some issues ("Women's rights"), are never taken over.
        assert Theme.objects.filter(slug="womens-rights").exists()
        assert str(theme_mapping.issue_themes_adopt()).startswith("No theme is named after a UPR Info issue")


class TestShippedMapping:
    def test_every_target_is_a_shipped_theme_and_names_agree_with_the_seeds(self, settings):
        import yaml

        themes = theme_mapping.shipped_themes()
        for (vocabulary, name), targets in theme_mapping.shipped_mapping().items():
            assert vocabulary in SourceTheme.Vocabulary.values, name
            assert targets and all(slug in themes for slug in targets), name
        assert all(not theme.parent or theme.parent in themes for theme in themes.values())
        seeds = yaml.safe_load((Path(settings.SEEDS_DIR) / "curated.yaml").read_text(encoding="utf-8"))["themes"]
        for seed in seeds:
            if seed["slug"] in themes:
                assert themes[seed["slug"]].name == seed["name"], seed["slug"]

    def test_every_issue_in_both_real_exports_has_a_mapping(self):
        missing_files = [name for name in EXPORTS if not (DATASETS / name).is_file()]
        if missing_files:
            pytest.skip(
                f"UPR Info's real exports are not here ({DATASETS}; set UPR_DATASETS_DIR): {', '.join(missing_files)}"
            )
        shipped = theme_mapping.shipped_mapping()
        seen = set()
        for name in EXPORTS:
            source = Source(content=(DATASETS / name).read_bytes(), file_name=name)
            for row in choose(source, "auto").read(source, ReadOptions(), lambda warning: None):
                seen.update(row.issues)
        assert len(seen) > 50
        unmapped = sorted(issue for issue in seen if ("upr_info", issue.casefold()) not in shipped)
        assert unmapped == []


def test_the_shipped_files_are_well_formed():
    with theme_mapping.MAPPING_FILE.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    keys = [(row["vocabulary"], row["name"].casefold()) for row in rows]
    assert len(keys) == len(set(keys)), "a name is mapped twice"
