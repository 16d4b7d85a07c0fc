"""The curated seed data says what its five texts say, and no more (the rules: docs/curation.md).

Each test pins one fact that a reading of ``seeds/curated.yaml`` against the texts corrected: a
status its assessor did not give, a quote that did not support its claim, a date or a fact no
text states, an item the texts hold that was missing. Every one of them fails on the data as it
was before the correction.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.db import transaction

from recommendations.models import (
    Actor,
    Citation,
    DateBasis,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    SourceDocument,
    StatusUpdate,
    normalize_whitespace,
)
from recommendations.seeds import seeds_load

pytestmark = pytest.mark.django_db

HRW_VERDICT = "HRW also recalls that Tokaev has not yet fulfilled any of his promises."


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """The seeds, loaded once for this module and rolled back after it (each test runs in its own
    savepoint inside, so nothing a test does reaches the next)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seeds_load(directory=settings.SEEDS_DIR)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _seeds(_seeded_once, db):
    pass


def seed(key):
    return Recommendation.objects.get(external_id=f"seed:{key}")


def quotes_of(recommendation):
    return [normalize_whitespace(c.quote) for c in recommendation.citations.all()]


def history_quotes_of(recommendation):
    return [
        normalize_whitespace(c.quote) for c in Citation.objects.filter(status_update__recommendation=recommendation)
    ]


def texts():
    return [normalize_whitespace(document.text) for document in SourceDocument.objects.all()]


def straight(text):
    """Typographic apostrophes and quotes as plain ones, so that a summary typed with plain quotes
    can be compared with a text that uses curly ones."""
    return text.translate(str.maketrans("‘’“”", "''\"\""))


class TestStatusesAreTheAssessorsOwn:
    def test_nothing_in_the_seeds_is_implemented(self):
        # No text shows anything carried out in practice; the domestic-violence law was adopted and welcomed.
        assert not StatusUpdate.objects.filter(status=ImplementationStatus.IMPLEMENTED).exists()

    @pytest.mark.parametrize("assessor", ["united-states", "european-commission"])
    def test_domestic_violence_law_adopted_and_welcomed_is_in_progress(self, assessor):
        update = seed("zeya-2022-domestic-violence").status_updates.get(assessed_by__slug=assessor)
        assert update.status == ImplementationStatus.IN_PROGRESS
        assert "not an assessment of its application" in update.summary
        assert update.as_of == datetime.date(2024, 4, 1)

    def test_allow_protests_is_hrws_not_fulfilled_not_partially_implemented(self):
        update = seed("tokayev-allow-protests").status_updates.get()
        assert (update.status, update.assessed_by.slug) == (ImplementationStatus.NOT_IMPLEMENTED, "hrw")
        assert HRW_VERDICT in quotes_of_update(update)

    def test_protest_law_is_not_fulfilled_in_november_not_not_started(self):
        promise = seed("tokayev-protest-law-reform")
        november = promise.status_updates.get(as_of=datetime.date(2019, 11, 4))
        assert (november.status, november.assessed_by.slug) == (ImplementationStatus.NOT_IMPLEMENTED, "hrw")
        # The month before, the US Ambassador spoke of a new law being discussed.
        october = promise.status_updates.get(as_of=datetime.date(2019, 10, 1))
        assert october.status == ImplementationStatus.IN_PROGRESS
        assert promise.current_status == ImplementationStatus.NOT_IMPLEMENTED

    def test_hrws_verdict_applies_to_the_judicial_reform_promise_too(self):
        update = seed("tokayev-judicial-reform").status_updates.get()
        assert (update.status, update.assessed_by.slug, update.as_of) == (
            ImplementationStatus.NOT_IMPLEMENTED,
            "hrw",
            datetime.date(2019, 11, 4),
        )
        assert HRW_VERDICT in quotes_of_update(update)

    def test_every_summary_quotes_its_assessors_words_from_its_evidence(self):
        for update in StatusUpdate.objects.prefetch_related("citations__document"):
            quoted = re.findall(r'"([^"]+)"', update.summary)
            assert quoted, f"{update.recommendation.external_id} {update.as_of}: the summary quotes nothing"
            evidence = " ".join(straight(normalize_whitespace(c.document.text)) for c in update.citations.all())
            for span in quoted:
                for piece in filter(None, (part.strip() for part in span.split("..."))):
                    assert straight(piece) in evidence, f"{update.recommendation.external_id}: “{piece}”"


def quotes_of_update(update):
    return [normalize_whitespace(c.quote) for c in update.citations.all()]


class TestQuotesSupportTheirClaims:
    @pytest.mark.parametrize(
        ("key", "where", "fragment"),
        [
            # An ask to the US President is not evidence of an ask to Kazakhstan.
            ("hrw-2001-electoral-reform", "item", "centerpiece of U.S. relations"),
            # The texts do not tie the protest-law promise to the inaugural speech.
            ("tokayev-protest-law-reform", "item", "inaugural speech"),
            # Background from HRW's August letter, not the November ask.
            ("hrw-2019-protests-without-detention", "item", "police suppress"),
            ("hrw-2019-release-activists", "item", "express dissenting opinions"),
            # The State Department's statement is its own item.
            ("us-2024-implement-reform-agenda", "item", "New Kazakhstan"),
            # Article 32 and peaceful protest say nothing about hearing people's requests...
            ("tokayev-hear-peoples-requests", "history", "article 32"),
            # ...and ACCA's guess about an unanswered letter is not HRW's assessment.
            ("tokayev-hear-peoples-requests", "history", "apparently, there was no answer"),
        ],
    )
    def test_a_quote_that_did_not_support_its_claim_is_gone(self, key, where, fragment):
        recommendation = seed(key)
        quotes = quotes_of(recommendation) if where == "item" else history_quotes_of(recommendation)
        assert quotes
        assert not [quote for quote in quotes if fragment in quote]

    def test_hrw_2001_ask_to_kazakhstan_is_about_electoral_reform_only(self):
        ask = seed("hrw-2001-electoral-reform")
        assert ask.addressed_to.slug == "kazakhstan"
        assert "centerpiece" not in ask.text
        assert any("Implementing the OSCE's recommendations on electoral reform" in q for q in quotes_of(ask))

    def test_hrw_appeal_cites_its_call_to_fulfil_the_inaugural_promises(self):
        appeal = seed("hrw-2019-upr-press-kazakhstan")
        assert "promises of his inaugural speech" in appeal.text
        assert any("to fulfill the promises given by him in his inaugural speech" in q for q in quotes_of(appeal))


class TestFactsAreTheTexts:
    def test_tokayev_was_elected_in_june_not_president_since_june(self):
        description = Actor.objects.get(slug="tokayev").description
        assert "President since" not in description
        assert '"elected in a snap poll in June"' in description

    def test_un_recommendations_are_not_attributed_to_the_upr(self):
        item = seed("un-accepted-recommendations")
        assert (item.made_by.slug, item.made_by.name) == ("united-nations", "United Nations")
        assert item.mechanism != Recommendation.Mechanism.UPR
        assert "10 of 147 UN recommendations" in quotes_of(item)[0]

    def test_osce_is_named_without_odihr_and_nazarbaev_without_dates(self):
        assert Actor.objects.get(slug="osce").name == "Organization for Security and Cooperation in Europe (OSCE)"
        nazarbaev = Actor.objects.get(slug="nazarbaev")
        assert nazarbaev.name == "Nursultan Nazarbaev (President of Kazakhstan)"
        for actor in Actor.objects.all():
            assert "ODIHR" not in actor.name + actor.description
            assert "1991" not in actor.name + actor.description

    def test_no_constitutional_law_on_elections(self):
        assert not LegalProvision.objects.filter(instrument__icontains="election").exists()
        assert not Recommendation.objects.filter(legal_provisions__slug="kz-electoral-law").exists()

    # How each actor is named in a text (one text is enough).
    ACTORS_NAMED_AS = {
        "kazakhstan": "Kazakhstan",
        "tokayev": "Kassym-Jomart Tokayev",
        "nazarbaev": "Nursultan Nazarbaev",
        "kz-government": "Kazakhstan's government",
        "united-states": "United States",
        "president-bush": "President Bush",
        "william-moser": "William Moser",
        "us-state-department": "US State Department",
        "uzra-zeya": "Uzra Zeya",
        "european-commission": "European Commission",
        "osce": "Organization for Security and Cooperation in Europe (OSCE)",
        "united-nations": "UN recommendations",
        "un-human-rights-council": "UN Human Rights Council",
        "un-member-states": "governments of UN member countries",
        "hrw": "Human Rights Watch",
        "kibhr": "Kazakh International Bureau for human rights and observance of law",
        "kz-hrd-coalition": "Coalition of Kazakh human rights defenders",
        "acca": "ACCA",
    }

    def test_every_actor_is_named_in_a_text(self):
        all_text = " ".join(texts())
        assert set(Actor.objects.values_list("slug", flat=True)) == set(self.ACTORS_NAMED_AS)
        for words in self.ACTORS_NAMED_AS.values():
            assert words in all_text

    # How each legal provision is named in a text.
    PROVISIONS_NAMED_AS = {
        "kz-criminal-code-174": "article 174 of the Criminal Code",
        "kz-criminal-code-274": "article 274",
        "kz-constitution-32": "article 32 of the Constitution",
        "kz-law-peaceful-assemblies": "On the procedure for organizing and holding peaceful meetings",
    }

    def test_every_provision_is_named_in_a_text_and_in_the_quotes_of_each_item_it_is_attached_to(self):
        all_text = " ".join(texts())
        assert set(LegalProvision.objects.values_list("slug", flat=True)) == set(self.PROVISIONS_NAMED_AS)
        for provision in LegalProvision.objects.all():
            words = self.PROVISIONS_NAMED_AS[provision.slug]
            assert words in all_text
            for recommendation in provision.recommendations.all():
                assert any(words in quote for quote in quotes_of(recommendation)), recommendation.external_id

    def test_assembly_items_carry_no_provision_their_quotes_do_not_name(self):
        for key in (
            "tokayev-allow-protests",
            "hrw-2019-respect-freedom-of-assembly",
            "hrw-2019-protests-without-detention",
            "moser-right-of-assembly-law",
        ):
            assert not seed(key).legal_provisions.exists(), key


class TestDates:
    @pytest.mark.parametrize("key", ["tokayev-protest-law-reform", "tokayev-allow-protests"])
    def test_promise_recalled_in_november_2019_is_not_tied_to_the_inaugural_speech(self, key):
        promise = seed(key)
        assert "naugural" not in promise.context and "12 June" not in promise.context
        assert (promise.made_on, promise.made_on_precision, promise.made_on_basis) == (
            datetime.date(2019, 1, 1),
            "year",
            DateBasis.INFERRED,
        )
        assert "no date or occasion" in promise.date_note

    def test_protest_law_deadline_is_marked_inferred(self):
        promise = seed("tokayev-protest-law-reform")
        assert (promise.due_on, promise.due_on_precision, promise.due_on_basis) == (
            datetime.date(2019, 12, 31),
            "year",
            DateBasis.INFERRED,
        )
        assert "by the end of the year" in promise.date_note

    def test_only_a_date_the_text_states_is_marked_stated(self):
        stated = Recommendation.objects.filter(made_on__isnull=False, made_on_basis=DateBasis.STATED)
        # "his inaugural speech on June 12, 2019": the only item date a text gives in full.
        assert [r.external_id for r in stated] == ["seed:tokayev-hear-peoples-requests"]
        assert not Recommendation.objects.filter(due_on__isnull=False, due_on_basis=DateBasis.STATED).exists()
        assert not StatusUpdate.objects.filter(as_of_basis=DateBasis.STATED).exists()

    def test_every_inferred_date_says_what_it_was_inferred_from(self):
        inferred = Recommendation.objects.filter(made_on_basis=DateBasis.INFERRED) | Recommendation.objects.filter(
            due_on_basis=DateBasis.INFERRED
        )
        assert inferred.count() >= 25
        assert not inferred.filter(date_note="").exists()
        assert not StatusUpdate.objects.filter(as_of_basis=DateBasis.INFERRED, date_note="").exists()

    def test_a_month_without_a_year_is_inferred(self):
        judicial = seed("tokayev-judicial-reform")  # "in his annual message ... in September"
        assert (judicial.made_on, judicial.made_on_precision, judicial.made_on_basis) == (
            datetime.date(2019, 9, 1),
            "month",
            DateBasis.INFERRED,
        )
        zeya = seed("zeya-2022-end-torture")  # "on April 11", no year in the text
        assert (zeya.made_on, zeya.made_on_basis) == (datetime.date(2022, 4, 11), DateBasis.INFERRED)
        assert "names no year" in zeya.date_note


class TestItemsTheTextsHold:
    def test_hrw_asks_the_us_to_make_human_rights_the_centre_of_its_relations(self):
        ask = seed("hrw-2001-us-human-rights-centerpiece")
        assert (ask.made_by.slug, ask.addressed_to.slug, ask.addressed_to.part_of.slug) == (
            "hrw",
            "president-bush",
            "united-states",
        )
        assert any("centerpiece of U.S. relations with Kazakhstan" in q for q in quotes_of(ask))

    def test_tokayevs_reform_agenda_is_a_promise_of_its_own(self):
        agenda = seed("tokayev-2024-reform-agenda")
        assert (agenda.kind, agenda.made_by.slug) == (Recommendation.Kind.PROMISE, "tokayev")
        assert agenda.made_on is None  # the text does not say when he set it out
        assert {c.document.external_id for c in agenda.citations.all()} == {"002_7f67e9139074b38b.txt"}
        assert agenda.themes.filter(slug="freedom-of-assembly").exists()

    def test_state_department_calls_for_a_new_kazakhstan(self):
        call = seed("us-state-department-2024-new-kazakhstan")
        assert call.made_by.slug == "us-state-department"
        [quote] = quotes_of(call)
        assert "independent media, civil society groups, and political parties can operate freely" in quote
        assert "read the statement from the US State Department" in quote

    def test_hrw_asks_the_human_rights_council_to_press_tokayev(self):
        ask = seed("hrw-2019-hrc-press-tokayev")
        assert (ask.made_by.slug, ask.addressed_to.slug) == ("hrw", "un-human-rights-council")
        assert any("transfer his expired promises into a real reform" in q for q in quotes_of(ask))

    @pytest.mark.parametrize(
        ("source", "target", "relation"),
        [
            ("moser-right-of-assembly-law", "hrw-2019-08-review-assembly-law", "same_as"),
            ("us-2024-implement-reform-agenda", "tokayev-2024-reform-agenda", "follows_up"),
        ],
    )
    def test_related_asks_are_linked(self, source, target, relation):
        link = RecommendationLink.objects.get(from_recommendation=seed(source), to_recommendation=seed(target))
        assert link.relation == relation
        assert link.note

    def test_same_as_joins_asks_of_different_actors(self):
        links = RecommendationLink.objects.filter(relation="same_as").select_related(
            "from_recommendation", "to_recommendation"
        )
        assert links.count() >= 2
        for link in links:
            assert link.from_recommendation.made_by_id != link.to_recommendation.made_by_id
