"""UPR Info's exports of its recommendation database, in both header sets it has used:

- ``To, To-Rgrp, To-Org, Text, From, From-Rgrp, From-Org, Response, Action, Issue, Session``
  (the renamed columns of older CSV exports), and
- ``SuR, Rgrp, Org, Recommendation, RS, Rgrp, Org, Response, Action, Issue, Session`` (the
  database's own export: state under review, its regional group and organisations; the
  recommendation; recommending state, its group and organisations; …),

as CSV or TSV (any encoding and delimiter ``tables`` reads), Excel ``.xls`` or ``.xlsx``. Headers
are matched ignoring case. The regional groups and organisations are not stored and may be
missing. A ``Voluntary Pledge`` response is the state's own pledge: a promise made by and
addressed to the state under review. See docs/upr-import.md.
"""

import hashlib

from ..models import Recommendation, normalize_whitespace
from . import states
from .errors import ImportRefused
from .formats import Format, ReadOptions, Source, header_key, register
from .rows import ImportRow
from .tables import FileKind

KEY_PREFIX = "upr:"

# Each column the import reads, with the headers it goes by (compared by ``header_key``).
COLUMNS = {
    "To": ("to", "sur", "state under review"),
    "Text": ("text", "recommendation"),
    "From": ("from", "rs", "recommending state"),
    "Response": ("response",),
    "Action": ("action",),
    "Issue": ("issue", "issues"),
    "Session": ("session",),
}
# A header with this many of the columns is taken for a UPR Info export with some missing.
RECOGNISED_WITH = 4

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
PLEDGE = "voluntary pledge"


def row_key(session: int, state_under_review: str, recommending_state: str, text: str) -> str:
    """A row's identity: its session, the two states and its text (whitespace normalised), hashed.
    The export has no other stable identifier."""
    identity = "\x1f".join(
        [str(session), state_under_review.casefold(), recommending_state.casefold(), normalize_whitespace(text)]
    )
    return KEY_PREFIX + hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _columns(header: list[str]) -> dict[str, int]:
    """The position of each column found (the first of a repeated header, e.g. ``Rgrp``)."""
    keys = [header_key(name) for name in header]
    found = {}
    for column, names in COLUMNS.items():
        position = next((at for at, key in enumerate(keys) if key in names), None)
        if position is not None:
            found[column] = position
    return found


@register
class UprInfo(Format):
    name = "upr-info"
    label = "UPR Info export"
    kinds = (FileKind.TEXT, FileKind.XLS, FileKind.XLSX)
    publisher = "UPR Info"
    layouts = (
        "To, To-Rgrp, To-Org, Text, From, From-Rgrp, From-Org, Response, Action, Issue, Session",
        "SuR, Rgrp, Org, Recommendation, RS, Rgrp, Org, Response, Action, Issue, Session",
    )

    def matches(self, source: Source) -> bool:
        return len(_columns(source.table().header)) >= RECOGNISED_WITH

    def read(self, source: Source, options: ReadOptions, warn):
        table = source.table()
        header = table.header
        index = _columns(header)
        missing = [column for column in COLUMNS if column not in index]
        if missing:
            raise ImportRefused(
                f"Row 1 (the header): missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
                f"Found: {', '.join(name for name in header if name.strip())}. A UPR Info export has the columns "
                f"{self.layouts[0]} or {self.layouts[1]} (the regional groups and organisations may be missing)."
            )
        only = _state_filter(options.state_under_review)
        matched = 0
        for number, cells in table.rows:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(cells) != len(header) and table.kind == FileKind.TEXT:
                raise ImportRefused(
                    f"Row {number}: expected {len(header)} values (one per column), found {len(cells)}. "
                    f"Is a {'tab' if table.delimiter == chr(9) else repr(table.delimiter)[1:-1]} or a quote "
                    "out of place?"
                )
            cells = cells + [""] * (len(header) - len(cells))
            row = _check_row(number, {column: cells[position] for column, position in index.items()})
            if only is not None and not only(row.state_under_review):
                continue
            matched += 1
            raw = cells[index["Text"]].strip()
            row.quote_span = table.locate(number, index["Text"], raw)
            yield row
        if only is not None and not matched:
            raise ImportRefused(f"The file has no rows for the state under review “{options.state_under_review}”.")


def _state_filter(wanted: str):
    """A test for the rows of the state asked for (by ISO code or name), or None for all rows."""
    if not wanted:
        return None
    code = wanted.upper() if len(wanted) == 2 and wanted.isalpha() else states.country_code(wanted)
    if code:
        return lambda name: states.country_code(name) == code
    return lambda name: states.clean(name).casefold() == wanted.casefold()


def _check_row(number: int, cells: dict[str, str]) -> ImportRow:
    def fail(column, message):
        raise ImportRefused(f"Row {number}, column {column}: {message}")

    values = {column: normalize_whitespace(value) for column, value in cells.items()}
    response = values["Response"].casefold()
    pledge = response == PLEDGE
    for column in ("To", "Text", "Session") if pledge else ("To", "From", "Text", "Session"):
        if not values[column]:
            fail(column, "the cell is empty.")
    if not values["Session"].isdecimal() or not 0 < int(values["Session"]) < 1000:
        fail("Session", f"expected a UPR session number, found “{values['Session']}”.")
    if response not in RESPONSES and not pledge:
        fail("Response", f"unknown response “{values['Response']}” (expected Accepted, Noted or Voluntary Pledge).")
    action = values["Action"]
    if action and (not action.isdecimal() or not 1 <= int(action) <= 5):
        fail("Action", f"expected UPR Info's action category, 1 to 5, found “{action}”.")
    issues = tuple(dict.fromkeys(issue.strip() for issue in values["Issue"].split(",") if issue.strip()))
    state = states.clean(values["To"])
    # A pledge is the state's own: made by the state under review, whatever the From cell says.
    recommending = state if pledge else states.clean(values["From"])
    session, text = int(values["Session"]), cells["Text"].strip()
    return ImportRow(
        number=number,
        external_id=row_key(session, state, recommending, text),
        state_under_review=values["To"],
        recommending_state=values["To"] if pledge else values["From"],
        text=text,
        kind=Recommendation.Kind.PROMISE if pledge else Recommendation.Kind.RECOMMENDATION,
        session=session,
        state_response="" if pledge else RESPONSES[response],
        response_cell=values["Response"],
        action_category=int(action) if action else None,
        issues=issues,
    )
