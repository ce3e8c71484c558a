"""The ranking's tables (scoring.views.ranking), rendered as little as the data allows.

Readers of every unit see a thousand rows, the same for each of them: rendered once per state of the data
(`units.versioning.cached`). After a write the next rendering starts from the last one (`all_units(report,
before)`): a sequence whose scores are all the same objects (`scoring.engine.rescore` shares the unchanged
ones) keeps its table; in the others a unit keeps its plan while its score and its sequence's standing are the
same, and each row's HTML is kept by everything the row shows. An officer sees their own row only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.assessment import Tier
from core.charts import BarChart, bar_chart
from scoring import planner
from scoring.engine import Plan, Standing, UnitScore, sequence_plans
from scoring.exports import by_sequence, period_label
from scoring.services import ScoreReport
from units.models import Sequence

_row_html: dict[tuple, SafeString] = {}
ROW_HTML_KEPT = 20_000
_charts_kept: dict[tuple, BarChart] = {}
CHARTS_KEPT = 64


@dataclass(frozen=True)
class SequenceTable:
    sequence: Sequence
    rows: list[UnitScore]  # as rendered, best rank first
    standing: Standing
    plans: dict[int, Plan]
    row_html: dict[int, SafeString]  # by unit id
    html: SafeString


@dataclass(frozen=True)
class Tables:
    report: ScoreReport
    sequences: tuple[SequenceTable, ...]

    @property
    def html(self) -> SafeString:
        return _joined(table.html for table in self.sequences)


def all_units(report: ScoreReport, before: Tables | None = None) -> Tables:
    """Every sequence's table with its chart; `before`: the tables of an earlier state of the same ranking."""
    kept = {table.sequence: table for table in before.sequences} if before else {}
    today, tables = timezone.localdate(), []
    for sequence, rows in by_sequence(report.scores):
        if not rows:
            continue
        old = kept.get(sequence)
        unchanged = old and len(old.rows) == len(rows) and all(a is b for a, b in zip(old.rows, rows, strict=True))
        if unchanged and old.standing.today == today:
            tables.append(old)
            continue
        standing, plans = sequence_plans(rows, report.period, report.rules, today,
                                         (old.standing, old.plans) if old else None)
        old_scores = {s.facts.unit_id: s for s in old.rows} if old else {}
        row_html = {}
        for s in rows:  # a row is the same where its score and its plan are the same objects
            pk = s.facts.unit_id
            same = old_scores.get(pk) is s and old.plans[pk] is plans[pk]
            row_html[pk] = old.row_html[pk] if same else _row(report, None, s, plans[pk])
        chart = _chart(sequence, rows, period_label(report.period.through))
        tables.append(SequenceTable(sequence, rows, standing, plans, row_html,
                                    _section(report, sequence, row_html.values(), chart)))
    return Tables(report, tuple(tables))


def own_row(report: ScoreReport, unit_id: int) -> SafeString:
    """An officer's view: their unit's row, its planner made from its own sequence only."""
    own = next(s for s in report.scores if s.facts.unit_id == unit_id)
    return _section(report, own.facts.sequence, [_row(report, unit_id, own, planner.plan_of(report, unit_id))], None)


def _joined(parts) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - each part rendered by a template, escaped there


def _section(report: ScoreReport, sequence: Sequence, rows: Iterable[SafeString], chart: BarChart | None) -> SafeString:
    return mark_safe(render_to_string("scoring/_ranking_sequence.html",  # noqa: S308 - escaped by the template
                                      {"sequence": sequence, "report": report, "chart": chart, "rows": _joined(rows)}))


def _row(report: ScoreReport, own_unit_id: int | None, s: UnitScore, plan: Plan | None) -> SafeString:
    """One row (_ranking_row.html), kept by everything it shows."""
    shown = (s.basic, s.quota, s.urgent, s.special, s.research, s.reporting_total, s.adoption, s.instruction, s.total)
    # str: Decimal("1.5") == Decimal("1.50"), shown apart
    key = (report.period.year, report.period.through, own_unit_id, s.facts.unit_id, s.facts.name, s.facts.ranked,
           s.rank, s.tie_flag, s.tier, s.barred, *map(str, shown), _planner_shown(plan))
    html = _row_html.get(key)
    if html is None:
        if len(_row_html) >= ROW_HTML_KEPT:
            _row_html.clear()
        row = render_to_string("scoring/_ranking_row.html", {"s": s, "report": report, "own_unit_id": own_unit_id,
                                                              "plan": plan})
        html = _row_html[key] = mark_safe(row)  # noqa: S308 - rendered by the template, escaped there
    return html


def _planner_shown(plan: Plan | None) -> tuple:
    """What the row's planner cell (_planner_cell.html) shows: it moves when another unit's total moves a tier's
    last place, so it is part of the row's key."""
    if plan is None or not plan.eligible:
        return ()
    gap = plan.gaps[0] if plan.gaps else None
    nearest = (gap.tier, str(gap.gap), tuple(gap.adoptions)) if gap else ()
    return (*nearest, str(plan.lead), plan.items_needed)


def _chart(sequence: Sequence, rows: list[UnitScore], period: str) -> BarChart:
    """A sequence's ranked units by total, best first, with a line after the last place of each tier. Kept by
    what it shows."""
    ranked = [s for s in rows if s.rank is not None]
    key = (sequence, period, tuple((s.facts.name, s.total, s.rank, s.tier) for s in ranked))
    chart = _charts_kept.get(key)
    if chart is None:
        last = {tier: max((i for i, s in enumerate(ranked) if s.tier == tier), default=None) for tier in Tier}
        marks = [(i, f"{tier.label}至第{ranked[i].rank}名") for tier, i in last.items() if i is not None]
        if len(_charts_kept) >= CHARTS_KEPT:
            _charts_kept.clear()
        chart = _charts_kept[key] = bar_chart(f"{sequence.label}序列总分（{period}）", [s.facts.name for s in ranked],
                                              [s.total for s in ranked], horizontal=True, marks=marks)
    return chart
