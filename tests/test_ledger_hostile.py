"""Files that are not a valid ledger: each gets a clear Chinese error, in bounded time and memory, and writes nothing
(INTERFACES.md: "a renamed CSV, a truncated file, a zip bomb, 100,000 empty rows")."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from scoring import ledger
from scoring.ledger import LedgerInvalid, import_ledger
from submissions.models import Submission
from tests.factories import counts
from tests.ledger_builder import BASE, ledger_bytes, rezipped
from units.models import Unit

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SHEET1 = "xl/worksheets/sheet1.xml"


def refused(data: bytes) -> str:
    """Load `data`, which must be refused with one clear message and write nothing."""
    before = counts()
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(io.BytesIO(data))
    assert counts() == before
    messages = [e.message for e in caught.value.errors]
    assert messages and all(CHINESE.search(m) for m in messages), messages
    return " ".join(messages)


def units_workbook() -> bytes:
    """A workbook whose first sheet is 单位, so sheet1.xml is its rows."""
    return ledger_bytes({"单位": BASE["单位"]})


def test_a_renamed_csv():
    csv = "单位名称,序列\n道里区,区政府\n".encode("utf-8-sig")
    assert "不是有效的 xlsx" in refused(csv)


def test_a_truncated_workbook():
    data = ledger_bytes(BASE)
    for cut in (len(data) // 2, len(data) - 10, 100):
        assert "不是有效的 xlsx" in refused(data[:cut])


def test_random_bytes():
    assert "不是有效的 xlsx" in refused(random.Random(4).randbytes(50_000))


def test_random_bytes_after_a_zip_signature():
    assert "不是有效的 xlsx" in refused(b"PK\x03\x04" + random.Random(5).randbytes(50_000))


def test_an_empty_file():
    assert "不是有效的 xlsx" in refused(b"")


def test_a_zip_without_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    assert "xl/workbook.xml" in refused(out.getvalue())


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_anything_is_decompressed(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(SHEET1, "w") as member:  # 64 MB of zeros, about 64 KB compressed
            zeros = bytes(1 << 20)
            for _ in range(64):
                member.write(zeros)
    data = out.getvalue()
    assert len(data) < 200_000

    def no_decompressing(*args, **kwargs):
        raise AssertionError("the bomb was opened")

    open_member = zipfile.ZipFile.open

    def open_all_but_the_bomb(archive, name, *args, **kwargs):
        if getattr(name, "filename", name) == SHEET1:
            no_decompressing()
        return open_member(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_all_but_the_bomb)
    monkeypatch.setattr(ledger, "open_workbook", no_decompressing)
    assert "压缩炸弹" in refused(data)


def test_a_zip_whose_directory_claims_more_than_the_uncompressed_limit(monkeypatch):
    # Many members that each stay under the per-member check still add up to too much.
    monkeypatch.setattr(ledger, "MAX_UNCOMPRESSED_BYTES", 1 << 20)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(3):
            archive.writestr(f"xl/media/image{i}.bin", bytes(512 * 1024))
    assert "过大" in refused(out.getvalue())


def test_a_file_over_the_size_limit():
    data = ledger_bytes(BASE)
    message = refused_with_limit(data, max_bytes=len(data) - 1)
    assert "上限" in message
    assert " 0 MB" not in message  # the limit is said in a unit that makes sense for it


def refused_with_limit(data: bytes, max_bytes: int) -> str:
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(io.BytesIO(data), max_bytes=max_bytes)
    return caught.value.errors[0].message


def test_a_file_at_the_size_limit_is_read():
    data = ledger_bytes(BASE)
    import_ledger(io.BytesIO(data), max_bytes=len(data))
    assert Submission.objects.count() == 3


@pytest.mark.parametrize("where", [0.05, 0.5, 0.9])
def test_a_damaged_sheet_inside_an_intact_zip_directory(where):
    units = [{"单位名称": f"单位{i}", "序列": "委办局"} for i in range(3000)]
    # As Excel writes it, with the sheet's dimension first: openpyxl then reads the rows only when asked.
    data = rezipped(
        ledger_bytes({"单位": units}),
        lambda name, content: (
            content.replace(b"<sheetViews>", b'<dimension ref="A1:B3001"/><sheetViews>') if name == SHEET1 else content
        ),
    )
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET1)
    # The member's compressed bytes start after its local header (30 bytes, its name and extra field).
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    damaged = start + int(info.compress_size * where)
    for i in range(damaged, damaged + 40):
        data[i] ^= 0x5A
    assert "损坏" in refused(bytes(data))


def test_a_sheet_that_is_not_xml():
    data = rezipped(units_workbook(), lambda name, content: b"\x00not xml<<<" if name == SHEET1 else content)
    assert "损坏" in refused(data)


def test_a_workbook_whose_sheet_part_is_missing_reads_no_facts_of_that_sheet():
    # openpyxl drops a sheet whose part is missing; the sheet is then "not there": no facts of that kind.
    data = rezipped(ledger_bytes(BASE), lambda name, content: None if name == SHEET1 else content)
    try:
        import_ledger(io.BytesIO(data))
    except LedgerInvalid as invalid:
        assert all(CHINESE.search(e.message) for e in invalid.errors)
    assert not Unit.objects.exists()


def test_a_workbook_whose_workbook_part_is_garbage():
    data = rezipped(units_workbook(), lambda name, content: b"garbage" if name == "xl/workbook.xml" else content)
    assert "损坏" in refused(data)


def test_a_chart_sheet_named_like_a_ledger_sheet():
    workbook = Workbook()
    units = workbook.active
    units.title = "单位"
    units.append(["单位名称", "序列"])
    units.append(["道里区", "区政府"])
    chart = BarChart()
    chart.add_data(Reference(units, min_col=2, min_row=1, max_row=2))
    workbook.create_chartsheet("报送").add_chart(chart)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "图表" in refused(buffer.getvalue())
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(io.BytesIO(buffer.getvalue()))
    assert caught.value.errors[0].sheet == "报送"


def with_rows(data: bytes, rows_xml: Callable[[], str]) -> bytes:
    """The 单位 workbook with `rows_xml` placed at the end of its first sheet's rows."""

    def change(name: str, content: bytes) -> bytes:
        if name != SHEET1:
            return content
        return content.replace(b"</sheetData>", rows_xml().encode() + b"</sheetData>")

    return rezipped(data, change)


def test_a_hundred_thousand_empty_rows_are_skipped():
    base = ledger_bytes({"单位": BASE["单位"][:1]})
    first = 3

    def empty_rows() -> str:
        empty = "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t></t></is></c><c r="B{r}" s="0"/></row>'
            for r in range(first, first + 100_000)
        )
        last = first + 100_000
        return (
            empty + f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>南岗区</t></is></c>'
            f'<c r="B{last}" t="inlineStr"><is><t>区政府</t></is></c></row>'
        )

    result = import_ledger(io.BytesIO(with_rows(base, empty_rows)))
    assert result.summary["单位"]["created"] == 2
    assert set(Unit.objects.values_list("name", flat=True)) == {"道里区", "南岗区"}


def test_a_row_at_the_bottom_of_the_sheet_after_a_million_missing_rows():
    base = ledger_bytes({"单位": BASE["单位"][:1]})
    last = 1_048_576
    data = with_rows(
        base,
        lambda: (
            f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>南岗区</t></is></c>'
            f'<c r="B{last}" t="inlineStr"><is><t>区政府</t></is></c></row>'
        ),
    )
    try:
        import_ledger(io.BytesIO(data))
    except LedgerInvalid as invalid:  # refusing is fine, as long as it is a clear message and nothing is written
        assert all(CHINESE.search(e.message) for e in invalid.errors)
        assert not Unit.objects.exists()
    else:
        assert Unit.objects.count() == 2


def test_a_row_wider_than_any_sheet_is_bounded():
    base = ledger_bytes({"单位": BASE["单位"][:1]})
    cells = "".join(f'<c r="{col}3" t="n"><v>1</v></c>' for col in ("A", "XFD"))
    data = with_rows(base, lambda: f'<row r="3">{cells}</row>')
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(io.BytesIO(data))
    assert ("单位", 3, "序列") in {(e.sheet, e.row, e.column) for e in caught.value.errors}


def test_the_command_reports_a_hostile_file_as_an_error(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes("单位名称,序列\n".encode())
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(path), stderr=stderr)
    assert "不是有效的 xlsx" in stderr.getvalue()


def test_the_limits_admit_real_ledgers(settings):
    # INTERFACES.md: the command accepts at least 1,000,000 rows in all and 100 MB; the upload page 20 MB.
    assert ledger.MAX_ROWS >= 1_000_000
    assert ledger.MAX_FILE_BYTES >= 100 * 1024 * 1024
    assert settings.LEDGER_UPLOAD_MAX_BYTES >= 20 * 1024 * 1024


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(ledger, "MAX_ROWS", 3)
    assert "上限" in refused(ledger_bytes({"单位": BASE["单位"]}))


def test_a_long_run_of_empty_rows_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(ledger, "MAX_EMPTY_ROWS", 1000)
    base = ledger_bytes({"单位": BASE["单位"][:1]})
    data = with_rows(
        base,
        lambda: "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t> </t></is></c></row>' for r in range(3, 1100))
        + '<row r="5000"><c r="A5000" t="inlineStr"><is><t>南岗区</t></is></c>'
        '<c r="B5000" t="inlineStr"><is><t>区政府</t></is></c></row>',
    )
    assert "空行" in refused(data)


def test_a_gap_in_row_numbers_costs_nothing_and_later_rows_are_read(monkeypatch):
    monkeypatch.setattr(ledger, "MAX_EMPTY_ROWS", 10)
    base = ledger_bytes({"单位": BASE["单位"][:1]})
    data = with_rows(
        base,
        lambda: '<row r="900000"><c r="A900000" t="inlineStr"><is><t>南岗区</t></is></c>'
        '<c r="B900000" t="inlineStr"><is><t>区政府</t></is></c></row>',
    )
    import_ledger(io.BytesIO(data))
    assert Unit.objects.filter(name="南岗区", sequence="district").exists()


def test_an_excel_error_value_is_read_as_an_empty_cell():
    base = ledger_bytes({"单位": BASE["单位"][:1]})
    data = with_rows(
        base,
        lambda: '<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="inlineStr"><is><t>区政府</t></is></c></row>',
    )
    assert "不能为空" in refused(data)


def test_a_conflicting_change_during_the_write_is_refused_and_rolled_back(monkeypatch):
    from django.db import IntegrityError

    real_write = ledger._write

    def write_then_conflict(*args):
        real_write(*args)
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(ledger, "_write", write_then_conflict)
    assert "他人修改" in refused(ledger_bytes({"单位": BASE["单位"]}))
