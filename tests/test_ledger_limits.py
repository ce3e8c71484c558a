"""Limits checked before a cell or a part is read into memory (INTERFACES.md: a cell over 32,767 characters is
refused with its sheet, row and column; issue 13: a part over the size limit, by its sheet)."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from scoring import ledger
from scoring.ledger import LedgerInvalid, import_ledger
from scoring.xlsx_rows import MAX_CELL_CHARS
from submissions.models import Submission
from tests.ledger_builder import ledger_bytes, rezipped, with_shared_strings
from units.models import Unit

pytestmark = pytest.mark.django_db
UNITS = [{"单位名称": "道里区", "序列": "区政府"}]


def _items(note: str) -> dict:
    # 备注 is a column the 报送 sheet does not know: read (and limited) like any cell, then ignored.
    return {"单位": UNITS, "报送": [
        {"信息编号": "DL-001", "单位名称": "道里区", "标题": "春耕", "报送时间": "2024-03-01", "信息类型": "一般动态"},
        {"信息编号": "DL-002", "单位名称": "道里区", "标题": "夏收", "报送时间": "2024-03-02", "信息类型": "一般动态",
         "备注": note},
    ]}


def _refused(data: bytes) -> ledger.LedgerError:
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(io.BytesIO(data))
    assert not Submission.objects.exists() and not Unit.objects.filter(name="道里区").exists()
    [error] = caught.value.errors
    return error


def test_text_in_the_shared_string_table_is_read_as_excel_writes_it():
    # Excel keeps text in one table: runs of rich text joined, a phonetic guide (rPh) left out.
    rich = '<si><r><t>松北</t></r><r><t>区</t></r><rPh sb="0" eb="2"><t>songbei</t></rPh></si>'
    units = ledger_bytes({"单位": [{"单位名称": "PLACEHOLDER", "序列": "PLACEHOLDER"}]})
    import_ledger(io.BytesIO(with_shared_strings(units, {"A2": 1, "B2": 0}, ["区政府", rich])))
    assert Unit.objects.get(name="松北区").sequence == "district"


def test_a_cell_at_excels_limit_is_read():
    import_ledger(io.BytesIO(ledger_bytes(_items("长" * MAX_CELL_CHARS))))
    assert Submission.objects.count() == 2


def _with_note(text: str) -> bytes:
    """The ledger with `text` in row 3's 备注 (openpyxl itself cuts a text at Excel's limit when it writes)."""
    return rezipped(ledger_bytes(_items("PLACEHOLDER")), lambda name, content: content.replace(b"PLACEHOLDER", text.encode()))


def test_an_inline_cell_over_the_limit_is_refused_by_sheet_row_and_column():
    error = _refused(_with_note("长" * (MAX_CELL_CHARS + 1)))
    assert (error.sheet, error.row, error.column) == ("报送", 3, "F")
    assert "32767" in error.message and "损坏" not in error.message


def test_a_shared_string_over_the_limit_is_refused_by_the_cell_that_uses_it():
    # As Excel writes text: row 3's 备注 points into the shared-string table, whose second string is too long.
    too_long = f'<si><r><t>{"长" * MAX_CELL_CHARS}</t></r><r><t>长</t></r></si>'
    error = _refused(with_shared_strings(_with_note("PLACEHOLDER"), {"F3": 1}, ["短", too_long]))
    assert (error.sheet, error.row, error.column) == ("报送", 3, "F") and "32767" in error.message


def test_a_huge_cell_is_refused_without_being_read_into_memory():
    huge = 40 * 1024 * 1024  # 40 MB of text in one cell, about 40 KB compressed
    data = _with_note("x" * huge)
    tracemalloc.start()
    try:
        error = _refused(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (error.sheet, error.row, error.column) == ("报送", 3, "F")
    assert peak < huge / 8  # the cell's text was never held whole


def test_a_part_over_the_size_limit_is_refused_by_its_sheet_before_it_is_read(monkeypatch):
    items = [{**_items("")["报送"][0], "信息编号": f"DL-{i}"} for i in range(300)]
    data = ledger_bytes({"单位": UNITS, "报送": items})
    monkeypatch.setattr(ledger, "MAX_PART_BYTES", 20_000)  # the other parts stay under it, 报送 does not
    monkeypatch.setattr(ledger, "open_workbook", lambda *args: pytest.fail("the workbook was opened"))
    error = _refused(data)
    assert error.sheet == "报送" and "工作表“报送”解压后超过 20000 字节的上限" in error.message
