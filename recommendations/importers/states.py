"""State names as files write them, resolved to ISO country codes in one place.

Exports spell states in many ways: UPR Info's short forms ("St Lucia", "Antigua & Barbuda",
"DPR Korea"), the UN's official names ("Republic of Moldova", "United Republic of Tanzania"),
the UN's inverted forms ("Bolivia (Plurinational State of)"), and now and then HTML-escaped text
("C&ocirc;te d&#39;Ivoire"). A name is unescaped, stripped of accents and punctuation, "&" read
as "and" and "St" as "Saint", then looked up among django-countries' names, pycountry's short,
official and common names and the variants below. A placeholder ("(Unknown)", "N/A") is never a
state: ``is_placeholder`` says so, and importers create no actor from it.
"""

import dataclasses
import functools
import html
import re
import unicodedata

import pycountry
from django_countries import countries

# Variants neither library knows, keyed by their normalised form (see ``normalise``).
VARIANTS = {
    "cape verde": "CV",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "dpr korea": "KP",
    "dprk": "KP",
    "north korea": "KP",
    "guinea bissau": "GW",
    "lao pdr": "LA",
    "laos": "LA",
    "macedonia fyr": "MK",
    "fyr macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "republic of congo": "CG",
    "congo brazzaville": "CG",
    "republic of korea": "KR",
    "south korea": "KR",
    "state of palestine": "PS",
    "palestine": "PS",
    "united states": "US",
    "usa": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "russia": "RU",
    "syria": "SY",
    "iran": "IR",
    "vietnam": "VN",
    "viet nam": "VN",
    "micronesia": "FM",
    "swaziland": "SZ",
    "turkey": "TR",
    "turkiye": "TR",
    "holy see": "VA",
    "vatican": "VA",
    "ivory coast": "CI",
    "timor leste": "TL",
    "east timor": "TL",
    "brunei": "BN",
    "burma": "MM",
    "czech republic": "CZ",
    "moldova": "MD",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
}

# What files write where nobody knew the state (after unescaping and normalising).
PLACEHOLDERS = frozenset({"", "unknown", "n a", "na", "none", "not known", "not applicable", "tbd", "null", "nil"})

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_SAINT = re.compile(r"\bst\b\.?")
# "Bolivia (Plurinational State of)", "Korea, Republic of": the UN's and ISO's inverted forms.
_INVERTED = re.compile(r"^(?P<name>[^,(]+?)\s*(?:,\s*|\()(?P<prefix>[^)]*?\bof)\)?$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class ResolvedName:
    """A state name from a file: as written (unescaped), and its ISO code if it is a state."""

    name: str
    code: str  # "" when unresolved

    @property
    def resolved(self) -> bool:
        return bool(self.code)


@functools.lru_cache(maxsize=4096)  # a file names a few hundred states thousands of times
def clean(name: str) -> str:
    """The name as a person reads it: HTML entities decoded, whitespace collapsed."""
    return _SPACES.sub(" ", html.unescape(html.unescape(name))).strip()


def normalise(name: str) -> str:
    """The key names are compared by: no accents, no punctuation, lower case, "&" as "and",
    "St" as "Saint", no leading "the"."""
    text = unicodedata.normalize("NFKD", clean(name))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = text.replace("&", " and ").replace("’", "'").replace("'", "")
    text = _SAINT.sub("saint", text)
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    return text.removeprefix("the ")


@functools.lru_cache(maxsize=4096)
def is_placeholder(name: str) -> bool:
    """Whether ``name`` stands for "no state known" ("(Unknown)", "N/A", "-", empty)."""
    return normalise(name) in PLACEHOLDERS


@functools.cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}

    def add(name, code):
        if name:
            index.setdefault(normalise(name), code)
            match = _INVERTED.match(clean(name))
            if match:
                index.setdefault(normalise(f"{match['prefix']} {match['name']}"), code)
                index.setdefault(normalise(match["name"]), code)

    for code, name in dict(countries).items():
        add(name, code)
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            add(getattr(country, attribute, ""), country.alpha_2)
    for variant, code in VARIANTS.items():
        index[normalise(variant)] = code
    return index


@functools.lru_cache(maxsize=4096)
def resolve(name: str) -> ResolvedName:
    """``name`` resolved to a country code, or with ``code=""`` if it names no state we know."""
    cleaned = clean(name)
    key = normalise(cleaned)
    code = _index().get(key, "")
    if not code:
        match = _INVERTED.match(cleaned)
        if match:
            code = _index().get(normalise(f"{match['prefix']} {match['name']}"), "")
    return ResolvedName(cleaned, code)


def country_code(name: str) -> str:
    """The ISO code of the state ``name`` stands for, or "" (e.g. for a non-state)."""
    return resolve(name).code
