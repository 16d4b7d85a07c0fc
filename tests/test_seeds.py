import datetime
import shutil
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from recommendations.models import (
    Actor,
    Citation,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    SourceDocument,
    StatusUpdate,
    Theme,
    text_sha256,
)

pytestmark = pytest.mark.django_db

SEED_FILES = sorted(p.name for p in settings.SEEDS_DIR.glob("*.txt"))
MODELS = [SourceDocument, Actor, Theme, LegalProvision, Recommendation, StatusUpdate, Citation, RecommendationLink]


def load_seeds(**kwargs):
    out = StringIO()
    call_command("load_seeds", stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def seed(key):
    return Recommendation.objects.get(external_id=f"seed:{key}")


class TestContent:
    def test_all_five_documents_with_their_metadata(self, seeded):
        assert SEED_FILES == [
            "000_b268c617ac67c155.txt",
            "001_ee0f0d490aaea1c2.txt",
            "002_7f67e9139074b38b.txt",
            "003_550c7dd6242a306b.txt",
            "004_45efe7da10c5e347.txt",
        ]
        assert sorted(SourceDocument.objects.values_list("external_id", flat=True)) == SEED_FILES
        for document in SourceDocument.objects.all():
            text = (settings.SEEDS_DIR / document.external_id).read_text(encoding="utf-8")
            assert document.text == text
            assert document.text_sha256 == text_sha256(text)
        hrw_2001 = SourceDocument.objects.get(external_id="001_ee0f0d490aaea1c2.txt")
        assert (hrw_2001.publisher, hrw_2001.published_on_basis) == ("Human Rights Watch", "inferred")
        assert hrw_2001.published_on_display == "December 2001"

    def test_the_seed_documents_are_the_shared_originals(self):
        shared = settings.BASE_DIR.parent / "shared" / "seeds"
        if not shared.is_dir():
            pytest.skip("../shared/seeds is not present")
        for name in SEED_FILES:
            assert (settings.SEEDS_DIR / name).read_bytes() == (shared / name).read_bytes()

    def test_at_least_twenty_recommendations_and_promises_each_cited(self, seeded):
        assert Recommendation.objects.count() >= 20
        assert Recommendation.objects.filter(kind="promise").count() >= 5
        assert not Recommendation.objects.filter(citations__isnull=True).exists()
        assert not StatusUpdate.objects.filter(citations__isnull=True).exists()

    def test_every_citation_occurs_in_its_document(self, seeded):
        for citation in Citation.objects.select_related("document"):
            assert citation.document.contains_quote(citation.quote), citation

    def test_protest_law_promise_is_overdue_after_its_deadline(self, seeded):
        promise = seed("tokayev-protest-law-reform")
        assert promise.kind == "promise"
        assert promise.made_by.slug == "tokayev"
        assert (promise.due_on, promise.due_on_display) == (datetime.date(2019, 12, 31), "2019")
        assert promise.is_overdue()  # still, today
        assert promise in Recommendation.objects.overdue(datetime.date(2020, 1, 1))
        assert promise not in Recommendation.objects.overdue(datetime.date(2019, 11, 7))

    def test_protest_law_history_keeps_government_critics_and_foreign_views_apart(self, seeded):
        history = seed("tokayev-protest-law-reform").status_updates.latest_first()
        assert [(u.as_of.isoformat(), u.status, u.assessor_kind) for u in history] == [
            ("2019-11-04", "not_implemented", "ngo"),
            ("2019-10-01", "in_progress", "foreign_government"),
            ("2019-08-01", "not_started", "ngo"),
        ]

    def test_criminal_code_articles_174_and_274(self, seeded):
        for article in ("174", "274"):
            provision = LegalProvision.objects.get(instrument="Criminal Code", article=article, country="KZ")
            targeting = provision.recommendations.get()
            assert targeting.made_by.slug == "hrw"
            assert f"article {article}" in targeting.text

    def test_domestic_violence_law_encouraged_in_2022_and_adopted_in_april_2024(self, seeded):
        recommendation = seed("zeya-2022-domestic-violence")
        # A law adopted and welcomed is a step, not implementation: the status stays "in progress".
        assert recommendation.current_status == ImplementationStatus.IN_PROGRESS
        assert recommendation.current_status_as_of == datetime.date(2024, 4, 1)
        on_2023 = Recommendation.objects.with_status_on(datetime.date(2023, 1, 1)).get(pk=recommendation.pk)
        assert (on_2023.effective_status, on_2023.effective_status_as_of) == (
            ImplementationStatus.IN_PROGRESS,
            datetime.date(2022, 4, 11),
        )

    def test_osce_electoral_reform_judicial_reform_and_torture_are_present(self, seeded):
        assert seed("osce-electoral-reform").made_by.kind == Actor.Kind.INTERGOVERNMENTAL
        assert seed("tokayev-judicial-reform").themes.filter(slug="judicial-independence").exists()
        assert seed("zeya-2022-end-torture").themes.filter(slug="torture").exists()

    def test_ngo_count_of_un_recommendations_is_recorded_as_the_source_states_it(self, seeded):
        update = seed("un-accepted-recommendations").status_updates.get()
        assert update.assessed_by.slug == "kibhr"
        for figure in ("only 10 of 147", "103", "33", "146, not 147"):
            assert figure in update.summary
        assert "only 10 of 147 UN recommendations" in update.citations.get().quote


class TestIdempotence:
    def test_second_run_changes_nothing_and_says_so(self):
        first = load_seeds()
        assert "Loaded seed data: created 5 documents" in first
        before = row_counts()
        stamps = list(Recommendation.objects.order_by("pk").values_list("updated_at", flat=True))
        second = load_seeds()
        assert "already loaded" in second and "nothing changed" in second
        assert row_counts() == before
        assert list(Recommendation.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps

    def test_curated_changes_made_since_loading_are_kept(self):
        load_seeds()
        promise = seed("tokayev-protest-law-reform")
        Recommendation.objects.filter(pk=promise.pk).update(title="Edited by staff")
        load_seeds()
        promise.refresh_from_db()
        assert promise.title == "Edited by staff"


class TestAtomicFailure:
    @pytest.fixture
    def seeds_copy(self, tmp_path):
        for name in SEED_FILES:
            shutil.copy(settings.SEEDS_DIR / name, tmp_path / name)
        data = yaml.safe_load((settings.SEEDS_DIR / "curated.yaml").read_text(encoding="utf-8"))
        return tmp_path, data

    def write(self, directory, data):
        (directory / "curated.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def test_bad_quote_in_a_late_entry_stops_everything(self, seeds_copy):
        directory, data = seeds_copy
        last = data["recommendations"][-1]
        last["citations"][0]["quote"] = "A sentence that no seed document contains."
        self.write(directory, data)
        with pytest.raises(CommandError) as error:
            load_seeds(directory=directory)
        message = str(error.value)
        assert str(directory / "curated.yaml") in message
        assert f"recommendations[{len(data['recommendations']) - 1}]" in message
        assert "does not occur in the document" in message
        assert "Nothing was loaded" in message
        assert all(count == 0 for count in row_counts().values())

    def test_unknown_actor_is_named(self, seeds_copy):
        directory, data = seeds_copy
        data["recommendations"][2]["made_by"] = "nobody"
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"recommendations\[2\].*made_by.*no actor with slug “nobody”"):
            load_seeds(directory=directory)
        assert all(count == 0 for count in row_counts().values())

    def test_bad_date_and_bad_choice_are_named(self, seeds_copy):
        directory, data = seeds_copy
        data["recommendations"][0]["status_history"][0]["as_of"] = "yesterday"
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"status_history\[0\].*“yesterday” is not a date"):
            load_seeds(directory=directory)
        data["recommendations"][0]["status_history"][0]["as_of"] = "2001-12-01"
        data["recommendations"][0]["kind"] = "wish"
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"recommendations\[0\].*“wish” is not one of"):
            load_seeds(directory=directory)

    def test_missing_document_file_is_named(self, seeds_copy):
        directory, data = seeds_copy
        (directory / SEED_FILES[3]).unlink()
        self.write(directory, data)
        with pytest.raises(CommandError, match=rf"documents\[3\].*cannot read document file “{SEED_FILES[3]}”"):
            load_seeds(directory=directory)
        assert SourceDocument.objects.count() == 0

    def test_invalid_yaml_is_reported(self, seeds_copy):
        directory, _ = seeds_copy
        (directory / "curated.yaml").write_text("documents: [unclosed", encoding="utf-8")
        with pytest.raises(CommandError, match="not valid YAML"):
            load_seeds(directory=directory)

    def test_failure_after_an_earlier_load_leaves_the_earlier_data(self, seeds_copy):
        load_seeds()
        before = row_counts()
        directory, data = seeds_copy
        data["recommendations"].append(dict(data["recommendations"][0], key="new-one", made_by="nobody"))
        self.write(directory, data)
        with pytest.raises(CommandError):
            load_seeds(directory=directory)
        assert row_counts() == before

    @pytest.mark.parametrize(
        ("where", "expected"),
        [
            (lambda data: data, r"top level: unknown field “remarks”"),
            (lambda data: data["documents"][1], r"documents\[1\] “001_ee0f0d490aaea1c2.txt”: unknown field “remarks”"),
            (lambda data: data["themes"][0], r"themes\[0\] “freedom-of-assembly”: unknown field “remarks”"),
            (lambda data: data["actors"][1], r"actors\[1\] “tokayev”: unknown field “remarks”"),
            (lambda data: data["legal_provisions"][0], r"legal_provisions\[0\] “kz-criminal-code-174”: unknown"),
            (lambda data: data["recommendations"][3], r"recommendations\[3\] “tokayev-protest-law-reform”: unknown"),
            (
                lambda data: data["recommendations"][3]["status_history"][1],
                r"recommendations\[3\] “tokayev-protest-law-reform” → status_history\[1\]: unknown field",
            ),
            (
                lambda data: data["recommendations"][3]["status_history"][1]["citations"][0],
                r"status_history\[1\] → citations\[0\]: unknown field “remarks”",
            ),
            (lambda data: data["links"][2], r"links\[2\]: unknown field “remarks”"),
        ],
    )
    def test_an_unknown_field_is_an_error_naming_the_entry(self, seeds_copy, where, expected):
        directory, data = seeds_copy
        where(data)["remarks"] = "a fact the loader would drop"
        self.write(directory, data)
        with pytest.raises(CommandError, match=expected) as error:
            load_seeds(directory=directory)
        assert "Nothing was loaded" in str(error.value)
        assert all(count == 0 for count in row_counts().values())

    def test_a_misspelt_field_is_refused_with_the_likely_one(self, seeds_copy):
        directory, data = seeds_copy
        protest_law = data["recommendations"][3]
        protest_law["due_on_bassis"] = protest_law.pop("due_on_basis")
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"unknown field “due_on_bassis” \(did you mean “due_on_basis”\?\)"):
            load_seeds(directory=directory)

    def test_an_unknown_field_is_refused_even_in_an_entry_already_loaded(self, seeds_copy):
        load_seeds()
        before = row_counts()
        directory, data = seeds_copy
        data["themes"][0]["colour"] = "red"
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"themes\[0\] “freedom-of-assembly”: unknown field “colour”"):
            load_seeds(directory=directory)
        assert row_counts() == before

    def test_an_inferred_date_without_its_reason_is_named(self, seeds_copy):
        directory, data = seeds_copy
        del data["recommendations"][3]["date_note"]
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"“tokayev-protest-law-reform”: date_note: Say what the inferred"):
            load_seeds(directory=directory)

    def test_the_services_rules_reach_the_loader(self, seeds_copy):
        directory, data = seeds_copy
        data["actors"][1]["country"] = "XX"
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"actors\[1\] “tokayev”: country: .*not a valid choice"):
            load_seeds(directory=directory)
        data["actors"][1]["country"] = "KZ"
        data["links"][0]["to"] = data["links"][0]["from"]
        self.write(directory, data)
        with pytest.raises(CommandError, match=r"links\[0\]: .*not_self"):
            load_seeds(directory=directory)
        assert all(count == 0 for count in row_counts().values())


class TestThroughTheServices:
    @pytest.mark.parametrize(
        ("service", "section", "model"),
        [
            ("theme_create", "themes", Theme),
            ("actor_create", "actors", Actor),
            ("legal_provision_create", "legal_provisions", LegalProvision),
            ("recommendation_link_create", "links", RecommendationLink),
        ],
    )
    def test_reference_data_and_links_are_created_by_their_service(self, monkeypatch, service, section, model):
        from recommendations import services

        created, original = [], getattr(services, service)

        def spy(**kwargs):
            created.append(original(**kwargs))
            return created[-1]

        monkeypatch.setattr(services, service, spy)
        load_seeds()
        entries = yaml.safe_load((settings.SEEDS_DIR / "curated.yaml").read_text(encoding="utf-8"))[section]
        assert len(created) == len(entries) == model.objects.count()
        assert {obj.pk for obj in created} == set(model.objects.values_list("pk", flat=True))
