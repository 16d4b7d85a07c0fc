"""The common row every format maps its rows to (``ImportRow``), in the tracker's vocabulary."""

import dataclasses

from ..models import DateBasis, DatePrecision, Recommendation, normalize_whitespace
from .sessions import upr_cycle, upr_session

TITLE_LENGTH = 120


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
class Assessment:
    """What a file says of a recommendation's implementation, to import as a draft status update."""

    status: str  # an ImplementationStatus value
    text: str  # the cell as written: the citation's quote
    column: str  # the column's name, for the citation's location


@dataclasses.dataclass
class ImportRow:
    """One checked row of a file in the tracker's vocabulary: what every format maps its rows to."""

    number: int  # the row in the file (a spreadsheet's numbering: the header is row 1)
    external_id: str  # the row's identity across imports
    state_under_review: str
    recommending_state: str
    text: str
    kind: str = Recommendation.Kind.RECOMMENDATION
    mechanism: str = Recommendation.Mechanism.UPR
    session: int | None = None
    state_response: str = ""
    response_cell: str = ""  # as written, for messages ("Accepted" rather than "supported")
    action_category: int | None = None
    issues: tuple[str, ...] = ()
    # Where the row's words are in the stored file (for its citation); None: the matcher finds them.
    quote_span: tuple[int, int] | None = None
    # States that made the recommendation jointly with ``recommending_state`` (the first named).
    also_recommending_states: tuple[str, ...] = ()
    affected_groups: tuple[str, ...] = ()  # group names as the file writes them
    sdgs: tuple[int, ...] = ()  # goal numbers
    # An NGO's own assessment written into the file: a draft status update, citing these words.
    assessment: "Assessment | None" = None
    # Where the row is in the file for people ("para. 140.7 of A/HRC/59/15"); default "row N".
    place: str = ""
    source_context: str = ""  # the context the format knows, in place of the UPR session's

    @property
    def location(self) -> str:
        return self.place or f"row {self.number}"

    @property
    def cycle(self) -> int | None:
        return upr_cycle(self.session) if self.session else None

    @property
    def context(self) -> str:
        if self.source_context:
            return self.source_context
        if not self.session:
            return ""
        cycle = self.cycle
        return f"UPR session {self.session}" + (f" (cycle {cycle})" if cycle else "")

    def mapped_values(self):
        """What the row says apart from its issues, to tell a repeat from a contradiction."""
        return (self.kind, self.state_response, self.action_category, normalize_whitespace(self.text))

    def source_values(self) -> dict:
        """Compared on a re-import and overwritten with the file's values when they differ (the
        title follows the text; actors, context and title are otherwise the curators' once created)."""
        return {
            "kind": self.kind,
            "text": self.text,
            "state_response": self.state_response,
            "upr_action_category": self.action_category,
            "upr_session": self.session,
            "upr_cycle": self.cycle,
            "mechanism": self.mechanism,
        }

    def date_values(self) -> dict:
        """``made_on``: the month of the row's UPR session (none for a session not in the table)."""
        session = upr_session(self.session)
        if session is None:
            return {}
        return {
            "made_on": session.month,
            "made_on_precision": DatePrecision.MONTH,
            "made_on_basis": DateBasis.INFERRED,
            "date_note": session.date_note,
        }
