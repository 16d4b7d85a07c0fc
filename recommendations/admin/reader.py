"""The document reader: a source document's text as numbered paragraphs, with every cited passage
highlighted and linked to what cites it, and "Cite this passage", which opens the status update
form with the document, the quote and its location already filled in."""

import dataclasses
import itertools
import re
from urllib.parse import urlencode

from django.urls import reverse

from ..models import Citation, DateBasis

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


@dataclasses.dataclass
class Segment:
    text: str
    citations: list  # the citations whose quote covers this stretch of text

    @property
    def first_link(self):
        return citing_url(self.citations[0]) if self.citations else ""

    @property
    def title(self):
        if not self.citations:
            return ""
        count = len(self.citations)
        names = "; ".join(citing_label(c) for c in self.citations[:3])
        return f"Cited {count} time{'s' if count != 1 else ''}: {names}"


@dataclasses.dataclass
class Paragraph:
    number: int
    start: int
    end: int
    segments: list


def citing_url(citation):
    if citation.status_update_id:
        return reverse("admin:recommendations_statusupdate_change", args=[citation.status_update_id])
    return reverse("admin:recommendations_recommendation_change", args=[citation.recommendation_id])


def citing_label(citation):
    if citation.status_update_id:
        return f"status update on “{citation.status_update.recommendation.title}”"
    return f"“{citation.recommendation.title}”"


def paragraph_spans(text):
    """(start, end) of each paragraph (a run of text between line breaks), in order."""
    spans, position = [], 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        if text[position : match.start()].strip():
            spans.append((position, match.start()))
        position = match.end()
    if text[position:].strip():
        spans.append((position, len(text)))
    return spans


def paragraph_of(text, offset):
    """The number (1-based) of the paragraph that holds character ``offset``."""
    for number, (_start, end) in enumerate(paragraph_spans(text), 1):
        if offset < end:
            return number
    return None


def document_citations(document):
    return list(
        Citation.objects.filter(document=document, quote_start__isnull=False)
        .select_related("recommendation", "status_update__recommendation")
        .order_by("quote_start", "id")
    )


def paragraphs(document, citations=None):
    """The document's text as ``Paragraph``s, each cut into segments at the edges of the cited
    passages so that a template can highlight each cited stretch and link it to its citations."""
    citations = document_citations(document) if citations is None else citations
    text = document.text
    result = []
    for number, (start, end) in enumerate(paragraph_spans(text), 1):
        cuts = {start, end}
        for citation in citations:
            if citation.quote_start < end and citation.quote_end > start:
                cuts.add(max(start, citation.quote_start))
                cuts.add(min(end, citation.quote_end))
        edges = sorted(cuts)
        segments = []
        for left, right in itertools.pairwise(edges):
            covering = [c for c in citations if c.quote_start <= left and c.quote_end >= right]
            segments.append(Segment(text[left:right], covering))
        result.append(Paragraph(number, start, end, segments))
    return result


def cite_url(document, *, quote="", location="", recommendation=None):
    """The status update form with the document, a quote, its location and the date (the
    document's publication date, marked inferred) filled in."""
    params = {"document": document.pk, "quote": quote, "location": location}
    if recommendation is not None:
        params["recommendation"] = recommendation
    if document.published_on:
        params |= {
            "as_of": document.published_on.isoformat(),
            "as_of_precision": document.published_on_precision,
            "as_of_basis": DateBasis.INFERRED,
            "date_note": f"The publication date of the source “{document.external_id}”.",
        }
    return reverse("admin:recommendations_statusupdate_add") + "?" + urlencode(params)
