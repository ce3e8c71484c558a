"""The ranking as a workbook: the same tables as the ranking page, one sheet per sequence.

`ranking_reports` is shared by the page's download and `manage.py scores --format xlsx`.
"""

from __future__ import annotations

from decimal import Decimal

from exports import Report
from scoring.engine import UnitScore
from scoring.services import ScoreReport
from units.models import Sequence

RANKING_HEADER = (
    "名次", "单位名称", "基础工作", "定额报送", "紧急信息", "专约报送", "调研信息", "报送工作小计",
    "采用加分", "批示加分", "总分", "等次", "备注",
)


def by_sequence(scores: list[UnitScore]) -> list[tuple[Sequence, list[UnitScore]]]:
    """Scores per sequence in the office's order of sequences, best rank first; units not ranked last."""
    groups = []
    for sequence in Sequence:
        members = [s for s in scores if s.facts.sequence == sequence]
        # sorted() is stable: units with the same rank (and unranked units) keep the office order.
        groups.append((sequence, sorted(members, key=lambda s: (s.rank is None, s.rank or 0))))
    return groups


def period_title(report: ScoreReport) -> str:
    period = report.period
    return f"{period.year}年1月至{period.through}月" if period.through < 12 else f"{period.year}年度"


def period_label(through: int) -> str:
    """Said next to every total, so that the year so far and the whole year are never read as one figure:
    the ranking runs to a month, the year's result counts the whole year (quotas pro rata, Art. 6)."""
    if through == 12:
        return "全年（按比例）"
    return f"1–{through}月累计" if through > 1 else "1月"


def remark(ranked: bool, basic_missing: bool, barred: bool, tie_flag: bool) -> str:
    """Why a unit's line needs a second look: shared by the provisional ranking and the finalized lists."""
    notes = []
    if not ranked:
        notes.append("参照考核，不参加评比")
    if basic_missing:
        notes.append("基础工作未考核")
    if barred:
        notes.append("有瞒报，不参加评先")
    if tie_flag:
        notes.append("并列跨越等次分界，请复核")
    return "；".join(notes)


def _note(score: UnitScore) -> str:
    return remark(score.facts.ranked, score.basic is None, score.barred, score.tie_flag)


def ranking_row(score: UnitScore) -> list[object]:
    basic: Decimal | str = "未考核" if score.basic is None else score.basic
    return [
        score.rank if score.rank is not None else "—", score.facts.name, basic,
        score.quota, score.urgent, score.special, score.research, score.reporting_total,
        score.adoption, score.instruction, score.total, score.tier.label if score.tier else "", _note(score),
    ]


def ranking_reports(report: ScoreReport) -> list[Report]:
    period = report.period
    subtitle = f"考核规则：{report.rule_set_name}　数据截至{period.year}年{period.through}月（年度结果确定前为暂定排名）"
    return [
        Report(
            title=f"{period_title(report)}全市政府系统政务信息工作考核排名（{sequence.label}序列）",
            subtitle=subtitle,
            header=RANKING_HEADER,
            rows=[ranking_row(s) for s in scores],
            sheet_name=f"{sequence.label}序列",
            landscape=True,
        )
        for sequence, scores in by_sequence(report.scores)
    ]
