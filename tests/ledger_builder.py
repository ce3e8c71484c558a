"""Ledger workbooks (INTERFACES.md, the ledger workbook) built from Python lists, for tests and benchmarks.

    ledger_bytes({"单位": [{"单位名称": "道里区", "序列": "区政府"}], "报送": [...]})

Each sheet is a list of rows as dicts from header to value; the header row is the union of the rows' keys in
order of first appearance, or `headers[sheet]` when given (a column the rows lack stays empty). Values are
written as openpyxl writes them: `str` as text, `int`/`float` as numbers, `date`/`datetime` as Excel dates.
The workbook is written in openpyxl's write-only mode, so a benchmark can build a large ledger cheaply.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

Rows = Iterable[Mapping[str, Any]]


def _header(rows: list[Mapping[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def build_workbook(sheets: Mapping[str, Rows], headers: Mapping[str, list[str]] | None = None) -> Workbook:
    workbook = Workbook(write_only=True)
    for sheet, rows in sheets.items():
        rows = list(rows)
        header = (headers or {}).get(sheet) or _header(rows)
        ws = workbook.create_sheet(sheet)
        if header:  # a sheet with no columns is left blank, as Excel saves an empty sheet
            ws.append(header)
        for row in rows:
            ws.append([row.get(name) for name in header])
    return workbook


def ledger_bytes(sheets: Mapping[str, Rows], headers: Mapping[str, list[str]] | None = None) -> bytes:
    buffer = io.BytesIO()
    build_workbook(sheets, headers).save(buffer)
    return buffer.getvalue()


def write_ledger(path: str | Path, sheets: Mapping[str, Rows], headers: Mapping[str, list[str]] | None = None) -> Path:
    path = Path(path)
    path.write_bytes(ledger_bytes(sheets, headers))
    return path


def ledger_file(sheets: Mapping[str, Rows], headers: Mapping[str, list[str]] | None = None) -> io.BytesIO:
    """The workbook as an open binary file, as an upload hands it over."""
    return io.BytesIO(ledger_bytes(sheets, headers))


def rezipped(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The workbook's members passed through `change` (None drops the member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
    return out.getvalue()


def with_shared_strings(data: bytes, cells: Mapping[str, int], strings: list[str]) -> bytes:
    """The workbook with a shared-string table, as Excel writes text (openpyxl writes inline strings): each of
    `cells` (a coordinate whose cell holds PLACEHOLDER) points to its index in `strings`, given as
    plain text or as a whole `<si>` element."""
    table = "".join(s if s.startswith("<si>") else f"<si><t>{s}</t></si>" for s in strings)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}"/>'
                content = content.replace(b"</Types>", f"{override}</Types>".encode())
            for cell, index in cells.items():
                inline = f'<c r="{cell}" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>'.encode()
                content = content.replace(inline, f'<c r="{cell}" t="s"><v>{index}</v></c>'.encode())
            target.writestr(info, content)
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{SHEET_MAIN_NS}">{table}</sst>')
    return out.getvalue()


# A small ledger with two bad rows (an unknown unit on row 3, an unknown type on row 4) and one good one.
INVALID_LEDGER = {
    "单位": [{"单位名称": "道里区", "序列": "区政府"}],
    "报送": [
        {"信息编号": "DL-001", "单位名称": "道里区", "标题": "正确的行", "报送时间": "2024-03-01", "信息类型": "一般动态"},
        {"信息编号": "DL-002", "单位名称": "不存在区", "标题": "无此单位", "报送时间": "2024-03-01", "信息类型": "一般动态"},
        {"信息编号": "DL-003", "单位名称": "道里区", "标题": "类型不对", "报送时间": "2024-03-01", "信息类型": "小道消息"},
    ],
}


# A small valid ledger that the ledger tests load, change or break.
FIVES = {f"第{i}项": 5 for i in range(1, 9)}

BASE: dict[str, list[dict]] = {
    "单位": [
        {"单位名称": "道里区", "序列": "区政府"},
        {"单位名称": "南岗区", "序列": "区政府", "中直省属": "否", "参加评比": "是"},
        {"单位名称": "五常市", "序列": "县(市)政府"},
        {"单位名称": "市发改委", "序列": "委办局"},
    ],
    "专约": [{"专约编号": "ZY1", "标题": "春耕", "截止时间": "2024-04-30 18:00", "对象单位": "道里区、南岗区"}],
    "报送": [
        {
            "信息编号": "A1",
            "单位名称": "道里区",
            "标题": "一",
            "报送时间": "2024-03-01 09:00",
            "信息类型": "一般动态",
            "专约编号": "ZY1",
            "联合报送单位": "",
            "无效原因": "",
        },
        {
            "信息编号": "A2",
            "单位名称": "南岗区",
            "标题": "二",
            "报送时间": "2024-03-02 09:00",
            "信息类型": "紧急重要",
            "联合报送单位": "五常市",
        },
        {"信息编号": "A3", "单位名称": "市发改委", "标题": "三", "报送时间": "2024-03-03", "信息类型": "小型调研"},
    ],
    "采用": [
        {"信息编号": "A1", "采用层级": "市", "采用类型": "一般动态", "采用日期": "2024-03-05", "刊物": "", "期号": ""},
        {"信息编号": "A3", "采用层级": "省", "采用类型": "调研", "采用日期": "2024-03-09"},
    ],
    "批示": [{"信息编号": "A1", "领导层级": "市", "批示类型": "阅研性", "批示日期": "2024-03-05", "批示领导": "李市长"}],
    "紧急信息问题": [{"单位名称": "道里区", "日期": "2024-04-01", "问题类型": "迟报", "说明": ""}],
    "基础工作": [{"单位名称": "道里区", "年度": 2024, **FIVES, "方式": "抽查", "备注": ""}],
}
