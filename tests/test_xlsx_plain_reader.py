"""The fast reader of plainly written sheets reads exactly what the general (XML tree) reader reads, and hands
over to it at anything it does not read itself (scoring/xlsx_rows.py)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from scoring import xlsx_rows
from scoring.xlsx_rows import open_workbook, sheet_rows
from tests.ledger_builder import ledger_bytes, rezipped, with_shared_strings

TEXTS = ["a & b < c > d", "第1行\n第2行", "  两端空格  ", "'单' \"双\"", "😀表情", "", "x005F_x000D_", "&amp;字面"]


def _ledger() -> bytes:
    rows = [{"文本": text, "数字": n, "小数": n / 8, "日期": dt.date(2024, 1, 1 + n), "时间": dt.datetime(2024, 5, 6, 7, n),
             "是否": n % 2 == 0, "空": None, "尾": "尾"} for n, text in enumerate(TEXTS)]
    return ledger_bytes({"表": rows, "空表": []})


def _rows(data: bytes, reader) -> list:
    workbook = open_workbook(io.BytesIO(data))
    try:
        return list(reader(workbook, "表"))
    finally:
        workbook.close()


def _sheet(data: bytes, change) -> bytes:
    part = "xl/worksheets/sheet1.xml"
    return rezipped(data, lambda name, content: change(content.decode()).encode() if name == part else content)


EXCEL_LIKE = [
    # As Excel writes a sheet: declaration, CR LF, more namespaces, row attributes, spaces between cells.
    lambda xml: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + xml.replace(
        'spreadsheetml/2006/main">', 'spreadsheetml/2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/'
        'spreadsheetml/2009/9/ac">').replace("<row ", '<row spans="1:8" x14ac:dyDescent="0.25" ').replace("</c><c", "</c>\n <c"),
    lambda xml: xml.replace("<t>", '<t xml:space="preserve">'),
    lambda xml: xml.replace("\n", "\r\n"),  # a line end inside a text, as the parser reads it: one "\n"
    lambda xml: re.sub(r'<c r="G(\d+)"[^>]*?/>', "", xml),  # empty cells left out
]
FALLBACK = [
    lambda xml: xml.replace('<c r="H3" t="inlineStr"><is><t>&#23614;</t></is></c>', '<c r="H3" t="str"><f>"尾"</f><v>尾</v></c>'),
    lambda xml: xml.replace('<c r="H4" t="inlineStr"><is><t>&#23614;</t></is></c>',
                            '<c r="H4" t="inlineStr"><is><r><t>尾</t></r></is></c>'),
    lambda xml: xml.replace('r="B5"', "r='B5'"),
    lambda xml: re.sub(r"<(/?)(\w)", r"<\1x:\2", xml).replace("xmlns=", "xmlns:x="),  # every element prefixed
    lambda xml: xml.replace('<v>3</v>', "<v><![CDATA[3]]></v>"),
]


@pytest.mark.parametrize("change", [lambda xml: xml, *EXCEL_LIKE], ids=["openpyxl", "excel", "preserve", "crlf", "sparse"])
def test_plain_sheets_read_as_the_general_reader_reads_them(change):
    data = _sheet(_ledger(), change)
    plain = _rows(data, xlsx_rows._plain_rows)
    assert plain == _rows(data, xlsx_rows._tree_rows) and len(plain) == len(TEXTS) + 1


def test_shared_strings_read_as_the_general_reader_reads_them():
    placeholders = _sheet(_ledger(), lambda xml: xml.replace("&#23614;", "PLACEHOLDER"))
    data = with_shared_strings(placeholders, {"H2": 1, "H3": 0},
                               ["共享 &amp; 文本", "<si><r><t>富</t></r><r><t>文本</t></r></si>"])
    plain = _rows(data, xlsx_rows._plain_rows)
    assert plain == _rows(data, xlsx_rows._tree_rows)
    assert [values[7] for _, values in plain[1:3]] == ["富文本", "共享 & 文本"]


@pytest.mark.parametrize("change", FALLBACK, ids=["formula", "rich text", "single quotes", "prefixed", "cdata"])
def test_anything_else_hands_over_to_the_general_reader_without_losing_or_repeating_a_row(change):
    data = _sheet(_ledger(), change)
    with pytest.raises(xlsx_rows._NotPlain):
        _rows(data, xlsx_rows._plain_rows)
    rows = _rows(data, sheet_rows)
    assert rows == _rows(data, xlsx_rows._tree_rows)
    assert [number for number, _ in rows] == list(range(1, len(TEXTS) + 2))


def test_an_empty_sheet_has_no_rows():
    workbook = open_workbook(io.BytesIO(_ledger()))
    assert list(sheet_rows(workbook, "空表")) == []
    workbook.close()
