"""Reading a file's bytes as a table: what kind of file it is (from its first bytes), its
header and its rows, and the text the import stores as the file's source document.

- Excel binary (``.xls``, an OLE2 compound file) through xlrd, Excel ``.xlsx`` through openpyxl:
  the first sheet. Their text for the source document is the sheet written out one row a line,
  cells separated by tabs.
- Text (CSV, TSV, "Unicode text"): decoded by ``text_encoding`` (UTF-8, UTF-16, Windows-1252,
  Mac Roman…), the delimiter (comma, semicolon or tab) read off the header line. The stored text
  is the decoded file itself.

Word documents (DOCX) are recognised here but are not tables: formats that read them take the
bytes. Rows are numbered as a spreadsheet numbers them: the header is row 1.
"""

import csv
import dataclasses
import io
import zipfile

from ..text_encoding import EncodingError, decode_text
from .errors import ImportRefused

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class FileKind:
    """What a file is, from its first bytes."""

    XLS = "xls"
    XLSX = "xlsx"
    DOCX = "docx"
    TEXT = "text"

    LABELS = {XLS: "an Excel workbook (.xls)", XLSX: "an Excel workbook (.xlsx)", DOCX: "a Word document (.docx)"}


def file_kind(content: bytes) -> str:
    """XLS, XLSX or DOCX from the file's signature; anything else is read as text."""
    if content.startswith(OLE2_MAGIC):
        return FileKind.XLS
    if content.startswith(ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            raise ImportRefused("The file looks like a ZIP archive but cannot be opened (is it complete?).") from None
        if "word/document.xml" in names:
            return FileKind.DOCX
        if "xl/workbook.xml" in names:
            return FileKind.XLSX
        raise ImportRefused("The file is a ZIP archive, but neither an Excel workbook (.xlsx) nor a Word document.")
    return FileKind.TEXT


DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclasses.dataclass
class Table:
    """A file read as rows of cells. ``text`` is what is stored as its source document; ``locate``
    says where a cell's words are in it (for the citation of each imported row)."""

    kind: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells); the header is row 1
    text: str
    encoding: str = ""
    encoding_detected: bool = True
    delimiter: str = ""
    spans: dict[tuple[int, int], tuple[int, int]] = dataclasses.field(default_factory=dict, repr=False)
    _cursor: int = 0

    @property
    def description(self) -> str:
        if self.kind != FileKind.TEXT:
            return FileKind.LABELS[self.kind]
        return f"{DELIMITERS.get(self.delimiter, 'delimiter')}-separated text in {self.encoding}"

    def locate(self, number: int, column: int, value: str) -> tuple[int, int] | None:
        """Where the cell (row ``number``, ``column``) holding ``value`` is in ``text``, or None.
        For text files, rows are located in order: call it with increasing row numbers."""
        if (number, column) in self.spans:
            return self.spans[number, column]
        if not value or self.kind != FileKind.TEXT:
            return None
        # A quoted cell's own quotes are doubled in the file.
        for written in dict.fromkeys((value, value.replace('"', '""'))):
            at = self.text.find(written, self._cursor)
            if at >= 0:
                self._cursor = at + len(written)
                return at, at + len(written)
        return None


def read_table(content: bytes, kind: str, *, encoding: str | None = None) -> Table:
    """The file as a table (see the module docstring); ``ImportRefused`` if it cannot be read."""
    if kind == FileKind.XLS:
        return _read_xls(content)
    if kind == FileKind.XLSX:
        return _read_xlsx(content)
    if kind == FileKind.TEXT:
        return _read_text(content, encoding)
    raise ImportRefused(f"The file is {FileKind.LABELS[kind]}, not a table.")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store 7 as 7.0
    return str(value)


def _sheet_table(kind: str, sheet_rows) -> Table:
    """A table from a spreadsheet's rows, and its text, one row a line, with each cell's span."""
    lines, spans, offset = [], {}, 0
    header, rows = None, []
    for number, values in enumerate(sheet_rows, start=1):
        cells = [_cell_text(value) for value in values]
        while cells and not cells[-1].strip():
            cells.pop()
        parts = []
        for column, cell in enumerate(cells):
            written = cell.replace("\t", " ").replace("\r\n", "\n")
            if column:
                offset += 1
            spans[number, column] = (offset, offset + len(written))
            parts.append(written)
            offset += len(written)
        lines.append("\t".join(parts))
        offset += 1  # the line break
        if header is None:
            header = cells
        else:
            rows.append((number, cells))
    if header is None:
        raise ImportRefused("The workbook's first sheet is empty.")
    width = len(header)
    rows = [(number, (cells + [""] * width)[: max(width, len(cells))]) for number, cells in rows]
    return Table(kind=kind, header=header, rows=rows, text="\n".join(lines) + "\n", spans=spans)


def _read_xls(content: bytes) -> Table:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
        sheet = book.sheet_by_index(0)
        rows = (sheet.row_values(index) for index in range(sheet.nrows))
        return _sheet_table(FileKind.XLS, rows)
    except xlrd.XLRDError as error:
        raise ImportRefused(f"The Excel workbook (.xls) cannot be read: {error}.") from None


def _read_xlsx(content: bytes) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused(f"The Excel workbook (.xlsx) cannot be read: {error}.") from None
    try:
        return _sheet_table(FileKind.XLSX, book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _read_text(content: bytes, encoding: str | None) -> Table:
    try:
        decoded = decode_text(content, encoding)
    except EncodingError as error:
        raise ImportRefused(str(error)) from None
    text = decoded.text
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = max(DELIMITERS, key=lambda candidate: (first_line.count(candidate), candidate == "\t"))
    if not first_line.count(delimiter):
        delimiter = ","
    # newline="" lets the csv module see \r, \r\n and \n endings, and line breaks inside quoted
    # cells, as they are; strict turns a stray quote into an error instead of a silently merged row.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, strict=True)
    number, rows = 0, []
    try:
        header = next(reader, [])
        number = 1
        for number, cells in enumerate(reader, start=2):
            rows.append((number, cells))
    except csv.Error as error:
        raise ImportRefused(f"Row {number + 1}: the row cannot be read as CSV ({error}).") from None
    return Table(
        kind=FileKind.TEXT,
        header=header,
        rows=rows,
        text=text,
        encoding=decoded.encoding,
        encoding_detected=decoded.detected,
        delimiter=delimiter,
    )
