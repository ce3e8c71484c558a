"""The award workbook of a finalized year (INTERFACES.md, the year-end award lists), and each list as CSV.

Machines read these sheets: row 1 is the title, row 2 the header, then only data rows; the unit sheets
carry the sequence in the 序列 column instead of subtitle rows.
"""

from __future__ import annotations

from awards.eligibility import candidates
from awards.models import AwardKind, YearResult
from awards.standings import in_rank_order, standings, tier_units
from core.assessment import Tier
from exports import Report, render_xlsx

UNIT_HEADER = ("序号", "序列", "单位名称", "总分", "名次")
PERSON_HEADER = ("序号", "姓名", "单位", "职务")
RESEARCH_HEADER = ("序号", "信息标题", "单位", "采用及批示情况", "得分")
RANKING_HEADER = (
    "序号", "序列", "单位名称", "参加评比", "基础工作", "报送工作", "采用得分", "批示得分", "总分", "名次", "等次", "备注",
)

# slug -> (sheet name, the document the title names), in the workbook's order.
LISTS: dict[str, tuple[str, str]] = {
    Tier.MODEL: (Tier.MODEL.label, f"{Tier.MODEL.label}名单"),
    Tier.ADVANCED: (Tier.ADVANCED.label, f"{Tier.ADVANCED.label}名单"),
    "organizer": ("优秀组织者", "优秀组织者名单"),
    "officer": ("优秀信息员", "优秀信息员名单"),
    "research": ("优秀调研信息", "优秀调研信息名单"),
    "ranking": ("全部排名", "考核排名"),
}


def list_title(year: int, slug: str) -> str:
    return f"{year}年度全市政府系统政务信息工作{LISTS[slug][1]}"


def _report(result: YearResult, slug: str, header: tuple[str, ...], rows: list[list], **kw) -> Report:
    return Report(title=list_title(result.year, slug), header=header, rows=rows, sheet_name=LISTS[slug][0], **kw)


def _unit_rows(result: YearResult, tier: str) -> list[list]:
    units = tier_units(standings(result.data), tier)
    return [[n, s.sequence_label, s.name, s.total, s.rank] for n, s in enumerate(units, start=1)]


def _ranking_rows(result: YearResult) -> list[list]:
    rows = []
    for n, s in enumerate(in_rank_order(standings(result.data)), start=1):
        rows.append([
            n, s.sequence_label, s.name, "是" if s.ranked else "否", s.basic, s.reporting, s.adoption,
            s.instruction, s.total, s.rank, s.tier_label, s.remark,
        ])
    return rows


def _person_rows(result: YearResult, kind: str) -> list[list]:
    picked = [c for c in candidates(result, kind) if c.picked]
    return [[n, c.name, c.unit, c.post] for n, c in enumerate(picked, start=1)]


def _research_rows(result: YearResult) -> list[list]:
    picked = [c for c in candidates(result, AwardKind.RESEARCH) if c.picked]
    return [[n, c.name, c.unit, c.reason, c.score] for n, c in enumerate(picked, start=1)]


def award_report(result: YearResult, slug: str) -> Report:
    """One list of the year's awards; the individual lists hold the administrator's picks."""
    if slug in Tier.values:
        return _report(result, slug, UNIT_HEADER, _unit_rows(result, slug), widths=(6, 14, 36, 10, 8))
    if slug in (AwardKind.ORGANIZER, AwardKind.OFFICER):
        return _report(result, slug, PERSON_HEADER, _person_rows(result, slug), widths=(6, 14, 36, 24))
    if slug == AwardKind.RESEARCH:
        return _report(result, slug, RESEARCH_HEADER, _research_rows(result), widths=(6, 40, 24, 60, 8), landscape=True)
    return _report(result, slug, RANKING_HEADER, _ranking_rows(result), landscape=True)


def award_workbook(result: YearResult) -> bytes:
    return render_xlsx([award_report(result, slug) for slug in LISTS])


def workbook_filename(result: YearResult) -> str:
    return f"{result.year}年度政务信息工作评比名单（第{result.version}版）.xlsx"
