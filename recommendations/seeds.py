"""Load the seed source documents and the curated data file (``seeds/curated.yaml``).

The file is keyed by natural keys (document file names, slugs, recommendation keys), so a second
load finds everything present and writes nothing. Anything present is left as it is: staff may
have curated it since. The whole load is one transaction; the first malformed entry stops it with
a ``SeedError`` naming the file and the entry, and the database is left as it was.
"""

import dataclasses
import datetime
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import (
    Actor,
    DatePrecision,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    SourceDocument,
    StatusUpdate,
    Theme,
)

CURATED_FILE = "curated.yaml"
SEED_KEY_PREFIX = "seed:"


class SeedError(Exception):
    """A malformed seed entry; the message names the file and the entry."""


@dataclasses.dataclass
class SeedReport:
    """What a load created and what it found already present, per kind of entry."""

    created: dict[str, int] = dataclasses.field(default_factory=dict)
    present: dict[str, int] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)

    def count(self, kind, created):
        bucket = self.created if created else self.present
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self):
        return any(self.created.values())


class _Entry:
    """Reads one mapping from the YAML file, turning every problem into a SeedError that says
    where it is."""

    def __init__(self, path, where, data):
        self.path, self.where = path, where
        if not isinstance(data, dict):
            self.fail(f"expected a mapping of fields, found {type(data).__name__}")
        self.data = data

    def fail(self, message):
        raise SeedError(f"{self.path}: {self.where}: {message}")

    def get(self, name, default=None, required=False):
        if name not in self.data or self.data[name] in (None, ""):
            if required:
                self.fail(f"missing required field “{name}”")
            return default
        return self.data[name]

    def text(self, name, required=False, default=""):
        value = self.get(name, default, required)
        if not isinstance(value, str | int | float):
            self.fail(f"field “{name}” must be text")
        return str(value).strip()

    def date(self, name, required=False):
        value = self.get(name, None, required)
        if value is None or isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"field “{name}”: “{value}” is not a date (use YYYY-MM-DD)")

    def choice(self, name, choices, default=None, required=False):
        value = self.get(name, default, required)
        if value in (None, ""):  # an optional choice left out
            return value
        valid = [c[0] for c in choices.choices]
        if value not in valid:
            self.fail(f"field “{name}”: “{value}” is not one of {', '.join(valid)}")
        return value

    def lookup(self, name, model, field="slug", required=False):
        key = self.get(name, None, required)
        if key is None:
            return None
        try:
            return model.objects.get(**{field: key})
        except model.DoesNotExist:
            self.fail(f"field “{name}”: no {model._meta.verbose_name} with {field} “{key}”")

    def lookup_many(self, name, model, field="slug"):
        keys = self.get(name, [])
        if not isinstance(keys, list):
            self.fail(f"field “{name}” must be a list")
        found = {getattr(obj, field): obj for obj in model.objects.filter(**{f"{field}__in": keys})}
        missing = [key for key in keys if key not in found]
        if missing:
            self.fail(f"field “{name}”: no {model._meta.verbose_name} with {field} {', '.join(map(str, missing))}")
        return [found[key] for key in keys]

    def entries(self, name):
        items = self.get(name, [])
        if not isinstance(items, list):
            self.fail(f"field “{name}” must be a list")
        return [_Entry(self.path, f"{self.where} → {name}[{index}]", item) for index, item in enumerate(items)]

    def validated(self, function, **kwargs):
        """Call a service, reporting its validation errors against this entry."""
        try:
            return function(**kwargs)
        except ValidationError as error:
            messages = (
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
                if hasattr(error, "error_dict")
                else " ".join(error.messages)
            )
            self.fail(messages)


def seeds_load(*, directory: Path) -> SeedReport:
    """Load the documents and curated data in ``directory`` in one transaction."""
    directory = Path(directory)
    path = directory / CURATED_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SeedError(f"{path}: cannot read the curated data file ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise SeedError(f"{path}: not valid YAML: {error}") from error
    root = _Entry(path, "top level", data or {})
    report = SeedReport()
    with transaction.atomic():
        for entry in root.entries("documents"):
            _load_document(entry, directory, report)
        for entry in root.entries("themes"):
            _load_theme(entry, report)
        for entry in root.entries("actors"):
            _load_actor(entry, report)
        for entry in root.entries("legal_provisions"):
            _load_legal_provision(entry, report)
        for entry in root.entries("recommendations"):
            _load_recommendation(entry, report)
        for entry in root.entries("links"):
            _load_link(entry, report)
    return report


def _load_document(entry, directory, report):
    file_name = entry.text("file", required=True)
    try:
        text = (directory / file_name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        entry.fail(f"cannot read document file “{file_name}”: {error}")
    existing = SourceDocument.objects.filter(external_id=file_name).first()
    if existing is not None:
        if existing.text != text:
            report.warnings.append(f"document {file_name}: the stored text differs from the file; left as it is")
        report.count("documents", created=False)
        return
    entry.validated(
        services.source_document_create,
        external_id=file_name,
        title=entry.text("title", required=True),
        publisher=entry.text("publisher"),
        document_type=entry.choice("document_type", SourceDocument.DocumentType, required=True),
        url=entry.text("url"),
        language=entry.text("language", default="en"),
        text=text,
        published_on=entry.date("published_on"),
        published_on_precision=entry.choice("published_on_precision", DatePrecision, default=DatePrecision.DAY),
        published_on_basis=entry.choice(
            "published_on_basis", SourceDocument.DateBasis, default=SourceDocument.DateBasis.STATED
        ),
        date_note=entry.text("date_note"),
    )
    report.count("documents", created=True)


def _create_if_missing(entry, report, kind, model, lookup, build):
    if model.objects.filter(**lookup).exists():
        report.count(kind, created=False)
        return
    obj = build()
    entry.validated(obj.full_clean)
    obj.save()
    report.count(kind, created=True)


def _load_theme(entry, report):
    slug = entry.text("slug", required=True)
    _create_if_missing(
        entry,
        report,
        "themes",
        Theme,
        {"slug": slug},
        lambda: Theme(
            slug=slug,
            name=entry.text("name", required=True),
            description=entry.text("description"),
            parent=entry.lookup("parent", Theme),
        ),
    )


def _load_actor(entry, report):
    slug = entry.text("slug", required=True)
    _create_if_missing(
        entry,
        report,
        "actors",
        Actor,
        {"slug": slug},
        lambda: Actor(
            slug=slug,
            name=entry.text("name", required=True),
            kind=entry.choice("kind", Actor.Kind, required=True),
            country=entry.text("country"),
            part_of=entry.lookup("part_of", Actor),
            description=entry.text("description"),
        ),
    )


def _load_legal_provision(entry, report):
    slug = entry.text("slug", required=True)
    _create_if_missing(
        entry,
        report,
        "legal provisions",
        LegalProvision,
        {"slug": slug},
        lambda: LegalProvision(
            slug=slug,
            country=entry.text("country"),
            instrument=entry.text("instrument", required=True),
            article=entry.text("article"),
            title=entry.text("title"),
        ),
    )


def _citations(entry):
    return [
        services.CitationInput(
            document=citation.lookup("document", SourceDocument, field="external_id", required=True),
            quote=citation.text("quote", required=True),
            location=citation.text("location"),
        )
        for citation in entry.entries("citations")
    ]


def _load_recommendation(entry, report):
    external_id = SEED_KEY_PREFIX + entry.text("key", required=True)
    if Recommendation.objects.filter(external_id=external_id).exists():
        report.count("recommendations", created=False)
        return
    citations = _citations(entry)
    if not citations:
        entry.fail("a recommendation needs at least one citation")
    # Curated seed data is reviewed before it is committed, so it is loaded as published.
    recommendation = entry.validated(
        services.recommendation_create,
        publish=True,
        themes=entry.lookup_many("themes", Theme),
        legal_provisions=entry.lookup_many("legal_provisions", LegalProvision),
        external_id=external_id,
        kind=entry.choice("kind", Recommendation.Kind, required=True),
        title=entry.text("title", required=True),
        text=entry.text("text", required=True),
        made_by=entry.lookup("made_by", Actor, required=True),
        addressed_to=entry.lookup("addressed_to", Actor, required=True),
        mechanism=entry.choice("mechanism", Recommendation.Mechanism, default=Recommendation.Mechanism.OTHER),
        context=entry.text("context"),
        made_on=entry.date("made_on"),
        made_on_precision=entry.choice("made_on_precision", DatePrecision, default=DatePrecision.DAY),
        due_on=entry.date("due_on"),
        due_on_precision=entry.choice("due_on_precision", DatePrecision, default=DatePrecision.DAY),
        state_response=entry.choice("state_response", Recommendation.StateResponse, default=""),
    )
    for citation in citations:
        entry.validated(
            services.citation_create,
            document=citation.document,
            quote=citation.quote,
            location=citation.location,
            recommendation=recommendation,
        )
    for update in entry.entries("status_history"):
        update.validated(
            services.status_update_record,
            recommendation=recommendation,
            status=update.choice("status", ImplementationStatus, required=True),
            as_of=update.date("as_of", required=True),
            as_of_precision=update.choice("as_of_precision", DatePrecision, default=DatePrecision.DAY),
            summary=update.text("summary", required=True),
            assessor_kind=update.choice("assessor_kind", StatusUpdate.AssessorKind, required=True),
            assessed_by=update.lookup("assessed_by", Actor),
            citations=_citations(update),
            publish=True,
        )
        report.count("status updates", created=True)
    report.count("recommendations", created=True)


def _load_link(entry, report):
    source, target = _recommendation_by_key(entry, "from"), _recommendation_by_key(entry, "to")
    relation = entry.choice("relation", RecommendationLink.Relation, required=True)
    lookup = {"from_recommendation": source, "to_recommendation": target, "relation": relation}
    _create_if_missing(
        entry,
        report,
        "links",
        RecommendationLink,
        lookup,
        lambda: RecommendationLink(**lookup, note=entry.text("note")),
    )


def _recommendation_by_key(entry, name):
    key = entry.text(name, required=True)
    try:
        return Recommendation.objects.get(external_id=SEED_KEY_PREFIX + key)
    except Recommendation.DoesNotExist:
        entry.fail(f"field “{name}”: no recommendation with key “{key}”")
