"""The registry of formats the import reads. A format is one module of this package with one
class registered here; the pipeline (``pipeline.py``) does the rest.

A format says which kinds of file it reads (``tables.FileKind``), recognises a file
(``matches``: usually from its header) and turns it into common rows (``read``). To add one:
subclass ``Format`` in ``importers/<format>.py``, decorate it with ``@register``, and import the
module in ``importers/__init__.py``.
"""

import dataclasses
from collections.abc import Iterable

from .errors import ImportRefused
from .tables import FileKind, Table, file_kind, read_table


@dataclasses.dataclass
class Source:
    """The file being imported: its bytes and name, what kind of file it is, and (read once, on
    demand) the table in it."""

    content: bytes
    file_name: str = "upload"
    encoding: str | None = None
    kind: str = ""
    _table: Table | None = None

    def __post_init__(self):
        if not self.content.strip():
            raise ImportRefused("The file is empty.")
        self.kind = self.kind or file_kind(self.content)

    @property
    def is_table(self) -> bool:
        return self.kind in (FileKind.XLS, FileKind.XLSX, FileKind.TEXT)

    def table(self) -> Table:
        if self._table is None:
            self._table = read_table(self.content, self.kind, encoding=self.encoding)
        return self._table

    @property
    def text(self) -> str:
        """What is stored as the file's source document (formats that are not tables override it)."""
        return self.table().text


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """What the person importing said on the command line or the admin form."""

    state_under_review: str = ""  # a state's name or ISO code: only its rows, or the state a file is about


class Format:
    """One file format; see the module docstring."""

    name = ""  # the --format value, e.g. "upr-info"
    label = ""  # for people, e.g. "UPR Info export"
    kinds: tuple[str, ...] = ()
    publisher = ""  # who publishes such files, for the stored source document
    layouts: tuple[str, ...] = ()  # the layouts it knows, as listed in a refusal
    theme_vocabulary = ""  # whose theme names its rows' issues are (a SourceTheme.Vocabulary value)

    def matches(self, source: Source) -> bool:
        raise NotImplementedError

    def read(self, source: Source, options: ReadOptions, warn) -> Iterable:
        """The file's rows as ``pipeline.ImportRow``; ``warn(message)`` reports what the person
        importing should know; ``ImportRefused`` (naming the row and column) for a bad row."""
        raise NotImplementedError

    def document_text(self, source: Source) -> str:
        return source.text


FORMATS: dict[str, Format] = {}


def register(cls):
    """Class decorator: make a format available to ``--format`` and to detection."""
    FORMATS[cls.name] = cls()
    return cls


def header_key(name: str) -> str:
    """Headers are matched ignoring case, surrounding spaces and a byte-order mark."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def choose(source: Source, name: str = "auto") -> Format:
    """The format named, or the one that recognises the file; ``ImportRefused`` listing what was
    found and the layouts known when none does."""
    if name and name != "auto":
        chosen = FORMATS.get(name)
        if chosen is None:
            raise ImportRefused(f"Unknown format “{name}”; the formats are: auto, {', '.join(FORMATS)}.")
        if source.kind not in chosen.kinds:
            raise ImportRefused(f"The file is {_what(source)}; the {chosen.label} format reads no such file.")
        if not chosen.matches(source):
            raise ImportRefused(_unrecognised(source, [chosen]))
        return chosen
    for candidate in FORMATS.values():
        if source.kind in candidate.kinds and candidate.matches(source):
            return candidate
    raise ImportRefused(_unrecognised(source, list(FORMATS.values())))


def _what(source: Source) -> str:
    if source.kind == FileKind.TEXT:
        return source.table().description
    return FileKind.LABELS[source.kind]


def _unrecognised(source: Source, formats: list[Format]) -> str:
    known = "; ".join(f"{fmt.label}: {layout}" for fmt in formats for layout in fmt.layouts)
    if source.is_table:
        headers = [header for header in source.table().header if header.strip()]
        found = ", ".join(headers[:30]) + (" …" if len(headers) > 30 else "") if headers else "no headers"
        return (
            f"Row 1 (the header): the columns do not match any layout the import knows. Found ({_what(source)}): "
            f"{found}. Known layouts: {known}."
        )
    return f"The file is {_what(source)}, which no known format reads. Known layouts: {known}."
