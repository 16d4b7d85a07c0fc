"""The dashboard labels every code the API gives (statuses, kinds, mechanisms, assessors,
responses), so a page never shows a raw code, and in Russian as in English."""

from django.utils import translation

from dashboard import labels
from recommendations.models import Recommendation, StatusUpdate
from recommendations.stats import GROUPINGS, STATUS_KEYS


def test_every_code_of_the_api_has_a_label():
    assert list(labels.STATUSES) == sorted(STATUS_KEYS, key=list(labels.STATUSES).index)
    assert set(labels.STATUSES) == set(STATUS_KEYS) == set(labels.STATUS_COLOURS)
    assert set(labels.KINDS) == set(Recommendation.Kind.values)
    assert set(labels.MECHANISMS) == set(Recommendation.Mechanism.values)
    assert set(labels.ASSESSOR_KINDS) == set(StatusUpdate.AssessorKind.values)
    assert set(labels.STATE_RESPONSES) == set(Recommendation.StateResponse.values)
    assert set(labels.GROUPINGS) <= set(GROUPINGS)


def test_every_label_is_translated_into_russian():
    every = [
        *labels.STATUSES.values(),
        *labels.KINDS.values(),
        *labels.MECHANISMS.values(),
        *labels.ASSESSOR_KINDS.values(),
        *labels.STATE_RESPONSES.values(),
        *labels.GROUPINGS.values(),
    ]
    with translation.override("ru"):
        untranslated = [str(label) for label in every if not any("а" <= ch <= "я" for ch in str(label).lower())]
    assert untranslated == []


def test_the_compiled_russian_catalogue_matches_its_source():
    """The committed .mo (what Django reads) holds every message of the .po, translated."""
    import gettext
    import re
    from pathlib import Path

    import dashboard

    folder = Path(dashboard.__file__).parent / "locale" / "ru" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    msgids = [msgid for msgid in re.findall(r'^msgid "(.+)"$', source, flags=re.M)]
    assert len(msgids) > 100
    singular = [msgid for msgid in msgids if "%(counter)s" not in msgid]
    untranslated = [msgid for msgid in singular if catalogue.gettext(msgid.replace('\\"', '"')) == msgid]
    assert untranslated == ["Other", "JSON"]  # "Other" has a context (pgettext); "JSON" is JSON in Russian too
