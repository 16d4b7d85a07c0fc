"""Import UPR Info's recommendation exports (CSV with the columns ``To, To-Rgrp, To-Org, Text,
From, From-Rgrp, From-Org, Response, Action, Issue, Session``).

One function, ``upr_import``, serves the ``import_upr`` command and the admin upload alike:

1. *Read*: decode the bytes (``text_encoding``), parse the CSV and check every row. The first
   bad row stops everything with an ``UprImportError`` naming the row (numbered as a
   spreadsheet numbers them: the header is row 1) and the problem.
2. *Plan*: match the states to actors and the issues to themes, look up the rows already
   imported and decide for each row: create, update (and what changes) or unchanged.
3. *Write* (unless ``dry_run``): carry out the plan with bulk inserts and updates in one
   transaction, recording every created or changed recommendation (and its themes) in the
   history tables. A dry run returns the same report without writing.

New recommendations are drafts, like everything an editor adds, unless ``publish`` is asked for
by someone who may publish (or by the operator at the command line, ``user=None``). Like any
change, an update of an already published recommendation needs someone who may publish.

A row is identified by its session, the two states and its text (whitespace normalised): that
identity, hashed, is the recommendation's ``external_id`` (``upr:<sha256>``), so importing the
same file twice changes nothing. The export has no other stable identifier. See
docs/upr-import.md for the mapping and the rules for duplicates and updates.
"""

import csv
import dataclasses
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from .models import Actor, Recommendation, ReviewState, Theme, normalize_whitespace
from .services import PUBLISH_RECOMMENDATION
from .text_encoding import EncodingError, decode_text

KEY_PREFIX = "upr:"
# The columns the import reads. The export's other columns (regional groups, organisations)
# are not stored and may be missing.
REQUIRED_COLUMNS = ("To", "Text", "From", "Response", "Action", "Issue", "Session")
TITLE_LENGTH = 120
BATCH_SIZE = 500

# UPR Info's responses. Early exports also say "Rejected" or leave the response pending.
RESPONSES = {
    "accepted": Recommendation.StateResponse.SUPPORTED,
    "supported": Recommendation.StateResponse.SUPPORTED,
    "partially accepted": Recommendation.StateResponse.PARTIALLY_SUPPORTED,
    "partially supported": Recommendation.StateResponse.PARTIALLY_SUPPORTED,
    "noted": Recommendation.StateResponse.NOTED,
    "rejected": Recommendation.StateResponse.REJECTED,
    "pending": "",
    "": "",
}

# UPR Info's spellings that django-countries' names do not match, keyed in lower case.
COUNTRY_ALIASES = {
    "bosnia & herzegovina": "BA",
    "cape verde": "CV",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "democratic republic of congo": "CD",
    "dpr korea": "KP",
    "guinea bissau": "GW",
    "lao pdr": "LA",
    "macedonia fyr": "MK",
    "republic of congo": "CG",
    "republic of korea": "KR",
    "state of palestine": "PS",
    "trinidad & tobago": "TT",
    "united states": "US",
}

# The sessions of each UPR cycle; later sessions get no cycle rather than a guessed one.
UPR_CYCLES = ((1, 1, 12), (2, 13, 26), (3, 27, 40), (4, 41, 54))

# Compared on a re-import and overwritten with the file's values when they differ. The title
# follows the text; the actors, context and title are otherwise the curators' once created.
SOURCE_FIELDS = ("text", "state_response", "upr_action_category", "upr_session", "upr_cycle", "mechanism")

Progress = Callable[..., Iterable]


class UprImportError(Exception):
    """The file cannot be imported; the message says where and why. Nothing was written."""


def upr_cycle(session: int) -> int | None:
    """The UPR cycle a working-group session belongs to, or None beyond the known cycles."""
    for cycle, first, last in UPR_CYCLES:
        if first <= session <= last:
            return cycle
    return None


def country_code(name: str) -> str:
    """The ISO code of a country named as UPR Info names it, or "" (e.g. for a non-state)."""
    return COUNTRY_ALIASES.get(name.lower()) or countries.by_name(name) or ""


def short_title(text: str, length: int = TITLE_LENGTH) -> str:
    """The text's first ``length`` characters, cut at a word boundary, for tables."""
    text = normalize_whitespace(text)
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


@dataclasses.dataclass(frozen=True)
class UprRow:
    """One checked row of the export, mapped to our vocabulary."""

    number: int
    state_under_review: str
    recommending_state: str
    text: str
    session: int
    state_response: str
    response_cell: str  # as written, for messages: "Accepted" rather than "supported"
    action_category: int | None
    issues: tuple[str, ...]

    @property
    def key(self) -> str:
        identity = "\x1f".join(
            [
                str(self.session),
                self.state_under_review.casefold(),
                self.recommending_state.casefold(),
                normalize_whitespace(self.text),
            ]
        )
        return KEY_PREFIX + hashlib.sha256(identity.encode("utf-8")).hexdigest()

    @property
    def cycle(self) -> int | None:
        return upr_cycle(self.session)

    @property
    def context(self) -> str:
        cycle = self.cycle
        return f"UPR session {self.session}" + (f" (cycle {cycle})" if cycle else "")

    def mapped_values(self):
        """What the row says, for telling an exact duplicate from a contradicting one."""
        return (self.state_response, self.action_category, frozenset(self.issues), normalize_whitespace(self.text))


@dataclasses.dataclass
class StateCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0

    def add(self, other: "StateCounts") -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


@dataclasses.dataclass(frozen=True)
class RowChange:
    """A row that creates a recommendation or changes one; ``changes`` lists (field, old, new)."""

    number: int
    action: str  # "create" or "update"
    state_under_review: str
    recommending_state: str
    title: str
    changes: tuple[tuple[str, str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Duplicate:
    """A row that repeats an earlier row of the same file exactly; it is stored once."""

    number: int
    first_number: int
    state_under_review: str


@dataclasses.dataclass
class UprImportReport:
    """What an import did (or, for a dry run, would do)."""

    encoding: str = ""
    encoding_detected: bool = True
    dry_run: bool = False
    rows: int = 0
    per_state: dict[str, StateCounts] = dataclasses.field(default_factory=dict)
    changes: list[RowChange] = dataclasses.field(default_factory=list)
    duplicates: list[Duplicate] = dataclasses.field(default_factory=list)
    new_actors: list[str] = dataclasses.field(default_factory=list)
    new_themes: list[str] = dataclasses.field(default_factory=list)
    names_without_country: list[str] = dataclasses.field(default_factory=list)

    def counts(self, state: str) -> StateCounts:
        return self.per_state.setdefault(state, StateCounts())

    @property
    def totals(self) -> StateCounts:
        total = StateCounts()
        for counts in self.per_state.values():
            total.add(counts)
        return total

    @property
    def changed(self) -> bool:
        totals = self.totals
        return bool(totals.created or totals.updated)


def _no_progress(iterable, **kwargs):
    return iterable


def upr_import(
    *,
    content: bytes,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    user=None,
    publish: bool = False,
) -> UprImportReport:
    """Import a UPR Info export (its raw bytes); see the module docstring.

    ``encoding`` names the file's encoding (detected when None). ``progress``, if given, wraps
    the long loops like ``tqdm`` does: ``progress(iterable, total=..., desc=...)``. ``user`` is
    who imports (None: the operator at the command line); ``publish`` publishes the new rows.
    Raises ``UprImportError`` and writes nothing if any row is bad, ``PermissionDenied`` if
    ``user`` may not publish and the import would publish or change published rows.
    """
    may_publish = user is None or user.has_perm(PUBLISH_RECOMMENDATION)
    if publish and not may_publish:
        raise PermissionDenied("Only a reviewer can publish imported recommendations.")
    progress = progress or _no_progress
    try:
        decoded = decode_text(content, encoding)
    except EncodingError as error:
        raise UprImportError(str(error)) from None
    report = UprImportReport(encoding=decoded.encoding, encoding_detected=decoded.detected, dry_run=dry_run)
    rows = _read_rows(decoded.text, report, progress)
    try:
        with transaction.atomic():
            plan = _Plan(rows, report, progress, user=user, publish=publish)
            if plan.published_updates and not may_publish:
                first = plan.published_updates[0]
                raise PermissionDenied(
                    f"{len(plan.published_updates)} rows would change recommendations that are already published "
                    f"(the first: row {first}); only a reviewer can change published recommendations. "
                    "Nothing was imported."
                )
            if not dry_run:
                plan.write(progress)
    except IntegrityError as error:
        raise UprImportError(
            f"The database refused the import ({error}). Was the same file being imported at the same time? "
            "Nothing was written; try again."
        ) from None
    return report


def _read_rows(text: str, report: UprImportReport, progress: Progress) -> list[UprRow]:
    """Parse and check every row; returns the distinct rows, recording exact duplicates."""
    # newline="" lets the csv module see \r, \r\n and \n endings, and line breaks inside quoted
    # cells, as they are; strict turns a stray quote into an error instead of a silently merged row.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0  # the last row read; the header is row 1
    try:
        header = [normalize_whitespace(name) for name in next(reader, [])]
        number = 1
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise UprImportError(
                f"Row 1 (the header): missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
                f"A UPR Info export has the columns {', '.join(REQUIRED_COLUMNS)} (and the regional columns)."
            )
        index = {name: header.index(name) for name in REQUIRED_COLUMNS}
        rows: dict[str, UprRow] = {}
        # An estimate for the progress bar: line breaks inside quoted cells make it a little high.
        lines = text.count("\n") + text.count("\r") - text.count("\r\n")
        for number, cells in enumerate(progress(reader, total=lines, desc="Reading", unit="row"), start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(cells) != len(header):
                raise UprImportError(
                    f"Row {number}: expected {len(header)} values (one per column), found {len(cells)}. "
                    "Is a comma or a quote out of place?"
                )
            row = _check_row(number, {name: cells[position] for name, position in index.items()})
            report.rows += 1
            first = rows.get(row.key)
            if first is None:
                rows[row.key] = row
            elif first.mapped_values() == row.mapped_values():
                report.duplicates.append(Duplicate(row.number, first.number, row.state_under_review))
                report.counts(row.state_under_review).duplicates += 1
            else:
                raise UprImportError(
                    f"Row {number}: the same recommendation as row {first.number} (same session, states and text) "
                    f"but {_difference(first, row)}. Remove one of the two rows and import again."
                )
    except csv.Error as error:
        raise UprImportError(f"Row {number + 1}: the row cannot be read as CSV ({error}).") from None
    if not rows:
        raise UprImportError("The file has a header but no rows to import.")
    return list(rows.values())


def _check_row(number: int, cells: dict[str, str]) -> UprRow:
    def fail(message):
        raise UprImportError(f"Row {number}: {message}")

    values = {name: normalize_whitespace(value) for name, value in cells.items()}
    for name in ("To", "From", "Text", "Session"):
        if not values[name]:
            fail(f"the {name} cell is empty.")
    if not values["Session"].isdecimal() or not 0 < int(values["Session"]) < 1000:
        fail(f"Session must be a UPR session number, found “{values['Session']}”.")
    response = values["Response"].lower()
    if response not in RESPONSES:
        fail(f"unknown Response “{values['Response']}” (expected Accepted or Noted).")
    action = values["Action"]
    if action and (not action.isdecimal() or not 1 <= int(action) <= 5):
        fail(f"Action must be UPR Info's action category, 1 to 5, found “{action}”.")
    issues = tuple(dict.fromkeys(issue.strip() for issue in values["Issue"].split(",") if issue.strip()))
    return UprRow(
        number=number,
        state_under_review=values["To"],
        recommending_state=values["From"],
        text=cells["Text"].strip(),
        session=int(values["Session"]),
        state_response=RESPONSES[response],
        response_cell=values["Response"],
        action_category=int(action) if action else None,
        issues=issues,
    )


def _difference(first: UprRow, second: UprRow) -> str:
    labels = ("Response", "Action", "Issue", "Text")
    differences = [
        f"{label} “{a or ''}” on row {first.number} and “{b or ''}” on row {second.number}"
        for label, a, b in zip(labels, _cells(first), _cells(second), strict=True)
        if a != b
    ]
    return "; ".join(differences)


def _cells(row: UprRow):
    return (row.response_cell, row.action_category, ", ".join(row.issues), row.text)


class _Plan:
    """What the import will write: the actors and themes to create, the recommendations to
    create and update and the theme links to add. Built from reads only."""

    def __init__(self, rows: Sequence[UprRow], report: UprImportReport, progress: Progress, *, user, publish):
        self.report, self.user, self.publish = report, user, publish
        self.published_updates: list[int] = []  # row numbers
        self.actors = self._match_actors(
            {name for row in rows for name in (row.state_under_review, row.recommending_state)}
        )
        self.themes = self._match_themes({issue for row in rows for issue in row.issues})
        self.creates: list[tuple[Recommendation, list[Theme]]] = []
        self.updates: list[Recommendation] = []
        self.update_fields: set[str] = set()
        self.links: list[tuple[Recommendation, Theme]] = []
        existing = self._existing([row.key for row in rows])
        for row in progress(rows, total=len(rows), desc="Comparing", unit="row"):
            themes = [self.themes[issue.casefold()] for issue in row.issues]
            recommendation = existing.get(row.key)
            if recommendation is None:
                self._create(row, themes)
            else:
                self._compare(row, recommendation, themes)
        report.changes.sort(key=lambda change: change.number)

    def _match_actors(self, names: set[str]) -> dict[str, Actor]:
        """Each state named in the file, as an existing state actor (found by country code,
        then slug, then name) or a new one."""
        states = list(Actor.objects.filter(kind=Actor.Kind.STATE).order_by("id"))
        by_country, by_slug, by_name = {}, {}, {}
        for actor in states:
            if actor.country:
                by_country.setdefault(actor.country.code, actor)
            by_slug.setdefault(actor.slug, actor)
            by_name.setdefault(actor.name.casefold(), actor)
        taken = set(Actor.objects.values_list("slug", flat=True))
        matched = {}
        for name in sorted(names, key=str.casefold):
            if name.casefold() in matched:
                continue
            code = country_code(name)
            actor = (
                (by_country.get(code) if code else None) or by_slug.get(slugify(name)) or by_name.get(name.casefold())
            )
            if actor is None:
                actor = Actor(
                    name=name,
                    slug=_unique_slug(name, taken, Actor.slug.field.max_length),
                    kind=Actor.Kind.STATE,
                    country=code,
                    description="Created by the UPR import.",
                )
                _validate(actor, f"the state “{name}”")
                self.report.new_actors.append(name)
                if code:
                    by_country[code] = actor
                by_slug[actor.slug], by_name[name.casefold()] = actor, actor
            if not code and not actor.country:
                self.report.names_without_country.append(name)
            matched[name.casefold()] = actor
        return matched

    def _match_themes(self, issues: set[str]) -> dict[str, Theme]:
        """Each issue as an existing theme (same name in any case, or same slug) or a new one."""
        existing = list(Theme.objects.all())
        by_name = {theme.name.casefold(): theme for theme in existing}
        by_slug = {theme.slug: theme for theme in existing}
        taken = set(by_slug)
        matched = {}
        for issue in sorted(issues, key=str.casefold):
            key = issue.casefold()
            if key in matched:
                continue
            theme = by_name.get(key) or by_slug.get(slugify(issue))
            if theme is None:
                theme = Theme(name=issue, slug=_unique_slug(issue, taken, Theme.slug.field.max_length))
                _validate(theme, f"the theme “{issue}”")
                self.report.new_themes.append(issue)
            matched[key] = theme
        return matched

    def _existing(self, keys: list[str]) -> dict[str, Recommendation]:
        """The recommendations already imported from these rows, with their theme ids."""
        found = {}
        fields = ["id", "external_id", "title", *SOURCE_FIELDS]
        for start in range(0, len(keys), BATCH_SIZE):
            batch = Recommendation.objects.filter(external_id__in=keys[start : start + BATCH_SIZE]).only(*fields)
            found.update((recommendation.external_id, recommendation) for recommendation in batch)
        theme_ids: dict[int, set[int]] = {}
        ids = [recommendation.id for recommendation in found.values()]
        through = Recommendation.themes.through
        for start in range(0, len(ids), BATCH_SIZE):
            links = through.objects.filter(recommendation_id__in=ids[start : start + BATCH_SIZE])
            for recommendation_id, theme_id in links.values_list("recommendation_id", "theme_id"):
                theme_ids.setdefault(recommendation_id, set()).add(theme_id)
        for recommendation in found.values():
            recommendation._upr_theme_ids = theme_ids.get(recommendation.id, set())
        return found

    def _create(self, row: UprRow, themes: list[Theme]) -> None:
        recommendation = Recommendation(
            external_id=row.key,
            kind=Recommendation.Kind.RECOMMENDATION,
            title=short_title(row.text),
            made_by=self.actors[row.recommending_state.casefold()],
            addressed_to=self.actors[row.state_under_review.casefold()],
            context=row.context,
            **self._source_values(row),
        )
        if self.publish:
            recommendation.review_state = ReviewState.PUBLISHED
            recommendation.published_at, recommendation.published_by = timezone.now(), self.user
        _validate(recommendation, f"row {row.number}", exclude=["made_by", "addressed_to"])
        self.creates.append((recommendation, themes))
        self.report.counts(row.state_under_review).created += 1
        self.report.changes.append(
            RowChange(row.number, "create", row.state_under_review, row.recommending_state, recommendation.title)
        )

    def _compare(self, row: UprRow, recommendation: Recommendation, themes: list[Theme]) -> None:
        changes = []
        values = self._source_values(row)
        if values["text"] != recommendation.text:
            values["title"] = short_title(row.text)
        for field, new in values.items():
            old = getattr(recommendation, field)
            if old != new:
                changes.append((field, _display(old), _display(new)))
                setattr(recommendation, field, new)
                self.update_fields.add(field)
        added = [theme for theme in themes if theme.pk is None or theme.pk not in recommendation._upr_theme_ids]
        if added:
            changes.append(("themes", "", "+ " + ", ".join(theme.name for theme in added)))
            self.links.extend((recommendation, theme) for theme in added)
        counts = self.report.counts(row.state_under_review)
        if not changes:
            counts.unchanged += 1
            return
        _validate(recommendation, f"row {row.number}", exclude=["made_by", "addressed_to"])
        if recommendation.is_published:
            self.published_updates.append(row.number)
        # A change like any other: a new version, so an editor with the old one open cannot save over it.
        recommendation.version += 1
        self.update_fields.add("version")
        # Also when only themes were added: updated_at is how the API says what changed.
        self.updates.append(recommendation)
        counts.updated += 1
        self.report.changes.append(
            RowChange(
                row.number,
                "update",
                row.state_under_review,
                row.recommending_state,
                recommendation.title,
                tuple(changes),
            )
        )

    @staticmethod
    def _source_values(row: UprRow) -> dict:
        return {
            "text": row.text,
            "state_response": row.state_response,
            "upr_action_category": row.action_category,
            "upr_session": row.session,
            "upr_cycle": row.cycle,
            "mechanism": Recommendation.Mechanism.UPR,
        }

    def write(self, progress: Progress) -> None:
        """Carry out the plan: new actors and themes first, then recommendations in batches."""
        Actor.objects.bulk_create([actor for actor in self.actors.values() if actor.pk is None])
        Theme.objects.bulk_create([theme for theme in self.themes.values() if theme.pk is None])
        through = Recommendation.themes.through
        links = list(self.links)
        batches = range(0, len(self.creates), BATCH_SIZE)
        for start in progress(batches, total=len(batches), desc="Writing", unit="batch"):
            batch = self.creates[start : start + BATCH_SIZE]
            Recommendation.objects.bulk_create([recommendation for recommendation, _ in batch])
            links.extend((recommendation, theme) for recommendation, themes in batch for theme in themes)
        if self.updates:
            # bulk_update skips auto_now, and the API's "changed since" feed reads updated_at.
            now = timezone.now()
            for recommendation in self.updates:
                recommendation.updated_at = now
            Recommendation.objects.bulk_update(
                self.updates, sorted(self.update_fields | {"updated_at"}), batch_size=BATCH_SIZE
            )
        through.objects.bulk_create(
            [through(recommendation_id=recommendation.pk, theme_id=theme.pk) for recommendation, theme in links],
            batch_size=2000,
        )
        self._record_history()

    def _record_history(self) -> None:
        """What a save() would have recorded: a version of each created or updated recommendation,
        with the themes it has now (bulk writes send no signals, so history is written here)."""
        created = [recommendation for recommendation, _ in self.creates]
        through = Recommendation.themes.through
        theme_history = apps.get_model("recommendations", "HistoricalRecommendation_themes")
        links_by_recommendation: dict[int, list] = {}
        ids = [recommendation.pk for recommendation in [*created, *self.updates]]
        for start in range(0, len(ids), BATCH_SIZE):
            for link in through.objects.filter(recommendation_id__in=ids[start : start + BATCH_SIZE]).order_by("id"):
                links_by_recommendation.setdefault(link.recommendation_id, []).append(link)
        rows = []
        for recommendations, update in ((created, False), (self.updates, True)):
            versions = Recommendation.history.bulk_history_create(
                recommendations,
                update=update,
                default_user=self.user,
                default_change_reason="UPR import",
                batch_size=BATCH_SIZE,
            )
            rows.extend(
                theme_history(
                    history=version, id=link.id, recommendation_id=link.recommendation_id, theme_id=link.theme_id
                )
                for version in versions or []
                for link in links_by_recommendation.get(version.id, [])
            )
        theme_history.objects.bulk_create(rows, batch_size=2000)


def _unique_slug(name: str, taken: set[str], max_length: int) -> str:
    base = (slugify(name) or "item")[: max_length - 4]
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(slug)
    return slug


def _validate(instance, where: str, exclude: Sequence[str] = ()) -> None:
    """Field checks before anything is written. Uniqueness is guaranteed by the plan itself (and
    by the database's constraints); checking it here would cost a query per row."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items())
        raise UprImportError(f"{where[0].upper()}{where[1:]}: {messages}") from None


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    return short_title(str(value), length=60)
