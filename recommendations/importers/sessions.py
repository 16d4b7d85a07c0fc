"""The UPR Working Group's sessions and the month each was held, shipped as data
(``upr_sessions.csv``: session, first and last day, and the month it counts in).

An export says which session reviewed a state, not the day: a UPR row's ``made_on`` is that
session's month (month precision, marked as inferred from the session number, the note giving
the session's first and last day). A session counts in the month it opened, except the two that
opened on a month's last day (the 6th, 30 November to 11 December 2009, and the 26th, 31 October
to 11 November 2016), which count in the next. Sessions not yet in the table give no date rather
than a guessed one.
"""

import csv
import dataclasses
import datetime
import functools
from pathlib import Path

TABLE = Path(__file__).with_name("upr_sessions.csv")

# The sessions of each UPR cycle; later sessions get no cycle rather than a guessed one.
UPR_CYCLES = ((1, 1, 12), (2, 13, 26), (3, 27, 40), (4, 41, 54))


@dataclasses.dataclass(frozen=True)
class Session:
    """One session of the UPR Working Group."""

    number: int
    first_day: datetime.date
    last_day: datetime.date
    month: datetime.date  # the first day of the month the session counts in

    @property
    def date_note(self) -> str:
        return (
            f"The month of the UPR Working Group's session {self.number} "
            f"({self.first_day:%-d %B %Y} to {self.last_day:%-d %B %Y}), inferred from the session number."
        )


@functools.cache
def sessions() -> dict[int, Session]:
    """The table, by session number."""
    table = {}
    with TABLE.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            year, month = (int(part) for part in row["month"].split("-"))
            session = Session(
                number=int(row["session"]),
                first_day=datetime.date.fromisoformat(row["first_day"]),
                last_day=datetime.date.fromisoformat(row["last_day"]),
                month=datetime.date(year, month, 1),
            )
            table[session.number] = session
    return table


def upr_session(number: int | None) -> Session | None:
    """The session with this number, or None if it is not in the table."""
    return sessions().get(number) if number is not None else None


def upr_cycle(session: int) -> int | None:
    """The UPR cycle a working-group session belongs to, or None beyond the known cycles."""
    for cycle, first, last in UPR_CYCLES:
        if first <= session <= last:
            return cycle
    return None
