"""What an import did (or, for a preview or dry run, would do): counts per state under review,
the rows it creates or changes, the duplicates and merges, the names it could not resolve. The
command and the admin both print it through ``summary``."""

import dataclasses


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
    """A row that repeats an earlier row of the same file; it is stored once. A repeat that differs
    only in its issues is merged: ``merged_issues`` is then the union stored."""

    number: int
    first_number: int
    state_under_review: str
    merged_issues: tuple[str, ...] = ()


@dataclasses.dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    file_name: str = ""
    format: str = ""
    file_description: str = ""  # e.g. "comma-separated text in mac-roman"
    encoding: str = ""
    encoding_detected: bool = True
    dry_run: bool = False
    rows: int = 0
    per_state: dict[str, StateCounts] = dataclasses.field(default_factory=dict)
    changes: list[RowChange] = dataclasses.field(default_factory=list)
    duplicates: list[Duplicate] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    new_actors: list[str] = dataclasses.field(default_factory=list)
    new_themes: list[str] = dataclasses.field(default_factory=list)  # curated themes the shipped mapping added
    # Issue names (UPR Info's, OHCHR's) the database had not met, and those that map onto no curated
    # theme: rows keep them by name; a curator maps them (Admin → Source themes), then re-maps.
    new_issues: list[str] = dataclasses.field(default_factory=list)
    unmapped_issues: list[str] = dataclasses.field(default_factory=list)
    # Names no country code was found for (their actors have none), and placeholders skipped.
    names_without_country: list[str] = dataclasses.field(default_factory=list)
    skipped_rows: list[int] = dataclasses.field(default_factory=list)
    document: str = ""  # the external id of the source document the rows cite
    assessments: int = 0  # draft status updates recorded from the file's assessments
    # The recommendations written (once applied): for a job's link to what it changed.
    written_ids: list[int] = dataclasses.field(default_factory=list)

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

    @property
    def merged(self) -> list[Duplicate]:
        return [duplicate for duplicate in self.duplicates if duplicate.merged_issues]


def summary(report: ImportReport) -> str:
    """One line: what was (or would be) created, updated, left alone, merged and skipped."""
    totals = report.totals
    text = f"{totals.created} created, {totals.updated} updated, {totals.unchanged} unchanged"
    exact = totals.duplicates - len(report.merged)
    if exact:
        text += f", {exact} duplicate row{'s' if exact != 1 else ''} stored once"
    if report.merged:
        count = len(report.merged)
        text += f", {count} row{'s' if count != 1 else ''} merged into an earlier one (issues combined)"
    if report.assessments:
        count = report.assessments
        plural = "s" if count != 1 else ""
        text += f", {count} assessment{plural} recorded as draft status update{plural}"
    if report.skipped_rows:
        count = len(report.skipped_rows)
        text += f", {count} row{'s' if count != 1 else ''} skipped (no state named)"
    return text


def unresolved_summary(report: ImportReport) -> str:
    """The state names no country code was found for, or ""."""
    if not report.names_without_country:
        return ""
    return (
        f"No country code found for: {', '.join(report.names_without_country)} "
        "(their actors have no country; add one in the admin)."
    )


def unmapped_summary(report: ImportReport) -> str:
    """The issues that map onto no curated theme, or ""."""
    names = report.unmapped_issues
    if not names:
        return ""
    return (
        f"{len(names)} issue{'s' if len(names) != 1 else ''} map{'' if len(names) != 1 else 's'} onto no curated "
        f"theme: {', '.join(names)}. The rows keep {'them' if len(names) != 1 else 'it'} by name; map "
        f"{'them' if len(names) != 1 else 'it'} in the admin (Source themes, filter “unmapped”), then apply the "
        "mapping (the action there, or python manage.py remap_themes)."
    )
