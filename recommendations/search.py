"""The one search of recommendations and promises, used by the API's ``q`` and by the admin (its
search box and every autocomplete that picks a recommendation), so both find the same rows.

What a search finds: rows where every word of the text (or "quoted phrase") occurs, as a whole
word, in the title, the text, the context, the actor who made it or the one it addresses, a legal
provision it targets (instrument, article, title), a curated theme or an issue as the imported
file named it (UPR Info's "Freedom of association and peaceful assembly", kept on the row).
External ids are not searched word by word: hash-like ids of imported rows hold every number, so
"174" would match hundreds of rows by accident; an exact external id still finds its row.

Ranking and a full-text index belong behind this same function (``search_recommendations``).
"""

import re

from django.db import connection
from django.db.models import Q

from .models import Recommendation

# The fields each word is looked for in (through the relations for actors, provisions, themes).
SEARCHED_FIELDS = [
    "title",
    "text",
    "context",
    "made_by__name",
    "addressed_to__name",
    "legal_provisions__instrument",
    "legal_provisions__article",
    "legal_provisions__title",
    "themes__name",
    "source_themes__name",
]

_TERM = re.compile(r'"([^"]+)"|(\S+)')
_WHITESPACE_RUN = re.compile(r"\s+")


def search_terms(text: str) -> list[str]:
    """The words and "quoted phrases" of a search text, in order, without empties."""
    terms = []
    for phrase, word in _TERM.findall(text):
        term = _WHITESPACE_RUN.sub(" ", phrase or word).strip().strip('"')
        if term:
            terms.append(term)
    return terms


def _whole_word_pattern(term: str) -> str:
    """A case-insensitive regular expression that finds ``term`` as whole words (a boundary only
    where the term starts or ends with a letter or digit), in the database's dialect."""
    boundary = r"\y" if connection.vendor == "postgresql" else r"\b"
    body = r"\s+".join(re.escape(part) for part in term.split(" "))
    start = boundary if term[0].isalnum() else ""
    end = boundary if term[-1].isalnum() else ""
    return f"{start}{body}{end}"


def _term_condition(term: str) -> Q:
    pattern = _whole_word_pattern(term)
    condition = Q()
    for field in SEARCHED_FIELDS:
        # The substring test first: cheap, and it spares the regular expression most rows.
        condition |= Q(**{f"{field}__icontains": term, f"{field}__iregex": pattern})
    return condition


def search_recommendations(queryset, text: str):
    """The rows of ``queryset`` that match ``text`` (see the module's docstring). An empty text
    returns ``queryset`` unchanged. The result has no duplicate rows."""
    text = (text or "").strip()
    if not text:
        return queryset
    terms = search_terms(text)
    if not terms:
        return queryset
    matching = Recommendation.objects.all()
    for term in terms:
        # One subquery per term: each word may be found in a different field or related row.
        matching = matching.filter(pk__in=Recommendation.objects.filter(_term_condition(term)).values("pk"))
    return queryset.filter(Q(pk__in=matching.values("pk")) | Q(external_id=text))
