"""Synthetic demo data at any size: ``manage.py generate_demo_data --recommendations N [--seed S]``.

What it makes, all deterministic for a seed (the same seed gives the same titles, texts, dates,
statuses and quotes, whatever the batch size):

- the reference data, where it is missing: a dozen states, the mechanisms and NGOs that recommend,
  sixteen themes, international and national legal provisions;
- source documents (one per ~100 recommendations, a fifth of them in Russian): reports made of
  sentences about the states and themes, each text unique;
- recommendations (four in five) and promises (a state's own pledges), with themes, provisions,
  dates (a deadline for two in five), UPR sessions and responses; ~85 % published, the rest drafts;
- 0–8 dated status updates each, every one citing a sentence of a document on the same state, and
  one citation for each recommendation; every quote occurs in its document at the stored offsets;
- the denormalised current status, set as ``services.recommendation_refresh_current_status``
  would set it (the latest published assessment).

Rows are written in batches, one transaction each, by ``bulk.BulkWriter`` (COPY on PostgreSQL).
No history rows are written: django-simple-history records changes made through the services."""

import dataclasses
import datetime
import hashlib
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import services, status_periods
from ..models import (
    Actor,
    Citation,
    LegalProvision,
    Recommendation,
    ReviewState,
    SourceDocument,
    StatusUpdate,
    Theme,
)
from ..stats_cache import published_data_changed
from . import vocabulary as words
from .bulk import (
    BulkWriter,
    fast_load,
    index_recommendations,
    next_id,
    recommendation_writer,
    reset_sequences,
    stage_recommendations,
)

PROCESS = "generate_demo_data (synthetic demo data, not a reviewer)"
RECOMMENDATIONS_PER_DOCUMENT = 100
SENTENCES_PER_DOCUMENT = 30
# How many status updates a recommendation gets, 0 to 8: most a few, some a long history.
HISTORY_LENGTHS = list(range(9))
HISTORY_WEIGHTS = [18, 20, 18, 14, 10, 8, 6, 4, 2]
FIRST_YEAR, LAST_DAY = 2008, datetime.date(2026, 6, 30)
STATUS_STEPS = {
    "": ["not_started", "in_progress", "not_implemented"],
    "not_started": ["in_progress", "not_started", "stalled", "not_implemented"],
    "not_implemented": ["in_progress", "not_implemented", "partially_implemented"],
    "in_progress": ["in_progress", "partially_implemented", "implemented", "stalled"],
    "partially_implemented": ["implemented", "partially_implemented", "regressed", "in_progress"],
    "implemented": ["implemented", "regressed"],
    "stalled": ["in_progress", "stalled", "regressed"],
    "regressed": ["in_progress", "regressed", "stalled"],
}
ASSESSORS = [choice for choice, _ in StatusUpdate.AssessorKind.choices]


def demo_prefix(seed):
    """The external ids of one seed's rows start with this."""
    return f"demo-{seed}-"


@dataclasses.dataclass
class Reference:
    """The reference rows the generated rows point at (ids), per state."""

    states: list  # (Actor id, country code, name)
    makers: list  # (Actor id, mechanism)
    themes: list  # (Theme id, key)
    provisions: dict  # country code ("" for international) → [LegalProvision id]


@dataclasses.dataclass
class Document:
    id: int
    state: str  # country code
    sentences: list  # (start, end) of each sentence in the text
    text: str


@dataclasses.dataclass
class DemoReport:
    recommendations: int = 0
    status_updates: int = 0
    citations: int = 0
    documents: int = 0
    seconds: float = 0.0

    @property
    def rows(self):
        return self.recommendations + self.status_updates + self.citations + self.documents


def ensure_reference() -> Reference:
    """The states, makers, themes and provisions, created through the services where missing and
    reused where they exist (a curated "Kazakhstan" is the state, not a second one)."""
    states = []
    for code, name in words.STATES:
        actor = Actor.objects.filter(kind=Actor.Kind.STATE, country=code).order_by("id").first()
        if actor is None:
            actor = services.actor_create(slug=f"demo-state-{code.lower()}", name=name, kind="state", country=code)
        states.append((actor.pk, code, actor.name))
    makers = []
    for slug, name, kind, mechanism in words.MAKERS:
        actor = Actor.objects.filter(slug=f"demo-{slug}").first() or services.actor_create(
            slug=f"demo-{slug}", name=f"{name} (demo)", kind=kind
        )
        makers.append((actor.pk, mechanism))
    themes = []
    for key, name in words.THEMES:
        theme = Theme.objects.filter(Q(slug=f"demo-{key}") | Q(name=name)).order_by("id").first()
        if theme is None:
            theme = services.theme_create(slug=f"demo-{key}", name=name)
        themes.append((theme.pk, key))
    provisions = {}
    articles = [("", item) for item in words.INTERNATIONAL_PROVISIONS]
    articles += [(code, item) for code, _ in words.STATES for item in words.NATIONAL_PROVISIONS]
    for country, (instrument, article, title) in articles:
        provision = LegalProvision.objects.filter(country=country, instrument=instrument, article=article).first()
        if provision is None:
            slug = "-".join(part for part in ("demo", country.lower(), instrument.lower(), article) if part)
            provision = services.legal_provision_create(
                slug=slug.replace(" ", "-")[:120], country=country, instrument=instrument, article=article, title=title
            )
        provisions.setdefault(country, []).append(provision.pk)
    return Reference(states=states, makers=makers, themes=themes, provisions=provisions)


def _date(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _subject(rng, theme_key, language="en"):
    return rng.choice((words.RU_SUBJECTS if language == "ru" else words.EN_SUBJECTS)[theme_key])


class Generator:
    """Yields the rows of one seed, batch by batch; ``ids`` says where each table's ids start."""

    def __init__(self, *, seed: int, count: int, reference: Reference, ids: dict):
        self.rng = random.Random(seed)
        self.seed, self.count, self.reference = seed, count, reference
        self.ids = dict(ids)
        self.prefix = demo_prefix(seed)
        self.documents_by_state = {}

    def _take(self, model):
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def documents(self) -> list[dict]:
        """The source documents' rows; remembers their sentences for the quotes."""
        rng, rows = self.rng, []
        for number in range(max(len(self.reference.states), -(-self.count // RECOMMENDATIONS_PER_DOCUMENT))):
            _, code, state = self.reference.states[number % len(self.reference.states)]
            language = "ru" if number % 5 == 4 else "en"
            published_on = _date(rng, datetime.date(FIRST_YEAR, 1, 1), LAST_DAY)
            external_id = f"{self.prefix}doc-{number:06d}"
            if language == "ru":
                title = f"Доклад о положении в области прав человека: {state}, {published_on.year} (демо {number})"
            else:
                title = f"Human rights situation in {state}, {published_on.year} (demo report {number})"
            text, spans, seen = f"{title}\n\n", [], set()
            templates = words.RU_REPORT_SENTENCES if language == "ru" else words.EN_REPORT_SENTENCES
            while len(spans) < SENTENCES_PER_DOCUMENT:
                theme_key = rng.choice(self.reference.themes)[1]
                sentence = rng.choice(templates).format(
                    subject=_subject(rng, theme_key, language), state=state, year=rng.randrange(FIRST_YEAR, 2027)
                )
                if sentence in seen:  # every sentence once, so a quote has one place in the text
                    continue
                seen.add(sentence)
                spans.append((len(text), len(text) + len(sentence)))
                text += sentence + ("\n" if len(spans) % 5 == 0 else " ")
            document = Document(id=self._take(SourceDocument), state=code, sentences=spans, text=text)
            self.documents_by_state.setdefault(code, []).append(document)
            rows.append(
                {
                    "id": document.id,
                    "external_id": external_id,
                    "title": title,
                    "publisher": "Demo data",
                    "document_type": rng.choice(["report", "un_document", "news", "advocacy"]),
                    "language": language,
                    "text": text,
                    "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "published_on": published_on,
                }
            )
        return rows

    def _citation(self, state, **target):
        document = self.rng.choice(self.documents_by_state[state])
        start, end = self.rng.choice(document.sentences)
        return {
            "id": self._take(Citation),
            "document_id": document.id,
            "quote": document.text[start:end],
            "quote_start": start,
            "quote_end": end,
            "location": f"paragraph {1 + start * 40 // max(1, len(document.text))}",
            **target,
        }

    def batches(self, size) -> Iterator[dict]:
        """Dicts of model → rows, ``size`` recommendations (with their children) at a time."""
        batch = self._empty()
        for number in range(self.count):
            self._recommendation(number, batch)
            if len(batch[Recommendation]) >= size:
                yield batch
                batch = self._empty()
        if batch[Recommendation]:
            yield batch

    @staticmethod
    def _empty():
        return {
            Recommendation: [],
            Recommendation.themes.through: [],
            Recommendation.legal_provisions.through: [],
            StatusUpdate: [],
            Citation: [],
        }

    def _recommendation(self, number, batch):
        rng, ref, now = self.rng, self.reference, timezone.now()
        state_id, code, state = rng.choice(ref.states)
        themes = rng.sample(ref.themes, rng.choice([1, 1, 1, 2, 2, 3]))
        subject = _subject(rng, themes[0][1])
        promise = rng.random() < 0.2
        if promise:
            text = rng.choice(words.EN_PROMISES).format(subject=subject)
            made_by, mechanism = state_id, "national"
        else:
            text = rng.choice(words.EN_ASKS).format(subject=subject)
            made_by, mechanism = rng.choice(ref.makers)
        made_on = _date(rng, datetime.date(FIRST_YEAR, 1, 1), LAST_DAY - datetime.timedelta(days=200))
        due_on = None
        if rng.random() < 0.4:
            due_on = made_on + datetime.timedelta(days=rng.randrange(180, 5 * 365))
        published = rng.random() < 0.85
        rec_id = self._take(Recommendation)
        row = {
            "id": rec_id,
            "external_id": f"{self.prefix}{number:07d}",
            "kind": "promise" if promise else "recommendation",
            "title": f"{text.split(' by ')[0][:280]} ({state})",
            "text": f"{text} in {state}, and report on the measures taken.",
            "made_by_id": made_by,
            "addressed_to_id": state_id,
            "mechanism": mechanism,
            "made_on": made_on,
            "due_on": due_on,
            "review_state": ReviewState.PUBLISHED if published else ReviewState.DRAFT,
            "published_at": now if published else None,
        }
        if mechanism == "upr":
            row["upr_cycle"] = 1 + (made_on.year - FIRST_YEAR) // 5
            row["upr_session"] = 3 + (made_on.year - FIRST_YEAR) * 2
            row["state_response"] = rng.choice(["supported", "supported", "noted"])
            row["context"] = f"UPR cycle {row['upr_cycle']}"
        batch[Recommendation].append(row)
        for theme_id, _ in themes:
            batch[Recommendation.themes.through].append({"recommendation_id": rec_id, "theme_id": theme_id})
        if rng.random() < 0.5:
            pool = ref.provisions.get(code, []) + ref.provisions.get("", [])
            for provision_id in rng.sample(pool, min(len(pool), rng.choice([1, 1, 2]))):
                batch[Recommendation.legal_provisions.through].append(
                    {"recommendation_id": rec_id, "legalprovision_id": provision_id}
                )
        confirmed = {"confirmed_by_process": PROCESS, "confirmed_at": now} if published else {}
        batch[Citation].append(self._citation(code, recommendation_id=rec_id, status_update_id=None, **confirmed))
        current = ("", None)
        status, as_of = "", made_on
        length = rng.choices(HISTORY_LENGTHS, HISTORY_WEIGHTS)[0]
        # A published promise with a deadline has a published status (verify_evidence asks for one).
        must_publish = published and promise and due_on is not None
        for step in range(max(length, 1 if must_publish else 0)):
            as_of = _date(rng, as_of, min(LAST_DAY, as_of + datetime.timedelta(days=900)))
            status = rng.choice(STATUS_STEPS[status])
            update_published = published and (rng.random() < 0.9 or (must_publish and step == 0))
            update_id = self._take(StatusUpdate)
            batch[StatusUpdate].append(
                {
                    "id": update_id,
                    "recommendation_id": rec_id,
                    "status": status,
                    "as_of": as_of,
                    "summary": words.EN_SUMMARIES[status].format(subject=subject),
                    "assessor_kind": rng.choice(ASSESSORS),
                    "review_state": ReviewState.PUBLISHED if update_published else ReviewState.DRAFT,
                    "published_at": now if update_published else None,
                }
            )
            confirmed = {"confirmed_by_process": PROCESS, "confirmed_at": now} if update_published else {}
            citation = self._citation(code, recommendation_id=None, status_update_id=update_id, **confirmed)
            batch[Citation].append(citation)
            if update_published:
                # Sorted by date and written in order: the last published is the latest.
                current = (status, as_of)
        row["current_status"], row["current_status_as_of"] = current


def _ahead(batches: Iterator, depth: int = 2) -> Iterator:
    """The batches, the next ones made by a thread while the database writes this one: the random
    rows are Python's work, the writing mostly the server's, and the machine has two cores. The
    order (and so the data of a seed) is unchanged."""
    done = object()
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def make():
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(done)
        except BaseException as error:  # handed to the writer, raised there
            ready.put(error)

    maker = threading.Thread(target=make, name="demo-data-batches", daemon=True)
    maker.start()
    try:
        while (batch := ready.get()) is not done:
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        stop.set()
        maker.join()


def generate_demo_data(
    *, recommendations: int, seed: int = 1, batch_size: int = 5000, progress: Callable | None = None
) -> DemoReport:
    """Write ``recommendations`` synthetic recommendations (see the module's docstring), with their
    documents, status updates and citations; ``progress(total=…)`` makes a progress bar (tqdm).
    Refuses (ValueError) a seed already loaded: its external ids would clash."""
    if recommendations < 1:
        raise ValueError("Give at least one recommendation to generate.")
    prefix = demo_prefix(seed)
    existing = Recommendation.objects.filter(external_id__startswith=prefix).count()
    if existing or SourceDocument.objects.filter(external_id__startswith=prefix).exists():
        raise ValueError(
            f"Demo data for seed {seed} is already loaded ({existing} recommendations with external ids "
            f"“{prefix}…”); use another --seed."
        )
    started = time.perf_counter()
    report = DemoReport()
    with transaction.atomic():
        reference = ensure_reference()
        models = [SourceDocument, Recommendation, StatusUpdate, Citation]
        ids = {model: next_id(model) for model in models}
        generator = Generator(seed=seed, count=recommendations, reference=reference, ids=ids)
        documents = generator.documents()
        BulkWriter(SourceDocument).write(documents)
        report.documents = len(documents)
    writers = {model: BulkWriter(model, with_ids=model in models) for model in Generator._empty()}
    writers[Recommendation] = recommendation_writer(Recommendation)
    bar = progress(total=recommendations, unit="rec") if progress else None
    try:
        for batch in _ahead(generator.batches(batch_size)):
            with transaction.atomic():
                with fast_load():
                    stage_recommendations()
                    for model, rows in batch.items():
                        writers[model].write(rows)
                    recommendations = batch[Recommendation]
                    index_recommendations(Recommendation, recommendations[0]["id"], recommendations[-1]["id"])
                reset_sequences(*models)
                # The rows bypass the services; the public's cached counts must still go.
                published_data_changed()
            report.recommendations += len(batch[Recommendation])
            report.status_updates += len(batch[StatusUpdate])
            report.citations += len(batch[Citation])
            if bar is not None:
                bar.update(len(batch[Recommendation]))
    finally:
        if bar is not None:
            bar.close()
    # The status periods are derived from the history just loaded: one set-based rebuild.
    status_periods.refresh(Recommendation.objects.filter(external_id__startswith=prefix))
    report.seconds = time.perf_counter() - started
    return report
