"""Spreadsheet export (CSV and XLSX) of the admin's lists and the API's recommendations: readable
columns — dates by their precision ("November 2019"), status labels, overdue as yes/no, themes
and citations (quote + document) in one cell each — and no cell a spreadsheet would run as a
formula (shared with the API's ``?format=csv``).

A model's columns are its ``Sheet``: recommendations and status updates have their own; every
other admin list exports the columns its admin shows (``list_display``), as text.
"""

import csv
import datetime
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.contrib import admin
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.test import RequestFactory
from django.utils.html import strip_tags
from django.utils.text import capfirst

from .models import Citation, Cluster, Recommendation, StatusUpdate

LIST_SEPARATOR = " | "
# What makes a spreadsheet read a cell as a formula (CSV injection, OWASP), with the full-width
# forms (＝ ＋ － ＠) that spreadsheets in East Asian locales also accept.
FORMULA_PREFIXES = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
# Where a spreadsheet may start a new cell: the separators a user may pick when opening a CSV
# (comma, semicolon, tab, pipe), line breaks, and their full-width forms.
SEPARATORS = ",;\t|\r\n\uff0c\uff1b\uff5c"
_FORMULA = re.compile(f"(^|[{re.escape(SEPARATORS)}])([ ]*)(?=[{re.escape(FORMULA_PREFIXES)}])")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
CHUNK = 2000


def neutralise_formula(value):
    """A text cell gets an apostrophe, which spreadsheets show as text, before anything that
    starts like a formula: at its start, and after any separator, since a spreadsheet opening
    the file with another separator than the comma (";" in many locales) splits ``x;=1+1`` into
    ``x`` and a formula. Anyone can write a recommendation's title, but opening an export must
    not run it. The one rule for every spreadsheet the tracker writes: the API's ``?format=csv``
    and the exports (admin and API, CSV and XLSX)."""
    if isinstance(value, str):
        return _FORMULA.sub(r"\1\2'", value)
    return value


def yes_no(value):
    return "" if value is None else ("yes" if value else "no")


def joined(values):
    return LIST_SEPARATOR.join(str(value) for value in values if value not in (None, ""))


def citation_text(citation):
    document = citation.document
    return f"“{citation.quote}” — {document.title} ({document.external_id})"


class Sheet:
    """The columns of a model's export: ``(header, function of the row)`` pairs, and the query
    that feeds them with a fixed number of queries per chunk of rows."""

    columns: list[tuple[str, Callable]] = []

    def __init__(self, model, user=None):
        self.model, self.user = model, user

    def queryset(self):
        return self.model._default_manager.all()

    def headers(self):
        return [header for header, _ in self.columns]

    def row(self, obj):
        return [value(obj) for _, value in self.columns]


class RecommendationSheet(Sheet):
    columns = [
        ("ID", lambda r: r.pk),
        ("Kind", lambda r: r.get_kind_display()),
        ("Title", lambda r: r.title),
        ("Text", lambda r: r.text),
        ("Made by", lambda r: r.made_by.name),
        ("Also made by", lambda r: joined(a.name for a in r.also_made_by.all())),
        ("Addressed to", lambda r: r.addressed_to.name),
        ("Mechanism", lambda r: r.get_mechanism_display()),
        ("Context", lambda r: r.context),
        ("Made", lambda r: r.made_on_display),
        ("Due", lambda r: r.due_on_display),
        ("State's response", lambda r: r.get_state_response_display()),
        ("UPR session", lambda r: r.upr_session),
        ("UPR cycle", lambda r: r.upr_cycle),
        ("Current status", lambda r: r.get_current_status_display()),
        ("Status as of", lambda r: r.current_status_as_of),
        ("Overdue", lambda r: yes_no(r.effective_overdue)),
        ("Themes", lambda r: joined(t.name for t in r.themes.all())),
        ("Legal provisions", lambda r: joined(str(p) for p in r.legal_provisions.all())),
        ("SDGs", lambda r: joined(str(g) for g in r.sdgs.all())),
        ("Affected groups", lambda r: joined(g.name for g in r.affected_groups.all())),
        ("Cluster", lambda r: r.cluster.name if r.cluster else ""),
        ("Citations", lambda r: joined(citation_text(c) for c in r.citations.all())),
        ("Review", lambda r: "archived" if r.archived_at else r.get_review_state_display().lower()),
        ("External ID", lambda r: r.external_id),
    ]

    def queryset(self):
        citations = Citation.objects.select_related("document").order_by("id")
        return (
            Recommendation.objects.with_status_on()
            .select_related("made_by", "addressed_to", "cluster")
            .prefetch_related(
                "themes",
                "legal_provisions",
                "also_made_by",
                "sdgs",
                "affected_groups",
                Prefetch("citations", queryset=citations),
            )
        )


class StatusUpdateSheet(Sheet):
    columns = [
        ("ID", lambda s: s.pk),
        ("Recommendation", lambda s: s.recommendation.title),
        ("Recommendation ID", lambda s: s.recommendation_id),
        ("Status", lambda s: s.get_status_display()),
        ("As of", lambda s: s.as_of_display),
        ("Summary", lambda s: s.summary),
        ("Assessor", lambda s: s.get_assessor_kind_display()),
        ("Assessed by", lambda s: s.assessed_by.name if s.assessed_by else ""),
        ("Citations", lambda s: joined(citation_text(c) for c in s.citations.all())),
        ("Review", lambda s: s.get_review_state_display().lower()),
        ("Recorded by", lambda s: str(s.recorded_by or "")),
        ("Recorded at", lambda s: s.created_at),
    ]

    def queryset(self):
        citations = Citation.objects.select_related("document").order_by("id")
        return StatusUpdate.objects.select_related("recommendation", "assessed_by", "recorded_by").prefetch_related(
            Prefetch("citations", queryset=citations)
        )


def cluster_members(cluster):
    return joined(f"{m.title} ({m.get_current_status_display() or 'no status'})" for m in cluster.members.all())


class ClusterSheet(Sheet):
    columns = [
        ("Cluster", lambda c: c.name),
        ("Description", lambda c: c.description),
        (
            "Members",
            lambda c: joined(f"{m.title} ({m.get_current_status_display() or 'no status'})" for m in c.members.all()),
        ),
    ]

    def queryset(self):
        return Cluster.objects.prefetch_related("members")


class AdminListSheet(Sheet):
    """Any other admin list: the columns its admin shows, as text."""

    def __init__(self, model, user=None):
        super().__init__(model, user)
        self.model_admin = admin.site._registry[model]
        self.names = [name for name in self.model_admin.list_display if name != "action_checkbox"]

    def queryset(self):
        # The admin's own queryset: its columns read its annotations (counts and the like).
        request = RequestFactory().get("/")
        request.user = self.user or AnonymousUser()
        queryset = self.model_admin.get_queryset(request)
        related = self.model_admin.list_select_related
        if related is True:
            return queryset.select_related()
        return queryset.select_related(*related) if related else queryset

    def headers(self):
        return [capfirst(str(label_for_field(name, self.model, self.model_admin))) for name in self.names]

    def row(self, obj):
        cells = []
        for name in self.names:
            field, _attr, value = lookup_field(name, obj, self.model_admin)
            if isinstance(value, list | tuple):
                # An unfold header cell, (title, subtitle): both in the one cell.
                value = joined(strip_tags(str(part)) for part in value)
            if field is not None and not getattr(field, "many_to_many", False):
                value = value if isinstance(value, datetime.date | int | float) else display_for_field(value, field, "")
            cells.append(strip_tags(str(value)) if value is not None and not isinstance(value, int | float) else value)
        return cells


SHEETS = {Recommendation: RecommendationSheet, StatusUpdate: StatusUpdateSheet, Cluster: ClusterSheet}


def sheet_for(model, user=None) -> Sheet:
    """The columns of ``model``'s export; ``user`` is who exports (an admin list's queryset)."""
    return SHEETS.get(model, AdminListSheet)(model, user)


def rows(sheet: Sheet, objects: Iterable) -> Iterator[list]:
    """The header, then one row per object, every text cell neutralised."""
    yield sheet.headers()
    for obj in objects:
        yield [neutralise_formula(cell) for cell in sheet.row(obj)]


def iterate(queryset) -> Iterator:
    """The rows of a queryset in chunks (prefetches run once per chunk)."""
    return queryset.iterator(chunk_size=CHUNK)


def in_order(sheet: Sheet, ids: Sequence[int], progress: Callable[[int], None] | None = None) -> Iterator:
    """The rows with ``ids`` (a list, or an ``array`` of them), in that order, a chunk at a time
    (for export jobs)."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        found = {obj.pk: obj for obj in sheet.queryset().filter(pk__in=chunk)}
        yield from (found[pk] for pk in chunk if pk in found)
        if progress:
            progress(start + len(chunk))


class Echo:
    """A file-like object whose ``write`` returns what it was given (for streaming CSV)."""

    def write(self, value):
        return value


def csv_lines(table: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # a byte-order mark, so that spreadsheet programs read UTF-8
    for row in table:
        yield writer.writerow(["" if cell is None else cell for cell in row])


def write_csv(table: Iterable[list], stream) -> None:
    for line in csv_lines(table):
        stream.write(line)


def write_xlsx(table: Iterable[list], stream, title="Export") -> None:
    """Write the rows as an XLSX workbook (openpyxl's write-only mode: memory stays flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=title[:31])
    table = iter(table)
    header = next(table)
    bold = Font(bold=True)
    cells = []
    for value in header:
        cell = WriteOnlyCell(worksheet, value=value)
        cell.font = bold
        cells.append(cell)
    worksheet.append(cells)
    worksheet.freeze_panes = "A2"
    for row in table:
        worksheet.append([_xlsx_value(cell) for cell in row])
    workbook.save(stream)


def _xlsx_value(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; stored in UTC
    if isinstance(value, str):
        # Characters XML 1.0 forbids (control characters) would corrupt the workbook.
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
    return value


def xlsx_bytes(table: Iterable[list], title="Export") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(table, buffer, title=title)
    return buffer.getvalue()


def filename(model, extension, when=None) -> str:
    when = when or datetime.date.today()
    return f"{model._meta.verbose_name_plural.replace(' ', '-')}-{when:%Y-%m-%d}.{extension}"


def download_response(model, ids: list[int], file_format: str, user=None):
    """The rows with ``ids`` (in that order) as a downloaded file (see ``file_response``)."""
    sheet = sheet_for(model, user)
    return file_response(sheet, in_order(sheet, ids), file_format)


def queryset_response(queryset, file_format: str, user=None):
    """Every row of ``queryset``, in its order, as a downloaded file, whatever their number, in
    constant memory: the ids come through one cursor (``iterator``: a server-side cursor on
    PostgreSQL) and the rows, with their related rows, are read ``CHUNK`` ids at a time. A
    cursor rather than keyset paging because the lists sort on nullable, non-unique columns
    (``-made_on``), where a keyset has no simple form."""
    sheet = sheet_for(queryset.model, user)
    ids = queryset.prefetch_related(None).values_list("pk", flat=True).iterator(chunk_size=CHUNK)
    return file_response(sheet, in_chunks(sheet, ids), file_format)


def in_chunks(sheet: Sheet, ids: Iterable[int]) -> Iterator:
    """The rows with ``ids`` (an iterator), in that order, reading ``CHUNK`` of them at a time."""
    ids = iter(ids)
    while chunk := list(itertools.islice(ids, CHUNK)):
        yield from in_order(sheet, chunk)


def file_response(sheet: Sheet, objects: Iterable, file_format: str):
    """A downloaded file of ``objects``: CSV streamed row by row as it is read; XLSX written by
    openpyxl's write-only mode into a temporary file (memory stays flat; a workbook is a zip,
    complete only at its end), then streamed from it and removed once sent."""
    from django.http import FileResponse, StreamingHttpResponse

    table = rows(sheet, objects)
    content_type, extension = FORMATS[file_format]
    name = filename(sheet.model, extension)
    if file_format == "csv":
        response = StreamingHttpResponse(csv_lines(table), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.TemporaryFile()  # FileResponse closes it once sent, which removes it
    write_xlsx(table, spool, title=str(sheet.model._meta.verbose_name_plural))
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=content_type)
