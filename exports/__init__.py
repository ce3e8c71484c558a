"""One exporter shape for every report: a title, a header row and data rows.

`render_xlsx` gives the official look (merged title, bold header, borders, widths, frozen header, A4
print setup, page numbers); `render_csv` gives UTF-8 with BOM. Text that a spreadsheet would read as a
formula (starting with =, +, - or @) is always written as text. `download` answers a page's request with
the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

import xlsxwriter
from django.http import HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv; charset=utf-8"}
FORMULA_STARTS = ("=", "+", "-", "@")
BODY = {"font_name": "仿宋_GB2312", "font_size": 11, "border": 1, "valign": "vcenter", "text_wrap": True}
# A few formats, each written once into the workbook; every cell names one (styling cells one by one was three
# quarters of an export's time with openpyxl).
FORMATS = {
    "issuer": {"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"},
    "title": {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True},
    "subtitle": {"font_name": "仿宋_GB2312", "font_size": 11, "align": "right"},
    "header": {**BODY, "font_name": "黑体", "bold": True, "align": "center"},
    "heading": {**BODY, "font_name": "黑体", "bold": True},
    "body": BODY,
    "points": {**BODY, "num_format": "0.00"},
}
A4 = 9  # xlsxwriter's paper index


@dataclass(frozen=True)
class Heading:
    """A row naming the group of the data rows below it ("一、区政府序列"), written across the table in the
    workbook and left out of CSV (whose rows carry the group in a column)."""

    text: str


@dataclass
class Report:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object] | Heading]
    sheet_name: str = "Sheet1"
    subtitle: str = ""
    widths: Sequence[int] = field(default_factory=tuple)
    landscape: bool = False
    issuer: str = ""  # the office sending the document, above the title


def _cell_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _across(ws, row: int, ncols: int, text: str, cell_format) -> None:
    """A line over the sheet's whole width: merged cells, or the one cell of a one-column sheet (xlsxwriter
    merges no single cell)."""
    if ncols > 1:
        ws.merge_range(row, 0, row, ncols - 1, text, cell_format)
    else:
        ws.write_string(row, 0, text, cell_format)


def _write_sheet(ws, report: Report, formats: dict) -> None:
    rows = list(report.rows)
    ncols = len(report.header)
    widths = [_display_width(str(h)) + 2 for h in report.header]
    for row in rows:
        if not isinstance(row, Heading):
            for col, value in enumerate(row):
                if value is not None:
                    widths[col] = max(widths[col], min(_display_width(str(value)) + 2, 60))
    for col in range(ncols):
        ws.set_column(col, col, report.widths[col] if col < len(report.widths) else widths[col])
    r = 0
    if report.issuer:
        _across(ws, r, ncols, report.issuer, formats["issuer"])
        ws.set_row(r, 28)
        r += 1
    _across(ws, r, ncols, report.title, formats["title"])
    ws.set_row(r, 36)
    r += 1
    if report.subtitle:
        _across(ws, r, ncols, report.subtitle, formats["subtitle"])
        r += 1
    header_row = r
    ws.write_row(header_row, 0, report.header, formats["header"])
    for r, row in enumerate(rows, start=header_row + 1):
        if isinstance(row, Heading):
            _across(ws, r, ncols, row.text, formats["heading"])
            continue
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                ws.write_number(r, col, float(value), formats["points"])
            elif isinstance(value, str):
                ws.write_string(r, col, value, formats["body"])  # always text: "=…" is never a formula
            elif value is None:
                ws.write_blank(r, col, None, formats["body"])
            else:
                ws.write(r, col, _cell_value(value), formats["body"])
    ws.freeze_panes(header_row + 1, 0)
    ws.repeat_rows(header_row)
    ws.set_paper(A4)
    if report.landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")


def render_xlsx(reports: Sequence[Report]) -> bytes:
    """The official look with xlsxwriter (four times openpyxl's write-only mode on a large bulletin, README)."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    formats = {name: workbook.add_format(spec) for name, spec in FORMATS.items()}
    for report in reports:
        _write_sheet(workbook.add_worksheet(report.sheet_name[:31]), report, formats)
    workbook.close()
    return out.getvalue()


def render_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report.header)
    for row in report.rows:
        if isinstance(row, Heading):
            continue
        # A leading apostrophe is how spreadsheets are told "this is text" in CSV.
        writer.writerow(["'" + v if _is_formula_like(v) else _cell_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def download(content: bytes, filename: str) -> HttpResponse:
    """The file as an attachment; a Chinese name is sent as a UTF-8 `filename*` (RFC 6266)."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[PurePath(filename).suffix])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
