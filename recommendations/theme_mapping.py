"""One theme vocabulary: the themes other vocabularies name (UPR Info's issues, OHCHR's UHRI themes)
mapped onto the curated themes through ``SourceTheme`` rows.

- The tracker ships a mapping for every UPR Info issue (``data/theme_mapping.csv``) onto curated
  themes (``data/themes.csv``: the curated themes the mapping needs, with their names). An import
  that meets a name the database has not seen yet adds its ``SourceTheme`` with the shipped
  mapping, creating the curated themes it needs; a name the database knows keeps the curators'
  mapping, whatever the shipped one says (``issues_match``).
- Imported rows keep the names (``Recommendation.source_themes``) and get the mapped themes.
- A curator changes a mapping in the admin (``source_theme_change``), then applies it to the rows
  already imported (``themes_remap``: the admin action, ``manage.py remap_themes``); the rows
  change through ``bulk.recommendations_bulk_change``, so every change has its version in history.
"""

import csv
import dataclasses
import functools
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import Recommendation, SourceTheme, Theme

DATA = Path(__file__).resolve().parent / "data"
MAPPING_FILE = DATA / "theme_mapping.csv"
THEMES_FILE = DATA / "themes.csv"


@dataclasses.dataclass(frozen=True)
class ShippedTheme:
    slug: str
    name: str
    parent: str  # a slug, or ""


@functools.cache
def shipped_themes() -> dict[str, ShippedTheme]:
    """The curated themes the shipped mapping maps onto, by slug."""
    with THEMES_FILE.open(encoding="utf-8", newline="") as file:
        return {row["slug"]: ShippedTheme(row["slug"], row["name"], row["parent"]) for row in csv.DictReader(file)}


@functools.cache
def shipped_mapping() -> dict[tuple[str, str], tuple[str, ...]]:
    """``{(vocabulary, name in lower case): (theme slug, …)}`` as shipped."""
    with MAPPING_FILE.open(encoding="utf-8", newline="") as file:
        return {
            (row["vocabulary"], row["name"].casefold()): tuple(row["themes"].split()) for row in csv.DictReader(file)
        }


@dataclasses.dataclass
class IssueMatch:
    """The source themes of one file's issues (new ones unsaved) and the curated themes each gives."""

    vocabulary: str
    source_themes: dict[str, SourceTheme]  # by name in lower case
    themes: dict[str, list[Theme]]  # the mapped themes, by name in lower case
    new_themes: list[Theme]  # curated themes the shipped mapping needs and the database lacks

    def themes_of(self, issues: Iterable[str]) -> list[Theme]:
        """The curated themes a row with these issues gets, each once, in the issues' order."""
        found = {id(theme): theme for issue in issues for theme in self.themes[issue.casefold()]}
        return list(found.values())

    def source_themes_of(self, issues: Iterable[str]) -> list[SourceTheme]:
        return list({id(source): source for source in (self.source_themes[i.casefold()] for i in issues)}.values())

    @property
    def unmapped(self) -> list[str]:
        return sorted(
            (source.name for key, source in self.source_themes.items() if not self.themes[key]), key=str.casefold
        )

    @property
    def new_names(self) -> list[str]:
        return sorted((source.name for source in self.source_themes.values() if source.pk is None), key=str.casefold)

    def save(self, *, user=None) -> None:
        """Write the new curated themes and source themes (their planned instances take the ids)."""
        from . import services

        for theme in self.new_themes:  # a parent comes before its children
            created = services.theme_create(user=user, slug=theme.slug, name=theme.name, parent=theme.parent)
            theme.pk, theme._state.adding, theme._state.db = created.pk, False, created._state.db
        for key, source in self.source_themes.items():
            if source.pk is None:
                source.full_clean(validate_constraints=False)
                _save_mapping(source, self.themes[key], user=user)
                source.applied_themes.set(self.themes[key])


def issues_match(vocabulary: str, issues: Iterable[str]) -> IssueMatch:
    """Each issue as its ``SourceTheme`` (found by name in any case, or planned with the shipped
    mapping; failing that, mapped onto a curated theme of the same name or slug) and the curated
    themes it maps to. Reads only, a few queries whatever the number of issues."""
    known = {source.name.casefold(): source for source in SourceTheme.objects.filter(vocabulary=vocabulary)}
    # One instance per theme, so that a row's themes are told apart by identity before they are saved.
    by_pk = Theme.objects.in_bulk()
    by_slug = {theme.slug: theme for theme in by_pk.values()}
    by_name = {theme.name.casefold(): theme for theme in by_pk.values()}
    mapped: dict[int, list[Theme]] = {}
    through = SourceTheme.themes.through.objects.filter(sourcetheme__vocabulary=vocabulary)
    for source_id, theme_id in through.values_list("sourcetheme_id", "theme_id"):
        mapped.setdefault(source_id, []).append(by_pk[theme_id])
    match = IssueMatch(vocabulary, {}, {}, [])
    for issue in sorted(set(issues), key=str.casefold):
        key = issue.casefold()
        if key in match.source_themes:
            continue
        source = known.get(key)
        if source is not None:
            themes = sorted(mapped.get(source.pk, []), key=lambda theme: theme.name)
        else:
            source = SourceTheme(vocabulary=vocabulary, name=issue)
            slugs = shipped_mapping().get((vocabulary, key))
            if slugs is not None:
                themes = [_curated_theme(slug, by_slug, by_name, match.new_themes) for slug in slugs]
            else:
                same = by_name.get(key) or by_slug.get(slugify(issue))
                themes = [same] if same is not None else []
        match.source_themes[key] = source
        match.themes[key] = themes
    return match


def _curated_theme(slug: str, by_slug: dict[str, Theme], by_name: dict[str, Theme], new: list[Theme]) -> Theme:
    """The curated theme ``slug`` (or, if curators gave it another slug, the one of the same name),
    or a new one (and its parent) from the shipped list."""
    shipped = shipped_themes()[slug]
    theme = by_slug.get(slug) or by_name.get(shipped.name.casefold())
    if theme is None:
        parent = _curated_theme(shipped.parent, by_slug, by_name, new) if shipped.parent else None
        theme = Theme(slug=slug, name=shipped.name, parent=parent)
        by_slug[slug], by_name[shipped.name.casefold()] = theme, theme
        new.append(theme)
    return theme


@transaction.atomic
def source_theme_change(*, source_theme: SourceTheme, themes: Iterable[Theme], user=None) -> SourceTheme:
    """Map ``source_theme`` onto ``themes`` (replacing its mapping), with a version in history. The
    rows that carry it change when the mapping is applied (``themes_remap``)."""
    source_theme.full_clean()
    _save_mapping(source_theme, list(themes), user=user)
    return source_theme


def _save_mapping(source_theme: SourceTheme, themes: list[Theme], *, user) -> None:
    """History takes its version of the many-to-many fields on save: set the themes first."""
    source_theme._history_user = user
    if source_theme.pk is None:
        source_theme.save()  # its first version says it came without themes, the next gives them
    source_theme.themes.set(themes)
    source_theme.save()


@dataclasses.dataclass
class RemapReport:
    source_themes: int = 0  # mappings applied
    rows: int = 0  # recommendations whose themes changed
    added: int = 0  # theme links added
    removed: int = 0  # theme links removed

    def __str__(self):
        mappings = f"{self.source_themes} mapping{'s' if self.source_themes != 1 else ''}"
        rows = f"{self.rows} recommendation{'s' if self.rows != 1 else ''}"
        return f"{mappings} applied: {rows} changed ({self.added} themes added, {self.removed} removed)"


BATCH = 500


@transaction.atomic
def themes_remap(*, source_themes=None, user=None, reason: str = "Theme mapping applied") -> RemapReport:
    """Apply the mapping of ``source_themes`` (a queryset; None: all) to the rows that carry them:
    each such row gets every theme its source themes now map to, and loses the themes one of them
    gave it before (``applied_themes``) but none gives it now. Through the bulk service, so
    published rows change only for someone who may publish, each change is a version in history
    and a row changed by someone else meanwhile refuses the whole run (``ConcurrentEditError``)."""
    from . import bulk  # bulk imports the services, which the models' callers import first

    queryset = SourceTheme.objects.all() if source_themes is None else source_themes
    scope = list(queryset.prefetch_related("themes", "applied_themes"))
    report = RemapReport(source_themes=len(scope))
    if not scope:
        return report
    scope_ids = {source.pk for source in scope}
    dropped = {source.pk: _ids(source.applied_themes) - _ids(source.themes) for source in scope}
    carriers = Recommendation.source_themes.through.objects.filter(sourcetheme_id__in=scope_ids)
    row_ids = sorted(set(carriers.values_list("recommendation_id", flat=True)))
    # Every source theme of those rows (not only the scope's) says what the rows should have.
    current: dict[int, set[int]] = {}
    for source_id, theme_id in SourceTheme.themes.through.objects.values_list("sourcetheme_id", "theme_id"):
        current.setdefault(source_id, set()).add(theme_id)
    themes_by_id = Theme.objects.in_bulk()
    changes = []
    for start in range(0, len(row_ids), BATCH):
        batch = row_ids[start : start + BATCH]
        sources: dict[int, set[int]] = {}
        for row_id, source_id in Recommendation.source_themes.through.objects.filter(
            recommendation_id__in=batch
        ).values_list("recommendation_id", "sourcetheme_id"):
            sources.setdefault(row_id, set()).add(source_id)
        has: dict[int, set[int]] = {}
        for row_id, theme_id in Recommendation.themes.through.objects.filter(recommendation_id__in=batch).values_list(
            "recommendation_id", "theme_id"
        ):
            has.setdefault(row_id, set()).add(theme_id)
        for recommendation in Recommendation.objects.filter(pk__in=batch).order_by("pk"):
            own = sources.get(recommendation.pk, set())
            wanted = set().union(*(current.get(source_id, set()) for source_id in own))
            gave = set().union(*(dropped[source_id] for source_id in own if source_id in scope_ids))
            present = has.get(recommendation.pk, set())
            add = sorted(wanted - present)
            remove = sorted((gave - wanted) & present)
            if not add and not remove:
                continue
            changes.append(
                bulk.BulkChange(
                    recommendation=recommendation,
                    expected_version=recommendation.version,
                    add_themes=[themes_by_id[pk] for pk in add],
                    remove_themes=[themes_by_id[pk] for pk in remove],
                    label=str(recommendation),
                )
            )
            report.added += len(add)
            report.removed += len(remove)
    report.rows = len(changes)
    if changes:
        bulk.recommendations_bulk_change(changes=changes, user=user, reason=reason)
    for source in scope:
        source.applied_themes.set(list(source.themes.all()))
    return report


def _ids(themes) -> set[int]:
    return {theme.pk for theme in themes.all()}


def unapplied():
    """Source themes whose mapping changed since it was last applied to their rows."""
    return SourceTheme.objects.filter(pk__in=[source.pk for source in _unapplied_list()])


def _unapplied_list() -> list[SourceTheme]:
    sources = SourceTheme.objects.prefetch_related("themes", "applied_themes")
    return [source for source in sources if _ids(source.themes) != _ids(source.applied_themes)]


@dataclasses.dataclass
class AdoptReport:
    themes: list[str] = dataclasses.field(default_factory=list)  # the issue-named themes taken over
    rows: int = 0
    deleted: list[str] = dataclasses.field(default_factory=list)

    def __str__(self):
        if not self.themes:
            return "No theme is named after a UPR Info issue: nothing to move"
        text = (
            f"{len(self.themes)} theme{'s' if len(self.themes) != 1 else ''} named after UPR Info issues moved to "
            f"the mapping ({', '.join(self.themes)}): {self.rows} recommendation{'s' if self.rows != 1 else ''} "
            "now keep the issue by name and have its curated themes instead"
        )
        if self.deleted:
            text += f"; {len(self.deleted)} no longer used and deleted"
        return text


@transaction.atomic
def issue_themes_adopt(*, user=None, delete_unused: bool = True) -> AdoptReport:
    """For databases that imported UPR Info files before the mapping existed, when each issue became
    a theme of its own name ("Freedom of association and peaceful assembly" beside the curated
    "Freedom of assembly"): the rows tagged with such a theme keep the issue by name instead
    (``source_themes``) and get the curated themes it maps to; the issue-named theme leaves them
    and, once unused, is deleted. Themes the mapping maps onto, or that ship as curated themes, are
    never touched. Through the bulk service, with a version in each row's history."""
    from . import bulk

    vocabulary = SourceTheme.Vocabulary.UPR_INFO
    issue_names = {name for known, name in shipped_mapping() if known == vocabulary}
    issue_names |= {
        name.casefold() for name in SourceTheme.objects.filter(vocabulary=vocabulary).values_list("name", flat=True)
    }
    targets = set(SourceTheme.themes.through.objects.values_list("theme_id", flat=True))
    candidates = [
        theme
        for theme in Theme.objects.exclude(slug__in=list(shipped_themes())).exclude(pk__in=targets)
        if theme.name.casefold() in issue_names
    ]
    report = AdoptReport(themes=sorted(theme.name for theme in candidates))
    if not candidates:
        return report
    match = issues_match(vocabulary, [theme.name for theme in candidates])
    # An issue-named theme must not map onto itself (the name match of ``issues_match``).
    candidate_ids = {theme.pk for theme in candidates}
    for key, themes in match.themes.items():
        match.themes[key] = [theme for theme in themes if theme.pk not in candidate_ids]
    match.save(user=user)
    by_theme = {theme.pk: match.source_themes[theme.name.casefold()] for theme in candidates}
    tagged: dict[int, list[int]] = {}
    for row_id, theme_id in Recommendation.themes.through.objects.filter(theme_id__in=candidate_ids).values_list(
        "recommendation_id", "theme_id"
    ):
        tagged.setdefault(row_id, []).append(theme_id)
    changes = []
    row_ids = sorted(tagged)
    for start in range(0, len(row_ids), BATCH):
        batch = row_ids[start : start + BATCH]
        has: dict[int, set[int]] = {}
        for row_id, theme_id in Recommendation.themes.through.objects.filter(recommendation_id__in=batch).values_list(
            "recommendation_id", "theme_id"
        ):
            has.setdefault(row_id, set()).add(theme_id)
        linked: dict[int, set[int]] = {}
        for row_id, source_id in Recommendation.source_themes.through.objects.filter(
            recommendation_id__in=batch
        ).values_list("recommendation_id", "sourcetheme_id"):
            linked.setdefault(row_id, set()).add(source_id)
        for recommendation in Recommendation.objects.filter(pk__in=batch).order_by("pk"):
            old = tagged[recommendation.pk]
            sources = [by_theme[theme_id] for theme_id in old]
            wanted = {theme.pk: theme for source in sources for theme in match.themes[source.name.casefold()]}
            present = has.get(recommendation.pk, set())
            changes.append(
                bulk.BulkChange(
                    recommendation=recommendation,
                    expected_version=recommendation.version,
                    add_themes=[theme for pk, theme in wanted.items() if pk not in present],
                    remove_themes=[Theme(pk=theme_id) for theme_id in old],
                    add_links={
                        "source_themes": [s for s in sources if s.pk not in linked.get(recommendation.pk, set())]
                    },
                    label=str(recommendation),
                )
            )
    report.rows = len(changes)
    if changes:
        bulk.recommendations_bulk_change(
            changes=changes, user=user, reason="UPR Info issues moved to the theme mapping"
        )
    if delete_unused:
        unused = Theme.objects.filter(pk__in=candidate_ids, recommendations=None, children=None, source_themes=None)
        report.deleted = sorted(unused.values_list("name", flat=True))
        unused.delete()
    return report
