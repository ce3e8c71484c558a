"""Formula cells in a ledger (INTERFACES.md): the cached value when the file has one, else the formula's text."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from exports import Report, render_xlsx
from scoring.ledger import LedgerInvalid, import_ledger
from submissions.models import Submission
from tests.ledger_builder import ledger_bytes, rezipped

pytestmark = pytest.mark.django_db

# An empty cached value as openpyxl writes it: `<v />`, `<v/>` or `<v></v>` depending on its XML library.
EMPTY_VALUE = "<v(?: ?/>|></v>)"
LINK = '=HYPERLINK("http://example.org/1","春耕备耕")'
UNITS = [{"单位名称": "道里区", "序列": "区政府"}]


def _items(title: str, info_type: str = "一般动态") -> bytes:
    """A ledger whose one item's 标题 (and 信息类型) are as given: openpyxl writes a "=…" text as a formula
    with no cached value (`<f>…</f><v />`), as many programs save formulas."""
    return ledger_bytes({"单位": UNITS, "报送": [
        {"信息编号": "DL-001", "单位名称": "道里区", "标题": title, "报送时间": "2024-03-01", "信息类型": info_type},
    ]})


def _sheet_xml(data: bytes, sheet: int, change) -> bytes:
    part = f"xl/worksheets/sheet{sheet}.xml"
    return rezipped(data, lambda name, content: change(content.decode()).encode() if name == part else content)


def _xml(data: bytes, sheet: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(f"xl/worksheets/sheet{sheet}.xml").decode()


def test_a_formula_without_a_cached_value_reads_as_its_text():
    data = _items(LINK)
    assert re.search(rf"<f>HYPERLINK[^<]*</f>{EMPTY_VALUE}", _xml(data, 2))  # openpyxl leaves the cached value empty
    import_ledger(io.BytesIO(data))
    assert Submission.objects.get().title == LINK


def test_a_formula_saved_without_any_value_element_reads_as_its_text():
    data = _sheet_xml(_items(LINK), 2, lambda xml: re.sub(EMPTY_VALUE, "", xml))
    import_ledger(io.BytesIO(data))
    assert Submission.objects.get().title == LINK


def test_a_formula_with_a_cached_value_reads_as_that_value():
    def cached(xml: str) -> str:  # as Excel saves it: the formula and its last result, typed as text
        for cell, value in (("C2", "春耕备耕"), ("E2", "紧急重要")):
            xml = re.sub(f'<c r="{cell}"><f>([^<]*)</f>{EMPTY_VALUE}', rf'<c r="{cell}" t="str"><f>\1</f><v>{value}</v>', xml)
        return xml

    data = _sheet_xml(_items(LINK, "=B9"), 2, cached)
    assert '<c r="E2" t="str"><f>B9</f><v>紧急重要</v>' in _xml(data, 2)
    import_ledger(io.BytesIO(data))
    item = Submission.objects.get()
    assert (item.title, item.get_info_type_display()) == ("春耕备耕", "紧急重要")


def test_a_formula_text_where_a_choice_is_wanted_is_refused_by_cell_not_as_a_damaged_sheet():
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(io.BytesIO(_items("春耕", "=IF(1,\"一般动态\")")))
    [error] = caught.value.errors
    assert (error.sheet, error.row, error.column, error.value) == ("报送", 2, "信息类型", '=IF(1,"一般动态")')
    assert "损坏" not in error.message and not Submission.objects.exists()


def test_a_shared_formula_without_cached_values_reads_as_each_cells_own_formula():
    rows = [{"信息编号": f"DL-{i}", "单位名称": "道里区", "标题": f'=A{i + 1}&"条"', "报送时间": "2024-03-01",
             "信息类型": "一般动态"} for i in range(1, 4)]
    ledger = {"单位": UNITS, "报送": rows}

    def shared(xml: str) -> str:
        # As Excel writes a filled-down formula: the text on the first cell, a reference on the others.
        xml = re.sub(r'<c r="C2"><f>', '<c r="C2"><f t="shared" ref="C2:C4" si="0">', xml)
        return re.sub(r'<c r="C([34])"><f>[^<]*</f>', r'<c r="C\1"><f t="shared" si="0"/>', xml)

    data = _sheet_xml(ledger_bytes(ledger), 2, shared)
    assert _xml(data, 2).count('<f t="shared" si="0"/>') == 2
    import_ledger(io.BytesIO(data))
    assert list(Submission.objects.order_by("ledger_no").values_list("title", flat=True)) == [
        '=A2&"条"', '=A3&"条"', '=A4&"条"',
    ]


def test_a_formula_title_is_written_as_text_again_in_an_export():
    import_ledger(io.BytesIO(_items(LINK)))
    title = Submission.objects.get().title
    workbook = load_workbook(io.BytesIO(render_xlsx([Report(title="报送", header=["标题"], rows=[[title]])])))
    cell = workbook.active.cell(row=3, column=1)
    assert (cell.value, cell.data_type) == (LINK, "s")
