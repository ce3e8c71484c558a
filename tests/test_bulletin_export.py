"""The bulletin as Excel and CSV: the page's content, the official look, formula-like text kept as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bulletins.publishing import publish_bulletin
from tests.factories import OFFICE, PERSONAS, make_adoption, make_submission, make_unit, shanghai

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)
# A unit name and a title that a spreadsheet would run as formulas if written as they are.
FORMULA_UNIT = "=HYPERLINK(\"http://evil\",\"x\")"
FORMULA_TITLE = "@SUM(1+1)关于冰雪经济"


@pytest.fixture
def unit_a():
    return make_unit(name="道里区", sequence="district", display_order=1)


@pytest.fixture
def unit_b():
    return make_unit(name=FORMULA_UNIT, sequence="district", display_order=2)


@pytest.fixture
def world(unit_a, unit_b, personas):
    daoli, sneaky = unit_a, unit_b
    make_unit(name="尚志市", sequence="county")
    item = make_submission(daoli, title=FORMULA_TITLE, submitted_at=shanghai(2024, 3, 4))
    make_adoption(item, level="city", adoption_type="large_research", adopted_on=dt.date(2024, 3, 10),
                  carrier="每日要情", issue_no="第12期")
    make_submission(sneaky, title="-3度低温预警", submitted_at=shanghai(2024, 3, 6))
    publish_bulletin(MARCH, personas["staff"])
    return {"users": personas}



def rows_of(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_excel_has_the_title_headers_and_values_of_the_page(world, client_for):
    response = client_for("viewer").get(reverse("bulletins:export_xlsx", args=["2024-03"]))
    assert response.status_code == 200
    name = quote("2024年3月政务信息采用情况通报（第1版）.xlsx")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["采用情况通报", "被采用信息目录"]
    sheet = book["采用情况通报"]
    assert sheet["A1"].value == "关于2024年3月份全市政府系统政务信息采用情况的通报"
    assert "A1:O1" in {str(r) for r in sheet.merged_cells.ranges}
    assert "哈政办信通〔2024〕3号（第1版）" in sheet["A2"].value
    header = rows_of(sheet)[2]
    assert header[:5] == ["序列", "名次", "单位", "报送(本月)", "报送(累计)"]
    assert header[-2:] == ["得分(本月)", "得分(累计)"]
    rows = {row[2]: row for row in rows_of(sheet)[3:]}
    daoli = dict(zip(header, rows["道里区"], strict=True))
    # A city large-research adoption is worth 5 points (RULES.md Art. 9).
    assert daoli["序列"] == "区政府序列" and daoli["名次"] == 1 and daoli["报送(本月)"] == 1
    assert daoli["市采用(本月)"] == 1 and daoli["得分(本月)"] == 5 and daoli["得分(累计)"] == 5
    assert sheet.cell(row=4, column=header.index("得分(本月)") + 1).number_format == "0.00"
    assert rows["尚志市"][0] == "县(市)政府序列"
    # The official look: frozen header, A4.
    assert sheet.freeze_panes == "A4" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)

    directory = rows_of(book["被采用信息目录"])
    assert directory[0][0] == "附：2024年3月份被采用信息目录（按单位）"
    assert directory[1] == ["单位", "信息标题", "采用层级", "刊物及期号", "批示"]
    assert directory[2][:4] == ["道里区", FORMULA_TITLE, "市", "每日要情 第12期"]


def test_excel_keeps_formula_like_text_as_text(world, client_for):
    response = client_for("officer_a").get(reverse("bulletins:export_xlsx", args=["2024-03"]))
    book = load_workbook(io.BytesIO(response.content))
    unit_cells = [c for row in book["采用情况通报"].iter_rows() for c in row if c.value == FORMULA_UNIT]
    title_cells = [c for row in book["被采用信息目录"].iter_rows() for c in row if c.value == FORMULA_TITLE]
    assert unit_cells and title_cells
    assert all(cell.data_type == "s" for cell in unit_cells + title_cells)


def test_csv_is_utf8_with_bom_and_quotes_formula_text(world, client_for):
    response = client_for("officer_b").get(reverse("bulletins:export_csv", args=["2024-03"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序列", "名次", "单位"]
    by_unit = {row[2]: row for row in rows[1:]}
    assert "'" + FORMULA_UNIT in by_unit and by_unit["道里区"][-2:] == ["5.00", "5.00"]


def test_an_earlier_version_can_be_exported(world, client_for):
    make_submission(make_unit(sequence="county"), submitted_at=shanghai(2024, 3, 20))  # something to correct
    publish_bulletin(MARCH, None, "更正")
    client = client_for("viewer")
    first = client.get(reverse("bulletins:export_xlsx", args=["2024-03"]), {"version": "1"})
    assert "（第1版）" in load_workbook(io.BytesIO(first.content))["采用情况通报"]["A2"].value
    assert client.get(reverse("bulletins:export_xlsx", args=["2024-03"]), {"version": "9"}).status_code == 404
    assert client.get(reverse("bulletins:export_csv", args=["2024-03"]), {"version": "x"}).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["bulletins:export_xlsx", "bulletins:export_csv"])
def test_exports_by_persona(world, persona, name, client_for):
    client = client_for(persona)
    published = client.get(reverse(name, args=["2024-03"]))
    preview = client.get(reverse(name, args=["2024-03"]), {"preview": "1"})
    if persona == "anonymous":
        assert published.status_code == preview.status_code == 302
        return
    assert published.status_code == 200
    # The live, unpublished numbers are the office's: officers and viewers never see a preview.
    assert preview.status_code == (200 if persona in OFFICE else 403)


def test_preview_export_shows_the_live_numbers(world, client_for):
    make_submission(make_unit(name="新设单位"), submitted_at=shanghai(2024, 3, 9))
    client = client_for("staff")
    preview = load_workbook(io.BytesIO(
        client.get(reverse("bulletins:export_xlsx", args=["2024-03"]), {"preview": "1"}).content))["采用情况通报"]
    published = load_workbook(io.BytesIO(client.get(reverse("bulletins:export_xlsx", args=["2024-03"])).content))["采用情况通报"]
    assert "预览，未发布" in preview["A2"].value
    assert "新设单位" in [row[2] for row in rows_of(preview)]
    assert "新设单位" not in [row[2] for row in rows_of(published)]


def test_no_export_of_an_unpublished_month(world, client_for):
    assert client_for("viewer").get(reverse("bulletins:export_xlsx", args=["2024-02"])).status_code == 404
