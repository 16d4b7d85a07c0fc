"""The one quote matcher: forgiving about spacing and typography only, offsets into the original
text, and the closest passage when a quote is refused."""

import pytest

from recommendations.quotes import closest_passage, find_quote, missing_quote_message, quote_at

TEXT = (
    "Kazakhstan’s president said:\u00a0“We will reform the law on peaceful\n"
    "assemblies by the end of the year” — but activists were arrested on 9 September."
)


@pytest.mark.parametrize(
    "quote",
    [
        "Kazakhstan's president said",  # straight apostrophe for a curly one
        '"We will reform the law on peaceful assemblies by the end of the year"',  # straight quotes
        "“We will reform the law on peaceful assemblies",
        "by the end of the year” - but activists",  # hyphen for an em dash
        "by the end of the year” – but activists",  # en dash for an em dash
        "said: “We will",  # a plain space for a non-breaking one
        "the law on   peaceful\tassemblies",  # any run of whitespace, line breaks included
        "  Kazakhstan’s president  ",  # surrounding whitespace
    ],
)
def test_accepts_typographic_and_spacing_variants(quote):
    passage = find_quote(TEXT, quote)
    assert passage is not None
    # The offsets point into the original text, which keeps its own typography.
    assert TEXT[passage.start : passage.end] == passage.text
    assert quote_at(TEXT, quote, passage.start, passage.end)


def test_offsets_are_those_of_the_original_text():
    passage = find_quote(TEXT, "Kazakhstan's president said: \"We will")
    assert (passage.start, passage.end) == (0, TEXT.index("We will") + len("We will"))
    assert passage.text == "Kazakhstan’s president said:\u00a0“We will"


@pytest.mark.parametrize(
    "quote",
    [
        "kazakhstan’s president said",  # case
        "Kazakhstan’s President said",
        "We will reform the law on peaceful assembly",  # a letter
        "We shall reform the law",  # a word
        "Kazakhstans president said",  # an apostrophe left out is a different word
        "arrested on 9 Sept.",
        "   ",
    ],
)
def test_refuses_changed_words_letters_and_case(quote):
    assert find_quote(TEXT, quote) is None


def test_a_stored_position_is_kept_when_the_quote_is_there():
    text = "the law. Later: the law."
    second = text.rindex("the law")
    assert find_quote(text, "the law", start=second, end=second + 7).start == second
    # Wrong offsets are not trusted: the first occurrence is found instead.
    assert find_quote(text, "the law", start=3, end=10).start == 0


def test_quote_at_checks_the_exact_span():
    start = TEXT.index("We will")
    assert quote_at(TEXT, "We will", start, start + 7)
    assert not quote_at(TEXT, "We will", start + 1, start + 8)
    assert not quote_at(TEXT, "We will", start, start + 8)
    assert not quote_at(TEXT, "We will", None, None)
    assert not quote_at(TEXT, "We will", len(TEXT) - 3, len(TEXT) + 4)


def test_closest_passage_is_the_nearest_words_with_their_offsets():
    passage = closest_passage(TEXT, "activists were detained on 9 September")
    assert passage is not None
    assert TEXT[passage.start : passage.end] == passage.text
    assert "activists were arrested on 9 September" in passage.text
    assert passage.score < 100
    # Widened to whole words: it neither starts nor ends inside one.
    assert not TEXT[passage.start - 1].isalnum() and not TEXT[passage.end : passage.end + 1].isalnum()


def test_no_closest_passage_for_unrelated_words():
    assert closest_passage(TEXT, "Quarterly revenue of the mining sector grew strongly") is None


def test_refusal_message_names_the_closest_passage():
    message = missing_quote_message(document_label="doc.txt", text=TEXT, quote="activists were detained on 9 September")
    assert message.startswith("This quote does not occur in the document “doc.txt”.")
    assert "The closest passage (characters" in message
    assert "activists were arrested on 9 September" in message
    unrelated = missing_quote_message(document_label="doc.txt", text=TEXT, quote="Quarterly revenue grew strongly")
    assert unrelated.endswith("No passage of the document comes close.")
