"""OHCHR's "Thematic list of recommendations": the Word document the UN publishes for every UPR
review, in the layout of the Universal Human Rights Index (UHRI). Two layouts, read alike:

- current: one table with the columns "Recommendation and recommending State", "Position of the
  State under review", "Human rights themes and groups of persons", "Relevant SDGs";
- earlier cycles: "Recommendation", "Position", "Full list of themes", "Assessment/comments on
  level of implementation", with "Affected persons:" and "SDGs:" lines inside the themes cell.

A row whose first cell starts with "Theme:" is a section heading. A recommendation cell reads
``140.7 Ratify the Optional Protocol … (Maldives) (Portugal);`` with a line ``Source of Position:
A/HRC/59/15/Add.1 - Para.3`` under it: the paragraph number and the report's symbol are the row's
identity, and every state in the closing brackets made it (the first is "made by", the others
"also made by"). The state under review and the session come from the page header ("UPR of
Slovenia (4th Cycle - 48th Session)") or from ``--state-under-review``. A filled-in assessment
cell is an NGO's own assessment: it becomes a draft status update (see ``pipeline.Assessment``).
"""

import dataclasses
import functools
import io
import re
import zipfile

from ..models import ImplementationStatus, Recommendation, normalize_whitespace
from . import states
from .errors import ImportRefused
from .formats import Format, ReadOptions, Source, header_key, register
from .rows import Assessment, ImportRow
from .tables import FileKind

KEY_PREFIX = "ohchr:"

COLUMNS = {
    "current": (
        "Recommendation and recommending State",
        "Position of the State under review",
        "Human rights themes and groups of persons",
        "Relevant SDGs",
    ),
    "earlier": ("Recommendation", "Position", "Full list of themes", "Assessment/comments on level of implementation"),
}
# The headers as compared (``header_key``: any case and spacing).
LAYOUTS = {name: tuple(header_key(column) for column in columns) for name, columns in COLUMNS.items()}

# "UPR of Slovenia (4th Cycle - 48th Session)", "UPR of Slovenia (2nd Cycle – 20th session)"
HEADING = re.compile(
    r"UPR\s+of\s+(?P<state>.+?)\s*\(\s*(?P<cycle>\d+)\s*(?:st|nd|rd|th)?\s+cycle\s*[-–—]\s*"
    r"(?P<session>\d+)\s*(?:st|nd|rd|th)?\s+session\s*\)",
    re.IGNORECASE,
)
PARAGRAPH = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)+)\.?\s+")
SOURCE_LINE = re.compile(r"^\s*source\s+of\s+position\s*:\s*(?P<source>.*)$", re.IGNORECASE | re.MULTILINE)
SYMBOL = re.compile(r"[A-Z]+/[A-Z0-9./]+[A-Z0-9]", re.IGNORECASE)
LABEL = re.compile(r"^\s*(?P<label>groups?\s+of\s+persons|affected\s+persons|sdgs?)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
SDG_NUMBER = re.compile(r"\b(1[0-7]|[1-9])\b")
POSITIONS = (
    ("partially supported", Recommendation.StateResponse.PARTIALLY_SUPPORTED),
    ("supported", Recommendation.StateResponse.SUPPORTED),
    ("accepted", Recommendation.StateResponse.SUPPORTED),
    ("noted", Recommendation.StateResponse.NOTED),
    ("rejected", Recommendation.StateResponse.REJECTED),
)


@dataclasses.dataclass
class Cell:
    text: str
    start: int  # where the cell's text begins in the stored document text


@dataclasses.dataclass
class Layout:
    """The document as the import reads it: its text (stored as the source document, so that
    every citation quotes it) and the table's rows as cells placed in that text."""

    text: str
    heading: str
    layout: str  # "current" or "earlier"
    columns: tuple[str, ...]  # as the document writes them
    rows: list[tuple[int, list[Cell]]]  # (row number, header = 1; cells)


def _docx(content: bytes):
    import docx  # python-docx

    try:
        return docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportRefused(f"The Word document cannot be read ({error}).") from None


def _cell_text(cell) -> str:
    return "\n".join(normalize_whitespace(paragraph.text) for paragraph in cell.paragraphs).strip()


def _match_layout(cells: list[str]) -> str | None:
    keys = [header_key(text) for text in cells]
    for name, columns in LAYOUTS.items():
        if tuple(keys[: len(columns)]) == columns:
            return name
    return None


@functools.lru_cache(maxsize=4)
def _read_layout(content: bytes) -> Layout:
    """Read the document once (the pipeline asks for rows and for the text separately)."""
    document = _docx(content)
    headings = [
        normalize_whitespace(paragraph.text)
        for section in document.sections
        for part in (section.first_page_header, section.header)
        for paragraph in part.paragraphs
        if paragraph.text.strip()
    ]
    body = [normalize_whitespace(paragraph.text) for paragraph in document.paragraphs if paragraph.text.strip()]
    heading = next((line for line in [*headings, *body] if HEADING.search(line)), "")
    for table in document.tables:
        if not table.rows:
            continue
        header = [_cell_text(cell) for cell in table.rows[0].cells]
        layout = _match_layout(header)
        if layout is None:
            continue
        parts = [line for line in dict.fromkeys([*headings, *body]) if line]
        text = "\n".join(parts) + ("\n\n" if parts else "")
        rows = []
        for number, row in enumerate(table.rows[1:], start=2):
            cells, seen = [], set()
            for cell in row.cells:
                # A merged cell (a "Theme:" heading across the table) is the same cell repeated.
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cell_text = _cell_text(cell)
                cells.append(Cell(cell_text, len(text)))
                text += cell_text + "\n"
            text += "\n"
            rows.append((number, cells))
        return Layout(text.rstrip() + "\n", heading, layout, tuple(header[: len(LAYOUTS[layout])]), rows)
    found = [
        ", ".join(_cell_text(cell) for cell in table.rows[0].cells if _cell_text(cell)) or "(empty)"
        for table in document.tables
        if table.rows
    ]
    raise ImportRefused(
        "The Word document has no table in the layout of OHCHR's thematic list of recommendations. "
        + (f"Its tables' first rows: {'; '.join(found)[:600]}. " if found else "It has no table. ")
        + "Known layouts: "
        + "; ".join(", ".join(columns) for columns in COLUMNS.values())
        + "."
    )


@register
class OhchrDocx(Format):
    name = "ohchr-docx"
    label = "OHCHR thematic list of recommendations (Word)"
    kinds = (FileKind.DOCX,)
    publisher = "Office of the United Nations High Commissioner for Human Rights (OHCHR)"
    layouts = tuple(", ".join(f"“{column}”" for column in columns) for columns in COLUMNS.values())

    def matches(self, source: Source) -> bool:
        # The only format that reads Word documents: one without the table is refused by ``read``,
        # which lists the tables it found.
        return source.kind == FileKind.DOCX

    def document_text(self, source: Source) -> str:
        return _read_layout(source.content).text

    def read(self, source: Source, options: ReadOptions, warn):
        layout = _read_layout(source.content)
        state, _cycle, session = _under_review(layout.heading, options, source.file_name)
        known_groups = _known_group_names()
        theme = ""
        for number, cells in layout.rows:
            first = cells[0].text if cells else ""
            if not any(cell.text for cell in cells):
                continue
            if first.casefold().startswith("theme:"):
                theme = normalize_whitespace(first.split(":", 1)[1])
                continue
            if len(cells) < 2:
                raise ImportRefused(f"Row {number}: expected {len(layout.columns)} cells, found {len(cells)}.")
            yield _row(number, cells, layout, state, session, theme, known_groups)


def _under_review(heading: str, options: ReadOptions, file_name: str) -> tuple[str, int | None, int | None]:
    match = HEADING.search(heading)
    wanted = options.state_under_review
    if match is None:
        if not wanted:
            raise ImportRefused(
                f"{file_name}: the page header names no state under review (“UPR of Slovenia (4th Cycle - 48th "
                "Session)”); give it with --state-under-review (or the admin form's field)."
            )
        return wanted, None, None
    state = normalize_whitespace(match["state"])
    if wanted and states.country_code(wanted) != states.country_code(state) and wanted.casefold() != state.casefold():
        raise ImportRefused(
            f"{file_name}: the document is about {state} (its header: “{heading}”), not “{wanted}” "
            "(--state-under-review)."
        )
    return state, int(match["cycle"]), int(match["session"])


def _known_group_names() -> list[str]:
    from ..models import AffectedGroup

    return list(AffectedGroup.objects.values_list("name", flat=True))


def _row(number, cells, layout: Layout, state, session, theme, known_groups) -> ImportRow:
    columns = layout.columns

    def fail(column: int, message: str):
        raise ImportRefused(f"Row {number}, column “{columns[column]}”: {message}")

    cell = cells[0]
    source_match = SOURCE_LINE.search(cell.text)
    body = cell.text[: source_match.start()] if source_match else cell.text
    source = normalize_whitespace(source_match["source"]) if source_match else ""
    paragraph = PARAGRAPH.match(body)
    if paragraph is None:
        fail(0, f"expected the recommendation's paragraph number first (e.g. “140.7 Ratify …”), found “{body[:60]}”.")
    text, makers = _split_makers(body[paragraph.end() :])
    if not makers:
        fail(0, f"no recommending state in brackets at the end of “{short(body)}” (e.g. “… (Portugal);”).")
    if not text:
        fail(0, "the recommendation has no text.")
    symbol_match = SYMBOL.search(source)
    report_symbol = re.sub(r"/Add\.\d+$", "", symbol_match.group(0), flags=re.IGNORECASE) if symbol_match else ""
    identity = report_symbol or f"{states.country_code(state) or state}:{session or ''}"
    start = cell.start + cell.text.index(text)
    position = cells[1].text if len(cells) > 1 else ""
    themes, groups, goals = _subjects(cells[2].text if len(cells) > 2 else "", known_groups)
    if layout.layout == "current" and len(cells) > 3:
        goals = goals + _goals(cells[3].text.splitlines())
    assessment = None
    if layout.layout == "earlier" and len(cells) > 3 and cells[3].text:
        assessment = Assessment(status=_status(cells[3].text, fail), text=cells[3].text, column=columns[3])
    return ImportRow(
        number=number,
        external_id=f"{KEY_PREFIX}{identity}:{paragraph['number']}",
        state_under_review=state,
        recommending_state=makers[0],
        also_recommending_states=tuple(makers[1:]),
        text=text,
        kind=Recommendation.Kind.RECOMMENDATION,
        session=session,
        state_response=_position(position, lambda message: fail(1, message)),
        response_cell=position,
        issues=themes,
        affected_groups=groups,
        sdgs=tuple(dict.fromkeys(goals)),
        quote_span=(start, start + len(text)),
        assessment=assessment,
        place=f"para. {paragraph['number']}" + (f" of {report_symbol}" if report_symbol else ""),
        source_context=_context(session, theme, source),
    )


def short(text: str, length: int = 80) -> str:
    text = normalize_whitespace(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _split_makers(text: str) -> tuple[str, list[str]]:
    """``"Ratify … (CEDAW) (Maldives) (Bolivia (Plurinational State of));"`` → the text and the
    states in the closing brackets, in order. A bracket that names no state ends the list: it
    belongs to the text."""
    rest = text.rstrip().rstrip(";.,").rstrip()
    makers = []
    while rest.endswith(")"):
        depth, at = 0, len(rest) - 1
        while at >= 0:
            depth += {")": 1, "(": -1}.get(rest[at], 0)
            if depth == 0:
                break
            at -= 1
        if at < 0:
            break
        name = normalize_whitespace(rest[at + 1 : -1])
        if not states.country_code(name):
            break
        makers.insert(0, name)
        rest = rest[:at].rstrip()
    return rest.rstrip(" ;,"), makers


def _position(cell: str, fail) -> str:
    """ "Supported", "Noted" (sometimes with more words: "Supported/Noted", "Supported, already
    implemented"); both words together are a partial support."""
    words = cell.casefold()
    if not words.strip():
        return ""
    if "supported" in words and "noted" in words:
        return Recommendation.StateResponse.PARTIALLY_SUPPORTED
    for word, response in POSITIONS:
        if words.lstrip().startswith(word):
            return response
    for word, response in POSITIONS:
        if word in words:
            return response
    fail(f"expected “Supported” or “Noted”, found “{short(cell)}”.")
    return ""


def _subjects(cell: str, known_groups: list[str]) -> tuple[tuple[str, ...], tuple[str, ...], list[int]]:
    """The themes cell: "- theme" lines, then "Groups of persons:" / "Affected persons:" and
    "- group" lines (and in the earlier layout "SDGs:" lines)."""
    themes, groups, goals = [], [], []
    section = themes
    for line in cell.splitlines():
        line = line.strip()
        if not line:
            continue
        label = LABEL.match(line)
        if label:
            section = goals if label["label"].casefold().startswith("sdg") else groups
            line = label["rest"].strip()
            if not line:
                continue
            if section is goals:
                goals.extend(int(number) for number in SDG_NUMBER.findall(line))
                continue
            section.extend(split_known(line, known_groups))
            continue
        item = line.lstrip("-–•* ").strip()
        if section is goals:
            goals.extend(_goals([item]))
        elif item:
            section.append(item)
    return tuple(dict.fromkeys(themes)), tuple(dict.fromkeys(groups)), goals


def _goals(lines) -> list[int]:
    """ "- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS" → 16 (the number comes first)."""
    found = []
    for line in lines:
        match = SDG_NUMBER.search(line.lstrip("-–•* "))
        if match and line.lstrip("-–•* ").startswith(match.group(1)):
            found.append(int(match.group(1)))
    return found


def split_known(text: str, vocabulary: list[str]) -> list[str]:
    """A comma-separated list whose names may contain commas themselves: known names are taken
    whole first (longest first), the rest is split on commas."""
    found = []
    rest = text
    for name in sorted(vocabulary, key=len, reverse=True):
        pattern = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])", re.IGNORECASE)
        if pattern.search(rest):
            found.append(name)
            rest = pattern.sub(",", rest)
    found.extend(part.strip(" .;") for part in rest.split(",") if part.strip(" .;"))
    return found


def _status(cell: str, fail) -> str:
    """The status an assessment begins with ("Partially implemented: the law was amended …")."""
    words = cell.casefold().lstrip()
    names = sorted(
        [(label.casefold(), value) for value, label in ImplementationStatus.choices]
        + [(value.replace("_", " "), value) for value in ImplementationStatus.values],
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    for name, value in names:
        if words.startswith(name):
            return value
    fail(
        3,
        f"an assessment must begin with a status ({', '.join(label for _, label in ImplementationStatus.choices)}), "
        f"found “{short(cell, 60)}”.",
    )
    return ""


def _context(session, theme, source) -> str:
    parts = []
    if session:
        parts.append(f"UPR session {session}")
    if theme:
        parts.append(f"theme: {theme}")
    if source:
        parts.append(f"source of position: {source}")
    return "; ".join(parts)[:300]  # Recommendation.context's length
