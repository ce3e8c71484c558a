"""The award workbook read back sheet by sheet, and the CSV of each list (INTERFACES.md, HARBIN.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from awards.exports import LISTS, award_report, award_workbook
from awards.models import AwardKind
from awards.services import finalize_year, pick_award
from exports import render_csv
from tests.factories import make_adoption, make_person, make_scored_unit, make_submission, shanghai
from units.models import PersonRole, Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024
SHEETS = ["标兵单位", "先进单位", "优秀组织者", "优秀信息员", "优秀调研信息", "全部排名"]


@pytest.fixture
def finalized():
    """Districts 1–2 model, 3 advanced; counties 1–3 model, 4 advanced; one bureau; one unranked unit."""
    districts = [make_scored_unit(Sequence.DISTRICT, n, name=f"区{n}") for n in (3, 9, 5)]
    counties = [make_scored_unit(Sequence.COUNTY, n, name=f"县{n}") for n in (4, 8, 6, 2)]
    bureau = make_scored_unit(Sequence.BUREAU, 1, name="=市统计局")  # formula-like text
    make_scored_unit(Sequence.BUREAU, 7, name="参照大学", is_ranked=False)
    leader = make_person(districts[1], role=PersonRole.LEADER_IN_CHARGE, name="张三", post="副区长")
    officer = make_person(counties[3], role=PersonRole.INFORMATION_OFFICER, name="-李四", post="科员")
    item = make_submission(counties[1], title="关于冰雪旅游的调研", info_type="large_research", submitted_at=shanghai(YEAR, 2, 1))
    make_adoption(item, level="city", adoption_type="large_research", adopted_on=dt.date(YEAR, 2, 20))
    result = finalize_year(YEAR)
    for kind, target in ((AwardKind.ORGANIZER, leader), (AwardKind.OFFICER, officer), (AwardKind.RESEARCH, item)):
        pick_award(YEAR, kind, target.pk)
    return result, districts, counties, bureau


HEADER_ROW = 4  # official layout: the issuing office, the title, the document number and date, then the header


def rows(ws, header_row: int = HEADER_ROW) -> list[list]:
    """The data rows, without the sequence headings (a heading's 序号 cell holds its text)."""
    return [list(r) for r in ws.iter_rows(min_row=header_row + 1, values_only=True) if not isinstance(r[0], str)]


def headings(ws) -> list[str]:
    return [r[0] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if isinstance(r[0], str)]


def test_the_workbook_programs_read_has_title_header_then_only_data_rows(finalized):
    result, *_ = finalized
    wb = load_workbook(io.BytesIO(award_workbook(result)))
    assert wb.sheetnames == SHEETS
    model = wb["标兵单位"]
    assert model["A1"].value == f"{YEAR}年度全市政府系统政务信息工作标兵单位名单"
    assert [c.value for c in model[2]] == ["序号", "序列", "单位名称", "总分", "名次"]
    data = [list(r) for r in model.iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[1], r[2], r[4]) for r in data] == [
        (1, "区政府", "区9", 1), (2, "区政府", "区5", 2),
        (3, "县(市)政府", "县8", 1), (4, "县(市)政府", "县6", 2), (5, "县(市)政府", "县4", 3),
        (6, "委办局", "=市统计局", 1),
    ]
    totals = {u["unit"]: u["total"] for u in result.data["units"]}
    assert all(r[3] == pytest.approx(totals[r[2]]) for r in data)
    assert model.freeze_panes == "A3"
    for name in SHEETS:
        assert wb[name]["A1"].value.startswith(f"{YEAR}年度")
        assert all(not isinstance(r[0], str) for r in wb[name].iter_rows(min_row=3, values_only=True))


def test_official_layout_sheets_titles_headers_and_rows(finalized):
    result, districts, counties, bureau = finalized
    wb = load_workbook(io.BytesIO(award_workbook(result, official=True)))

    assert wb.sheetnames == SHEETS
    model = wb["标兵单位"]
    assert model["A1"].value == "哈尔滨市人民政府办公厅"
    assert model["A2"].value == f"{YEAR}年度全市政府系统政务信息工作标兵单位名单"
    finalized_on = timezone.localtime(result.finalized_at).date()
    assert model["A3"].value == (f"哈政办信通〔{YEAR}〕13号　"
                                 f"{finalized_on.year}年{finalized_on.month}月{finalized_on.day}日")
    assert {"A1:E1", "A2:E2", "A3:E3"} <= {str(r) for r in model.merged_cells.ranges}
    assert [c.value for c in model[HEADER_ROW]] == ["序号", "序列", "单位名称", "总分", "名次"]
    # Grouped under sequence headings in office order, each by rank; the 序列 column stays on every row.
    assert headings(model) == ["一、区政府序列", "二、县(市)政府序列", "三、委办局序列"]
    assert model.cell(row=HEADER_ROW + 1, column=1).value == "一、区政府序列"
    assert f"A{HEADER_ROW + 1}:E{HEADER_ROW + 1}" in {str(r) for r in model.merged_cells.ranges}
    assert [(r[0], r[1], r[2], r[4]) for r in rows(model)] == [
        (1, "区政府", "区9", 1), (2, "区政府", "区5", 2),
        (3, "县(市)政府", "县8", 1), (4, "县(市)政府", "县6", 2), (5, "县(市)政府", "县4", 3),
        (6, "委办局", "=市统计局", 1),
    ]
    assert [(r[1], r[2], r[4]) for r in rows(wb["先进单位"])] == [("区政府", "区3", 3), ("县(市)政府", "县2", 4)]
    assert rows(wb["优秀组织者"]) == [[1, "张三", "区9", "副区长"]]
    assert headings(wb["先进单位"]) == ["一、区政府序列", "二、县(市)政府序列"]
    assert [c.value for c in wb["优秀组织者"][HEADER_ROW]] == ["序号", "姓名", "单位", "职务"]
    assert rows(wb["优秀信息员"]) == [[1, "-李四", "县2", "科员"]]
    research = wb["优秀调研信息"]
    assert [c.value for c in research[HEADER_ROW]] == ["序号", "信息标题", "单位", "采用及批示情况", "得分"]
    [(n, title, unit, story, score)] = rows(research)
    assert (n, title, unit, score) == (1, "关于冰雪旅游的调研", "县8", 5) and "市采用（大型调研" in story
    for name in SHEETS:
        assert wb[name]["A2"].value.startswith(f"{YEAR}年度") and wb[name]["A1"].value == "哈尔滨市人民政府办公厅"


def test_all_ranking_sheet_lists_every_unit_with_its_parts(finalized):
    result, *_ = finalized
    ws = load_workbook(io.BytesIO(award_workbook(result, official=True)))["全部排名"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[:3] == ["序号", "序列", "单位名称"]
    assert {"基础工作", "报送工作", "采用得分", "批示得分", "总分", "名次", "等次"} <= set(header)
    data = {r[2]: dict(zip(header, r, strict=True)) for r in rows(ws)}
    assert len(data) == len(result.data["units"]) == 9
    assert data["参照大学"]["名次"] is None and data["参照大学"]["参加评比"] == "否" and data["参照大学"]["等次"] in ("", None)
    assert data["区9"]["等次"] == "标兵单位" and data["区3"]["等次"] == "先进单位"
    snapshot = {u["unit"]: u for u in result.data["units"]}
    assert data["区9"]["总分"] == pytest.approx(snapshot["区9"]["total"])
    assert data["区9"]["基础工作"] == pytest.approx(40)


def test_official_look_and_formula_like_text_stays_text(finalized):
    result, *_ = finalized
    wb = load_workbook(io.BytesIO(award_workbook(result, official=True)))
    for ws in wb:
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert "&P" in ws.oddFooter.center.text
        header = ws.cell(row=HEADER_ROW, column=1)
        assert header.border.left.style == "thin" and header.font.bold
        assert ws.column_dimensions["B"].width > 5
    cell = next(c for row in wb["标兵单位"].iter_rows(min_row=HEADER_ROW + 1) for c in row if c.value == "=市统计局")
    assert cell.data_type == "s"
    officers = wb["优秀信息员"].iter_rows(min_row=HEADER_ROW + 1)
    assert next(c for row in officers for c in row if c.value == "-李四").data_type == "s"


def test_csv_of_each_list(finalized):
    result, *_ = finalized
    for slug in LISTS:
        text = render_csv(award_report(result, slug)).decode("utf-8")
        assert text.startswith("\ufeff")
        table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert table[0][0] == "序号"
    model = list(csv.reader(io.StringIO(render_csv(award_report(result, "model")).decode("utf-8-sig"))))
    assert ["6", "委办局", "'=市统计局"] == model[-1][:3]


def test_command_export_awards_writes_the_latest_versions_workbook(finalized, tmp_path):
    result, districts, *_ = finalized
    item = make_submission(districts[0], submitted_at=shanghai(YEAR, 9, 1))
    make_adoption(item, level="state", adoption_type="research", adopted_on=dt.date(YEAR, 9, 2))
    finalize_year(YEAR, reason="补录国务院采用")
    target = tmp_path / "awards.xlsx"

    call_command("export_awards", "--year", str(YEAR), "--output", str(target), stdout=io.StringIO())

    wb = load_workbook(target)
    assert wb.sheetnames == SHEETS
    # District "区3" earned 20 more points in version 2 and leads its sequence now.
    assert rows(wb["标兵单位"], header_row=2)[0][2] == "区3"
