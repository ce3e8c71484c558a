"""The award workbook of a finalized year (INTERFACES.md, the year-end award lists), and each list as CSV.

Two layouts of the same lists. The award workbook that `export_awards` writes and the page offers first is
read by programs (INTERFACES.md): row 1 the title, row 2 the header, then only data rows, the sequence in
the 序列 column. The official layout is the list as the office sends it (HARBIN.md): the issuing office, the
title, the document number and date, then the header, the unit rows grouped under sequence headings
(一、区政府序列 …) in the office's order. The CSV lists have no heading rows.
"""

from __future__ import annotations

from itertools import groupby

from awards.eligibility import picked_candidates, picked_ids
from awards.models import AwardKind, YearResult
from awards.standings import Standing, in_rank_order, standings, tier_units
from core.assessment import Tier
from core.dates import cn_date
from exports import Heading, Report, render_xlsx
from units.models import Sequence

ISSUER = "哈尔滨市人民政府办公厅"
NUMERALS = "一二三四五六七八九十"

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


def document_number(result: YearResult) -> str:
    """The year's award notice continues the office's information-notice series after the twelve monthly
    bulletins (哈政办信通〔2024〕1–12号); a corrected version takes the next number."""
    return f"哈政办信通〔{result.year}〕{12 + result.version}号"


def document_line(result: YearResult) -> str:
    return f"{document_number(result)}　{cn_date(result.finalized_at)}"


def _report(result: YearResult, slug: str, header: tuple[str, ...], rows: list, official: bool, **kw) -> Report:
    office = {"issuer": ISSUER, "subtitle": document_line(result)} if official else {}
    return Report(title=list_title(result.year, slug), header=header, rows=rows, sheet_name=LISTS[slug][0], **office, **kw)


def _grouped(units: list[Standing], row, official: bool) -> list:
    """Rows numbered on through the list; in the official layout under a heading per sequence (一、区政府序列 …).
    The units come in the office's sequence order already (in_rank_order)."""
    rows: list = []
    number = 0
    for index, (sequence, group) in enumerate(groupby(units, key=lambda s: s.sequence)):
        if official:
            rows.append(Heading(f"{NUMERALS[index]}、{Sequence(sequence).label}序列"))
        for s in group:
            number += 1
            rows.append(row(number, s))
    return rows


def _unit_rows(result: YearResult, tier: str, official: bool) -> list:
    return _grouped(tier_units(standings(result.data), tier),
                    lambda n, s: [n, s.sequence_label, s.name, s.total, s.rank], official)


def _ranking_rows(result: YearResult, official: bool) -> list:
    return _grouped(in_rank_order(standings(result.data)), lambda n, s: [
        n, s.sequence_label, s.name, "是" if s.ranked else "否", s.basic, s.reporting, s.adoption,
        s.instruction, s.total, s.rank, s.tier_label, s.remark,
    ], official)


def _person_rows(result: YearResult, kind: str) -> list[list]:
    picked = picked_candidates(result, kind, picked_ids(result.year)[kind])
    return [[n, c.name, c.unit, c.post] for n, c in enumerate(picked, start=1)]


def _research_rows(result: YearResult) -> list[list]:
    picked = picked_candidates(result, AwardKind.RESEARCH, picked_ids(result.year)[AwardKind.RESEARCH])
    return [[n, c.name, c.unit, c.reason, c.score] for n, c in enumerate(picked, start=1)]


def award_report(result: YearResult, slug: str, official: bool = False) -> Report:
    """One list of the year's awards; the individual lists hold the administrator's picks."""
    if slug in Tier.values:
        return _report(result, slug, UNIT_HEADER, _unit_rows(result, slug, official), official, widths=(6, 14, 36, 10, 8))
    if slug in (AwardKind.ORGANIZER, AwardKind.OFFICER):
        return _report(result, slug, PERSON_HEADER, _person_rows(result, slug), official, widths=(6, 14, 36, 24))
    if slug == AwardKind.RESEARCH:
        return _report(result, slug, RESEARCH_HEADER, _research_rows(result), official, widths=(6, 40, 24, 60, 8),
                       landscape=True)
    return _report(result, slug, RANKING_HEADER, _ranking_rows(result, official), official, landscape=True)


def award_workbook(result: YearResult, official: bool = False) -> bytes:
    return render_xlsx([award_report(result, slug, official) for slug in LISTS])


def workbook_filename(result: YearResult, official: bool = False) -> str:
    kind = "正式名单" if official else "评比名单"
    return f"{result.year}年度政务信息工作{kind}（第{result.version}版）.xlsx"
