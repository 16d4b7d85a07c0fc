"""The one quote matcher: where a quote occurs in a document's text, and, when it does not, the
closest passage there is.

Verbatim, but forgiving where a copy-and-paste legitimately differs from the source: a run of
whitespace of any kind (spaces, line breaks, tabs, non-breaking and thin spaces) matches any other
run, and the typographic forms of quotation marks, apostrophes and dashes match each other
(“Kazakhstan’s” = "Kazakhstan's", – = — = -). Words, letters and case must match. Offsets always
point into the document's original text, so ``text[start:end]`` is the passage as the source has it.

Models, services, the admin, the API and ``verify_evidence`` all call these functions.
"""

import dataclasses
import re

from rapidfuzz import fuzz

# Characters that stand for each other in a quote. Each group is matched as one character class.
_EQUIVALENT_GROUPS = [
    "'‘’‚‛′`´",  # apostrophes and single quotation marks
    '"“”„‟″«»',  # double quotation marks (guillemets included: the same mark in another typography)
    "-‐‑‒–—―−",  # hyphen-minus, hyphen, non-breaking hyphen, figure/en/em dash, horizontal bar, minus
]
_CLASS_OF = {char: "[" + re.escape(group) + "]" for group in _EQUIVALENT_GROUPS for char in group}
_WHITESPACE_RUN = re.compile(r"\s+")

# A closest passage scoring below this (0–100) is not offered: it would only be noise.
CLOSEST_PASSAGE_MIN_SCORE = 60.0


@dataclasses.dataclass(frozen=True)
class Passage:
    """A span of a document's text: ``text[start:end]``; ``score`` (0–100) says how close a
    passage offered for a refused quote is to it (100 for a quote that was found)."""

    start: int
    end: int
    text: str
    score: float = 100.0


def quote_pattern(quote: str) -> re.Pattern | None:
    """The regular expression that finds ``quote`` with the allowed differences, or None for a
    quote with nothing but whitespace in it."""
    parts = []
    for index, chunk in enumerate(_WHITESPACE_RUN.split(quote.strip())):
        if index:
            parts.append(r"\s+")
        parts.append("".join(_CLASS_OF.get(char) or re.escape(char) for char in chunk))
    pattern = "".join(parts)
    return re.compile(pattern) if pattern else None


def find_quote(text: str, quote: str, *, start: int | None = None, end: int | None = None) -> Passage | None:
    """Where ``quote`` occurs in ``text`` (the first occurrence), or None.

    ``start``/``end`` are where the caller believes it is (a citation's stored offsets, or an
    importer that knows the row it cites): if the quote is there, that occurrence is kept, found
    without reading the rest of the text."""
    if start is not None and end is not None and quote_at(text, quote, start, end):
        return Passage(start, end, text[start:end])
    stripped = quote.strip()
    if not stripped:
        return None
    found = text.find(stripped)  # the common case, a verbatim copy: no regular expression needed
    if found >= 0:
        return Passage(found, found + len(stripped), stripped)
    match = quote_pattern(stripped).search(text)
    return Passage(match.start(), match.end(), match.group()) if match else None


def quote_at(text: str, quote: str, start: int | None, end: int | None) -> bool:
    """Whether the passage ``text[start:end]`` is ``quote`` (with the allowed differences)."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return False
    if text[start:end] == quote:
        return True  # verbatim (an importer citing its own row): no regular expression needed
    pattern = quote_pattern(quote)
    return pattern is not None and pattern.fullmatch(text, start, end) is not None


def closest_passage(text: str, quote: str) -> Passage | None:
    """The passage of ``text`` most like ``quote`` (rapidfuzz's best partial alignment), widened
    to whole words, or None if nothing comes close. Offered when a quote is refused, so the curator
    can see what the document actually says there and use that passage instead."""
    quote = _WHITESPACE_RUN.sub(" ", quote).strip()
    if not quote or not text:
        return None
    alignment = fuzz.partial_ratio_alignment(quote, text, processor=None)
    if alignment is None or alignment.score < CLOSEST_PASSAGE_MIN_SCORE:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Passage(start, end, text[start:end], round(alignment.score, 1))


def missing_quote_message(*, document_label: str, text: str, quote: str) -> str:
    """The refusal of a quote that is not in a document, naming the closest passage if any."""
    message = (
        f"This quote does not occur in the document “{document_label}”. Copy it verbatim from the document's "
        "text: spacing, line breaks and the forms of quotation marks, apostrophes and dashes may differ; "
        "words, letters and case may not."
    )
    passage = closest_passage(text, quote)
    if passage is None:
        return f"{message} No passage of the document comes close."
    shown = _WHITESPACE_RUN.sub(" ", passage.text)
    return f"{message} The closest passage (characters {passage.start}–{passage.end}) is: “{shown}”."
