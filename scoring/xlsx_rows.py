"""Reading the rows of a large worksheet fast.

openpyxl builds a rich-text object for every inline string (the kind openpyxl itself writes), which costs
tens of microseconds a cell; a ledger has millions of cells. This reader walks the sheet's XML once, with
openpyxl's own tables of shared strings and date styles, and yields plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel
from openpyxl.xml.constants import SHEET_MAIN_NS

ROW = f"{{{SHEET_MAIN_NS}}}row"
VALUE = f"{{{SHEET_MAIN_NS}}}v"
TEXT = f"{{{SHEET_MAIN_NS}}}t"


def _column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    return column_index_from_string(letters)


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Cells:
    def __init__(self, workbook) -> None:
        self.shared = workbook.shared_strings
        self.date_styles = workbook._date_formats
        self.epoch = workbook.epoch

    def value(self, cell) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(TEXT))
        text = cell.findtext(VALUE)
        if text is None:
            return None
        if kind == "s":
            return self.shared[int(text)]
        if kind == "n":
            number = _number(text)
            style = cell.get("s")
            if style is not None and int(style) in self.date_styles:
                return from_excel(number, self.epoch)
            return number
        if kind == "b":
            return text == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(text)
        if kind == "e":
            return None  # an error value such as #N/A holds no fact: read as an empty cell
        return text  # "str": a formula's text result


def sheet_rows(workbook, name: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) for each row present in the sheet of a read-only openpyxl workbook."""
    cells = _Cells(workbook)
    worksheet = workbook[name]
    row_number = 0
    with workbook._archive.open(worksheet._worksheet_path) as source:
        for _, element in iterparse(source):
            if element.tag != ROW:
                continue
            row_number = int(element.get("r") or row_number + 1)
            values: list[Any] = []
            for cell in element:
                reference = cell.get("r")
                column = _column(reference) if reference else len(values) + 1
                values.extend([None] * (column - 1 - len(values)))
                values.append(cells.value(cell))
            yield row_number, values
            element.clear()  # an emptied row stays in the tree: tens of bytes, even for a million rows
