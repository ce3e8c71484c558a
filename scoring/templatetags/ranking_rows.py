"""`{% ranking_row s %}`: one row of the ranking, rendered again only when what it shows changes.

After a write to one unit the ranking is rendered again (scoring.views.ranking), but most of its thousand rows
show what they showed: their HTML is kept by everything they show (a few hundred bytes each).
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from scoring.engine import Plan, UnitScore

register = template.Library()

_row_html: dict[tuple, SafeString] = {}
ROW_HTML_KEPT = 20_000


@register.simple_tag(takes_context=True)
def ranking_row(context, s: UnitScore, plans: dict[int, Plan]) -> SafeString:
    report, own_unit_id = context["report"], context.get("own_unit_id")
    plan = plans.get(s.facts.unit_id)
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
