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

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

CONTENT_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv; charset=utf-8"}
FORMULA_STARTS = ("=", "+", "-", "@")
ISSUER_FONT = Font(name="黑体", size=14, bold=True)
TITLE_FONT = Font(name="黑体", size=16, bold=True)
SUBTITLE_FONT = Font(name="仿宋_GB2312", size=11)
HEADER_FONT = Font(name="黑体", size=11, bold=True)
BODY_FONT = Font(name="仿宋_GB2312", size=11)
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


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


def _write_sheet(ws, report: Report) -> None:
    ncols = len(report.header)
    header_row = 1
    if report.issuer:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        ws.cell(row=1, column=1, value=report.issuer).font = ISSUER_FONT
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
        header_row = 2
    title_row = header_row
    ws.merge_cells(start_row=title_row, start_column=1, end_row=title_row, end_column=ncols)
    ws.cell(row=title_row, column=1, value=report.title).font = TITLE_FONT
    ws.cell(row=title_row, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[title_row].height = 36
    header_row += 1
    if report.subtitle:
        ws.merge_cells(start_row=header_row, start_column=1, end_row=header_row, end_column=ncols)
        ws.cell(row=header_row, column=1, value=report.subtitle).font = SUBTITLE_FONT
        ws.cell(row=header_row, column=1).alignment = Alignment(horizontal="right")
        header_row += 1
    widths = [_display_width(str(h)) + 2 for h in report.header]
    for col, name in enumerate(report.header, start=1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font, cell.border = HEADER_FONT, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(report.rows, start=header_row + 1):
        if isinstance(row, Heading):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
            cell = ws.cell(row=r, column=1, value=row.text)
            cell.font, cell.border = HEADER_FONT, BORDER
            continue
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col, value=_cell_value(value))
            if _is_formula_like(value):
                cell.data_type = "s"  # keep "=…" as text: never evaluated as a formula
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
            if value is not None:
                widths[col - 1] = max(widths[col - 1], min(_display_width(str(value)) + 2, 60))
    for col in range(1, ncols + 1):
        width = report.widths[col - 1] if col <= len(report.widths) else widths[col - 1]
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if report.landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def render_xlsx(reports: Sequence[Report]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for report in reports:
        _write_sheet(wb.create_sheet(title=report.sheet_name[:31]), report)
    out = io.BytesIO()
    wb.save(out)
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
