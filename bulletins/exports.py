"""The bulletin as Excel and CSV: the same content as the page, through the one exporter (`exports`)."""

from __future__ import annotations

from decimal import Decimal

from bulletins.notice import DIRECTORY_HEADER, FIGURE_NAMES, Notice, build_notice
from exports import Report, render_csv, render_xlsx


def _number(value: object) -> object:
    # Points travel as "12.50" text: written as numbers, shown with two decimals by the exporter.
    return Decimal(value) if isinstance(value, str) else value


def units_report(notice: Notice, typed_points: bool = True) -> Report:
    """Every sequence in one table, with a 序列 column, in the page's order.

    `typed_points`: points as numbers (Excel formats them with two decimals); CSV keeps the text "12.50",
    since a float there would print as 12.5.
    """
    convert = _number if typed_points else (lambda value: value)
    rows = [
        [table.label, row.rank, row.unit, *(convert(value) for _, value in row.figures)]
        for table in notice.tables
        for row in table.rows
    ]
    version = f"（第{notice.version}版）" if notice.version else "（预览，未发布）"
    return Report(
        title=notice.title,
        subtitle=f"{notice.issuer}　{notice.number}{version}　{notice.issued_label}",
        header=["序列", "名次", "单位", *FIGURE_NAMES],
        rows=rows,
        sheet_name="采用情况通报",
        landscape=True,
    )


def directory_report(notice: Notice) -> Report:
    return Report(
        title=notice.directory_title,
        header=list(DIRECTORY_HEADER),
        rows=[[e.unit, e.title, e.level, e.carrier, e.instructions] for e in notice.directory],
        sheet_name="被采用信息目录",
        widths=(24, 50, 10, 24, 30),
        landscape=True,
    )


def notice_xlsx(notice: Notice) -> bytes:
    return render_xlsx([units_report(notice), directory_report(notice)])


def notice_csv(notice: Notice) -> bytes:
    """The unit table only: CSV holds one table (the directory is in the Excel file and on the page)."""
    return render_csv(units_report(notice, typed_points=False))



def bulletin_reports(bulletin: dict) -> list[Report]:
    """The live bulletin (a `build_bulletin` result) as the preview's Excel sheets, for the `bulletin` command."""
    notice = build_notice(bulletin)
    return [units_report(notice), directory_report(notice)]
