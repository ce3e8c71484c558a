"""Reading the rows of a large worksheet fast.

openpyxl builds a rich-text object for every inline string (the kind openpyxl itself writes), which costs
tens of microseconds a cell; a ledger has millions of cells. This reader walks the sheet's XML once, with
openpyxl's own tables of shared strings and date styles, and yields plain values.

No cell's text is ever held whole past Excel's own limit of 32,767 characters: the shared strings are read with
expat, keeping only strings within the limit, and a sheet is fed to the parser in chunks, stopping as soon as one
cell has taken more bytes than such a cell can (CellTooLong, with the cell's row and column).

A formula cell reads as its cached value; without one (many programs save formulas uncomputed) as the
formula's text with its leading "=" (INTERFACES.md), a shared formula translated to its own cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, XMLPullParser, iterparse
from xml.parsers import expat

from openpyxl.formula.tokenizer import TokenizerError
from openpyxl.formula.translate import Translator
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

ROW = f"{{{SHEET_MAIN_NS}}}row"
CELL = f"{{{SHEET_MAIN_NS}}}c"
VALUE = f"{{{SHEET_MAIN_NS}}}v"
TEXT = f"{{{SHEET_MAIN_NS}}}t"
FORMULA = f"{{{SHEET_MAIN_NS}}}f"
DIMENSION = f"{{{SHEET_MAIN_NS}}}dimension"
SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"
MAX_CELL_CHARS = 32_767  # Excel's own limit
# The most XML one cell within that limit can take: every character as a 10-byte reference, and its markup.
MAX_CELL_BYTES = MAX_CELL_CHARS * 10 + 4096
CHUNK = 64 * 1024
CELL_START = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Za-z]{1,3})([0-9]{1,7})"')


class CellTooLong(Exception):
    """A cell over MAX_CELL_CHARS characters; row and column (1-based) where known."""

    def __init__(self, row: int | None = None, column: int | None = None) -> None:
        super().__init__(row, column)
        self.row, self.column = row, column


class _TooLong:
    """Stands in the shared-string table for a string over the limit, which is never kept."""


TOO_LONG = _TooLong()


class _Sheet(ReadOnlyWorksheet):
    def _get_size(self) -> None:
        """The sheet's declared size, from its <dimension> if it comes before the rows. (openpyxl's own reads on
        through all of a sheet that has none: a whole extra pass, and a huge cell read whole.)"""
        with self._get_source() as source:
            for _, element in iterparse(source, events=("start",)):
                if element.tag == DIMENSION:
                    self._min_column, self._min_row, self._max_column, self._max_row = range_boundaries(element.get("ref"))
                    return
                if element.tag == SHEET_DATA:
                    return


class _BoundedReader(ExcelReader):
    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = shared_strings(source)

    def read_worksheets(self) -> None:
        # As openpyxl's read-only reading does, with sheets sized by _Sheet.
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def open_workbook(source: Any):
    """A read-only openpyxl workbook (values, not formulas) whose shared strings are read within the limit."""
    reader = _BoundedReader(source, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def shared_strings(source: IO[bytes]) -> list[str | _TooLong]:
    """The shared-string table as openpyxl reads it (text runs joined, phonetic guides left out), a string over
    MAX_CELL_CHARS replaced by TOO_LONG as soon as it passes the limit."""
    strings: list[str | _TooLong] = []
    parts: list[str] = []
    state = {"length": 0, "text": False, "phonetic": 0}
    si, t, rph = (f"{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "rPh"))

    def start(name: str, attrs: dict) -> None:
        if name == si:
            parts.clear()
            state["length"] = 0
        elif name == t:
            state["text"] = not state["phonetic"]
        elif name == rph:
            state["phonetic"] += 1

    def end(name: str) -> None:
        if name == si:
            strings.append(TOO_LONG if state["length"] > MAX_CELL_CHARS else "".join(parts).replace("x005F_", ""))
        elif name == t:
            state["text"] = False
        elif name == rph:
            state["phonetic"] -= 1

    def text(data: str) -> None:
        if state["text"]:
            state["length"] += len(data)
            if state["length"] > MAX_CELL_CHARS:
                parts.clear()
            else:
                parts.append(data)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.buffer_text, parser.buffer_size = True, CHUNK
    parser.ParseFile(source)
    return strings


def _ends(source: IO[bytes]) -> Iterator[Element]:
    """Every element of a sheet's XML as it ends, read in chunks; CellTooLong as soon as more than MAX_CELL_BYTES
    pass without a cell ending, so one huge cell is never held whole."""
    parser = XMLPullParser(events=("end",))
    window: list[bytes] = []  # the bytes since the chunk in which the last cell ended
    pending = 0
    while chunk := source.read(CHUNK):
        parser.feed(chunk)
        window.append(chunk)
        pending += len(chunk)
        for _, element in parser.read_events():
            if element.tag == CELL:
                window, pending = [chunk], 0
            yield element
        if pending > MAX_CELL_BYTES:
            starts = list(CELL_START.finditer(b"".join(window)))
            if not starts:
                raise CellTooLong()
            letters, row = starts[-1].groups()
            raise CellTooLong(int(row), column_index_from_string(letters.decode().upper()))
    parser.close()
    for _, element in parser.read_events():
        yield element


def _column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    return column_index_from_string(letters)


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Cells:
    def __init__(self, workbook, worksheet) -> None:
        # The table read with the workbook (`workbook.shared_strings` is the one a new workbook would write).
        self.shared = worksheet._shared_strings
        self.date_styles = workbook._date_formats
        self.epoch = workbook.epoch
        self.shared_formulas: dict[str, tuple[str, str]] = {}  # si: (formula, the cell that holds its text)

    def value(self, cell, coordinate: str) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return _within_limit("".join(t.text or "" for t in cell.iter(TEXT)))
        text = cell.findtext(VALUE)
        formula = cell.find(FORMULA)
        if formula is not None:
            written = self.formula(formula, coordinate)
            if text is None or (text == "" and kind != "str"):  # no cached value: the formula's own text
                return _within_limit(written)
        return self.typed(kind, text, cell.get("s"))

    def typed(self, kind: str, text: str | None, style: str | None) -> Any:
        """A cell's value from its type, the text of its <v> and its style."""
        if not text:
            return None
        if kind == "s":
            shared = self.shared[int(text)]
            if shared is TOO_LONG:
                raise CellTooLong
            return shared
        if kind == "n":
            number = _number(text)
            if style is not None and int(style) in self.date_styles:
                return from_excel(number, self.epoch)
            return number
        if kind == "b":
            return text == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(text)
        if kind == "e":
            return None  # an error value such as #N/A holds no fact: read as an empty cell
        return _within_limit(text)  # "str": a formula's text result

    def formula(self, element, coordinate: str) -> str:
        si = element.get("si")
        if element.get("t") == "shared" and si is not None:
            if element.text:
                self.shared_formulas[si] = ("=" + element.text, coordinate)
            elif si in self.shared_formulas:
                master, origin = self.shared_formulas[si]
                try:
                    return Translator(master, origin=origin).translate_formula(coordinate)
                except TokenizerError:  # a formula openpyxl cannot parse: its text as written
                    return master
        return "=" + (element.text or "")


def _within_limit(text: str) -> str:
    if len(text) > MAX_CELL_CHARS:
        raise CellTooLong
    return text


def sheet_rows(workbook, name: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) for each row present in the sheet of a read-only openpyxl workbook.

    Rows written plainly (as Excel, LibreOffice and openpyxl write them: values, shared or inline strings, no
    formulas, no rich text) are read by `_plain_rows`, several times faster than through an XML tree; at the first
    thing it does not read, the rest of the sheet is read by `_tree_rows`, the general reader."""
    done = 0
    try:
        for number, values in _plain_rows(workbook, name):
            done = number
            yield number, values
    except _NotPlain:
        for number, values in _tree_rows(workbook, name):
            if number > done:
                yield number, values


class _NotPlain(Exception):
    """Something `_plain_rows` does not read: the general reader takes over."""


_PLAIN_ROW = re.compile(r'<row\b([^>]*?)(?:/>|>(.*?)</row>)', re.S)
# A cell: its column when its reference comes first (as every writer puts it), its other attributes, the text of
# its <v> or of its inline string; the last group catches anything else.
_PLAIN_CELL = re.compile(
    r'\s*<c(?:\s+r="([A-Z]{1,3})[0-9]+")?((?:\s[^>]*?)?)'
    r'(?:/>|>(?:<v>([^<]*)</v>|<v/>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|<is><t/></is>|)</c>)'
    r'|\s*(<)', re.S
)
PLAIN_CHUNK = 256 * 1024
_ATTRIBUTE = re.compile(r'\b([rst])="([^"]*)"')
_REFERENCE = re.compile(r"&#(x?)([0-9a-fA-F]+);|&(amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_PLAIN_START = re.compile(
    rb'^(?:\xef\xbb\xbf)?(?:<\?xml[^>]*?encoding="(?i:utf-8)"[^>]*\?>|<\?xml(?![^>]*encoding)[^>]*\?>)?\s*'
    rb'<worksheet\b[^>]*\sxmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
)


def _unescape(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as an XML parser reads line ends
    if "&" not in text:
        return text
    known = _UNESCAPED.get(text)
    if known is None:
        if len(_UNESCAPED) > 50_000:
            _UNESCAPED.clear()
        known = _UNESCAPED[text] = _REFERENCE.sub(_reference, text)
    return known


_UNESCAPED: dict[str, str] = {}  # a ledger repeats many texts (unit names, types): each unescaped once


def _reference(match: re.Match) -> str:
    reference = match[0]
    character = _CHARACTERS.get(reference)
    if character is None:
        character = _NAMED[match[3]] if match[3] else chr(int(match[2], 16 if match[1] else 10))
        if len(_CHARACTERS) < 20_000:
            _CHARACTERS[reference] = character
    return character


_CHARACTERS: dict[str, str] = {}  # "&#20449;": "信" (openpyxl writes every character outside ASCII so)


def _plain_rows(workbook, name: str) -> Iterator[tuple[int, list[Any]]]:
    worksheet = workbook[name]
    cells = _Cells(workbook, worksheet)
    validator = expat.ParserCreate()  # no handlers: only that the XML is well formed, at C speed
    pending, row_number, rows = b"", 0, 0
    with workbook._archive.open(worksheet._worksheet_path) as source:
        while True:
            chunk = source.read(PLAIN_CHUNK)
            try:
                validator.Parse(chunk, not chunk)
            except expat.ExpatError:
                raise _NotPlain from None
            if not rows and not _PLAIN_START.match(pending + chunk):
                raise _NotPlain  # another encoding, or the sheet's elements named with a prefix
            pending += chunk
            end = pending.rfind(b"</row>") + 6 if chunk else len(pending)
            if end <= 5:
                if len(pending) > MAX_CELL_BYTES:
                    raise _NotPlain  # a huge cell, or no rows: the general reader says which
                continue
            text, pending = pending[:end].decode(), pending[end:]
            if ":row" in text:
                raise _NotPlain
            for row_number, values in _plain_parse(cells, text, row_number):  # noqa: B020 (the last one counts)
                rows += 1
                yield row_number, values
            if not chunk:
                break
    if not rows:
        raise _NotPlain  # nothing read: let the general reader make sure


def _plain_parse(cells: _Cells, text: str, row_number: int) -> Iterator[tuple[int, list[Any]]]:
    kinds, columns, typed, unescape = _KINDS, _COLUMNS, cells.typed, _unescape
    for attributes, content in _PLAIN_ROW.findall(text):
        attributes = _attributes(attributes)
        row_number = int(attributes["r"]) if "r" in attributes else row_number + 1
        values: list[Any] = []
        # findall gives "" for a group that took no part: an absent <v> reads as an empty one, as in `typed`.
        for letters, rest, number, inline, other in _PLAIN_CELL.findall(content):
            if other:
                raise _NotPlain  # a formula, rich text, anything else
            kind, style, reference = kinds.get(rest) or _kind(rest)
            if letters:
                column = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
            else:
                column = _column(reference) if reference else len(values) + 1
            if column > len(values) + 1:
                values.extend([None] * (column - 1 - len(values)))
            try:
                if kind == "inlineStr":
                    values.append(_within_limit(unescape(inline)) if inline else "")
                elif not number:
                    values.append(None)
                elif kind == "n" and style is None:
                    values.append(_number(number))
                else:
                    values.append(typed(kind, unescape(number), style))
            except CellTooLong:
                raise CellTooLong(row_number, column) from None
        yield row_number, values


_KINDS: dict[str, tuple[str, str | None, str | None]] = {}  # a cell's attributes after its reference: few kinds
_COLUMNS: dict[str, int] = {}


def _kind(rest: str) -> tuple[str, str | None, str | None]:
    """(type, style, reference) from a cell's attributes; kept when they name no reference."""
    attributes = _attributes(rest)
    found = attributes.get("t", "n"), attributes.get("s"), attributes.get("r")
    if found[2] is None and len(_KINDS) < 1000:
        _KINDS[rest] = found
    return found


def _attributes(text: str) -> dict[str, str]:
    if text.count("=") != text.count('="'):
        raise _NotPlain  # single quotes, spaces around "=": as XML allows, but not read here
    return dict(_ATTRIBUTE.findall(text))


def _tree_rows(workbook, name: str) -> Iterator[tuple[int, list[Any]]]:
    worksheet = workbook[name]
    cells = _Cells(workbook, worksheet)
    row_number = 0
    with workbook._archive.open(worksheet._worksheet_path) as source:
        for element in _ends(source):
            if element.tag != ROW:
                continue
            row_number = int(element.get("r") or row_number + 1)
            values: list[Any] = []
            for cell in element:
                reference = cell.get("r")
                column = _column(reference) if reference else len(values) + 1
                values.extend([None] * (column - 1 - len(values)))
                try:
                    values.append(cells.value(cell, reference or f"{get_column_letter(column)}{row_number}"))
                except CellTooLong:
                    raise CellTooLong(row_number, column) from None
            yield row_number, values
            element.clear()  # an emptied row stays in the tree: tens of bytes, even for a million rows
