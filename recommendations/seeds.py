"""Load the seed source documents and the curated data file (``seeds/curated.yaml``).

The file is keyed by natural keys (document file names, slugs, recommendation keys), so a second
load finds everything present and writes nothing. Anything present is left as it is: staff may
have curated it since. The whole load is one transaction; the first malformed entry stops it with
a ``SeedError`` naming the file and the entry, and the database is left as it was. A field the
loader does not know is such an error too, rather than a fact silently dropped.
Every row is written through ``services``. The curation rules the file follows are in
docs/curation.md.
"""

import dataclasses
import datetime
import difflib
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import (
    Actor,
    DateBasis,
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

# The fields each kind of entry may have; anything else is refused (a typo such as “made_on_bassis”
# would otherwise lose a fact without a word).
TOP_LEVEL_FIELDS = {"documents", "themes", "actors", "legal_provisions", "recommendations", "links"}
DOCUMENT_FIELDS = {
    "file",
    "title",
    "publisher",
    "document_type",
    "url",
    "language",
    "published_on",
    "published_on_precision",
    "published_on_basis",
    "date_note",
}
THEME_FIELDS = {"slug", "name", "description", "parent"}
ACTOR_FIELDS = {"slug", "name", "kind", "country", "part_of", "description"}
LEGAL_PROVISION_FIELDS = {"slug", "country", "instrument", "article", "title"}
RECOMMENDATION_FIELDS = {
    "key",
    "kind",
    "title",
    "text",
    "made_by",
    "addressed_to",
    "mechanism",
    "context",
    "made_on",
    "made_on_precision",
    "made_on_basis",
    "due_on",
    "due_on_precision",
    "due_on_basis",
    "date_note",
    "state_response",
    "themes",
    "legal_provisions",
    "citations",
    "status_history",
}
CITATION_FIELDS = {"document", "quote", "location"}
STATUS_UPDATE_FIELDS = {
    "status",
    "as_of",
    "as_of_precision",
    "as_of_basis",
    "date_note",
    "summary",
    "assessor_kind",
    "assessed_by",
    "citations",
}
LINK_FIELDS = {"from", "to", "relation", "note"}


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

    def __init__(self, path, where, data, fields):
        self.path, self.where = path, where
        if not isinstance(data, dict):
            self.fail(f"expected a mapping of fields, found {type(data).__name__}")
        self.data = data
        # Name the entry by its natural key too, so that it can be found without counting.
        label = next((data[name] for name in ("key", "slug", "file") if isinstance(data.get(name), str)), None)
        if label:
            self.where = f"{where} “{label}”"
        unknown = [name for name in data if name not in fields]
        if unknown:
            name = unknown[0]
            close = difflib.get_close_matches(str(name), fields, n=1)
            hint = f" (did you mean “{close[0]}”?)" if close else ""
            self.fail(f"unknown field “{name}”{hint}; the fields here are {', '.join(sorted(fields))}")

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

    def entries(self, name, fields):
        items = self.get(name, [])
        if not isinstance(items, list):
            self.fail(f"field “{name}” must be a list")
        return [_Entry(self.path, f"{self.where} → {name}[{index}]", item, fields) for index, item in enumerate(items)]

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
    report = SeedReport()
    with transaction.atomic():
        root = _Entry(path, "top level", data or {}, TOP_LEVEL_FIELDS)
        for entry in root.entries("documents", DOCUMENT_FIELDS):
            _load_document(entry, directory, report)
        for entry in root.entries("themes", THEME_FIELDS):
            _load_theme(entry, report)
        for entry in root.entries("actors", ACTOR_FIELDS):
            _load_actor(entry, report)
        for entry in root.entries("legal_provisions", LEGAL_PROVISION_FIELDS):
            _load_legal_provision(entry, report)
        for entry in root.entries("recommendations", RECOMMENDATION_FIELDS):
            _load_recommendation(entry, report)
        for entry in root.entries("links", LINK_FIELDS):
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
        published_on_basis=entry.choice("published_on_basis", DateBasis, default=DateBasis.STATED),
        date_note=entry.text("date_note"),
    )
    report.count("documents", created=True)


def _create_if_missing(entry, report, counted_as, model, lookup, create, **fields):
    """Create the entry through its service unless a row with the natural key ``lookup`` exists."""
    if model.objects.filter(**lookup).exists():
        report.count(counted_as, created=False)
        return
    entry.validated(create, **fields)
    report.count(counted_as, created=True)


def _load_theme(entry, report):
    slug = entry.text("slug", required=True)
    _create_if_missing(
        entry,
        report,
        "themes",
        Theme,
        {"slug": slug},
        services.theme_create,
        slug=slug,
        name=entry.text("name", required=True),
        description=entry.text("description"),
        parent=entry.lookup("parent", Theme),
    )


def _load_actor(entry, report):
    slug = entry.text("slug", required=True)
    _create_if_missing(
        entry,
        report,
        "actors",
        Actor,
        {"slug": slug},
        services.actor_create,
        slug=slug,
        name=entry.text("name", required=True),
        kind=entry.choice("kind", Actor.Kind, required=True),
        country=entry.text("country"),
        part_of=entry.lookup("part_of", Actor),
        description=entry.text("description"),
    )


def _load_legal_provision(entry, report):
    slug = entry.text("slug", required=True)
    _create_if_missing(
        entry,
        report,
        "legal provisions",
        LegalProvision,
        {"slug": slug},
        services.legal_provision_create,
        slug=slug,
        country=entry.text("country"),
        instrument=entry.text("instrument", required=True),
        article=entry.text("article"),
        title=entry.text("title"),
    )


def _citations(entry):
    return [
        services.CitationInput(
            document=citation.lookup("document", SourceDocument, field="external_id", required=True),
            quote=citation.text("quote", required=True),
            location=citation.text("location"),
        )
        for citation in entry.entries("citations", CITATION_FIELDS)
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
        made_on_basis=entry.choice("made_on_basis", DateBasis, default=DateBasis.STATED),
        due_on=entry.date("due_on"),
        due_on_precision=entry.choice("due_on_precision", DatePrecision, default=DatePrecision.DAY),
        due_on_basis=entry.choice("due_on_basis", DateBasis, default=DateBasis.STATED),
        date_note=entry.text("date_note"),
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
    for update in entry.entries("status_history", STATUS_UPDATE_FIELDS):
        update.validated(
            services.status_update_record,
            recommendation=recommendation,
            status=update.choice("status", ImplementationStatus, required=True),
            as_of=update.date("as_of", required=True),
            as_of_precision=update.choice("as_of_precision", DatePrecision, default=DatePrecision.DAY),
            as_of_basis=update.choice("as_of_basis", DateBasis, default=DateBasis.STATED),
            date_note=update.text("date_note"),
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
        services.recommendation_link_create,
        **lookup,
        note=entry.text("note"),
    )


def _recommendation_by_key(entry, name):
    key = entry.text(name, required=True)
    try:
        return Recommendation.objects.get(external_id=SEED_KEY_PREFIX + key)
    except Recommendation.DoesNotExist:
        entry.fail(f"field “{name}”: no recommendation with key “{key}”")
