"""Reading uploaded text files whose encoding nobody wrote down.

Real exports come as UTF-8, Windows-1252 or, from spreadsheets saved on a Mac, Mac Roman. A
file that is valid UTF-8 is read as UTF-8. Otherwise charset-normalizer proposes encodings, but
on a file that is plain ASCII except for a handful of accented letters it often guesses wrong
(it reads UPR Info's Mac Roman exports as cp1252 or cp775, turning “Guaraní” into “Guara’”).
So each candidate is checked by decoding the file and counting characters that do not belong
in real text; the most plausible reading wins, and earlier candidates win ties.
"""

import codecs
import dataclasses
import re
import unicodedata

from charset_normalizer import from_bytes

# Mac Roman is what Excel for Mac writes in "CSV (Macintosh)" files, which also end their
# lines with a bare carriage return: when a file does that, Mac Roman goes first. Otherwise the
# two common Western encodings go before charset-normalizer's proposals, which on short texts
# favour rarer code pages that read the same bytes as equally plausible letters.
MAC_ROMAN = "mac_roman"
WESTERN_ENCODINGS = ("cp1252", MAC_ROMAN)

# Punctuation a real text uses; anything else outside ASCII that is not a letter is suspect.
_TYPOGRAPHIC = frozenset("’‘“”„–—…«»°€£¥§•·×±¿¡ ")
_APOSTROPHES = frozenset("’‘")
# Anything but printable ASCII and ordinary line breaks and tabs (a NUL is a sure sign of UTF-16).
_UNUSUAL = re.compile(r"[^\t\n\r\x20-\x7e]")
# A word with at least one non-ASCII letter.
_ACCENTED_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*")


class EncodingError(ValueError):
    """The bytes cannot be read as text in the requested (or any plausible) encoding."""


@dataclasses.dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # the codec's canonical name, e.g. "utf-8", "mac-roman"
    detected: bool  # False when the caller named the encoding


def canonical_encoding(name: str) -> str:
    """The codec's canonical name, or EncodingError for a name Python does not know."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise EncodingError(f"“{name}” is not a text encoding Python knows (try utf-8, cp1252 or mac_roman).") from None


def decode_text(content: bytes, encoding: str | None = None) -> DecodedText:
    """Decode ``content`` with ``encoding``, or with the most plausible encoding if none is given.
    A UTF-8 byte-order mark is dropped."""
    if encoding:
        name = canonical_encoding(encoding)
        codec = "utf-8-sig" if name == "utf-8" else name
        try:
            return DecodedText(content.decode(codec), name, detected=False)
        except UnicodeDecodeError as error:
            raise EncodingError(
                f"The file is not valid {name}: byte 0x{content[error.start]:02x} on line "
                f"{_line_of(content, error.start)} cannot be read. Leave the encoding empty to detect it."
            ) from None
    try:
        return DecodedText(content.decode("utf-8-sig"), "utf-8", detected=True)
    except UnicodeDecodeError:
        pass
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(content.decode("utf-16"), "utf-16", detected=True)
        except UnicodeDecodeError:
            pass
    best = None
    for name in _candidates(content):
        try:
            text = content.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = implausible_characters(text)
        if best is None or score < best[0]:
            best = (score, text, name)
        if score == 0:
            break
    if best is None:
        raise EncodingError("The file's encoding could not be recognised; name it explicitly.")
    return DecodedText(best[1], canonical_encoding(best[2]), detected=True)


def implausible_characters(text: str) -> int:
    """How many non-ASCII characters in ``text`` look like the product of a wrong decoding:
    control characters, stray symbols, an upper-case letter inside a lower-case word, a letter
    of another script glued to Latin letters, a dash inside a word, a Latin word of three or more
    letters with no ASCII letter at all (Cyrillic read as Windows-1252: “Êàçàõñòàí”)."""
    count = 0
    for match in _UNUSUAL.finditer(text):
        char, at = match.group(), match.start()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        category = unicodedata.category(char)
        if category.startswith("L") and category != "Lm":
            latin = unicodedata.name(char, "").startswith("LATIN")
            next_to_latin = (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())
            if (char.isupper() and before.isalpha() and before.islower()) or (next_to_latin and not latin):
                count += 1
        elif char in _TYPOGRAPHIC:
            if char not in _APOSTROPHES and before.isalpha() and after.isalpha():
                count += 1
        else:
            count += 1
    for match in _ACCENTED_WORD.finditer(text):
        word = match.group()
        if len(word) >= 3 and not any(char.isascii() for char in word):
            count += all(unicodedata.name(char, "").startswith("LATIN") for char in word)
    return count


def _candidates(content: bytes):
    """The encodings to try, most likely first. charset-normalizer is asked only when the Western
    encodings did not give a plausible text: on a large file it takes seconds."""
    names = [MAC_ROMAN] if content.count(b"\r") > content.count(b"\n") else []
    names.extend(WESTERN_ENCODINGS)
    seen = set()
    for name in names:
        seen.add(name)
        yield name
    for match in list(from_bytes(content))[:5]:
        if match.encoding not in seen:
            seen.add(match.encoding)
            yield match.encoding


def _line_of(content: bytes, position: int) -> int:
    """The line a byte offset is on, counting \\r\\n, \\r and \\n line endings alike."""
    return len(re.findall(rb"\r\n|\r|\n", content[:position])) + 1
