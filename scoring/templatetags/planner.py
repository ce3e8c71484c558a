"""The target planner's words (scoring.planner): `{{ gap|adoptions_equivalent }}`, `{{ code|sequence_label }}`,
`{% planner_cell plans score %}`."""

from __future__ import annotations

from django import template

from scoring import planner
from scoring.engine import Plan, TierGap, UnitScore
from units.models import Sequence

register = template.Library()


@register.filter
def sequence_label(code: str) -> str:
    return Sequence(code).label


@register.filter
def adoptions_equivalent(gap: TierGap) -> str:
    return planner.equivalents(gap)


@register.filter
def adoption_equivalent_short(gap: TierGap) -> str:
    """The cheapest way only, for a ranking cell."""
    return planner.equivalents(gap, planner.KINDS_SHOWN[:1])


@register.inclusion_tag("scoring/_planner_cell.html")
def planner_cell(plans: dict[int, Plan], score: UnitScore) -> dict:
    return {"plan": plans.get(score.facts.unit_id)}
