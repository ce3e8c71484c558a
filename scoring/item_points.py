"""The points of one item's adoptions and instructions, for the item page.

The item page belongs to `submissions`, which sits below `scoring`: it asks for these numbers through the
template tag `{% item_points item as points %}` (scoring/templatetags/item_points.py), so that `submissions`
never imports `scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.assessment import Period
from scoring.engine import ADOPTIONS, INSTRUCTIONS, fact_points, highest_adoption_level, is_outranked, round2
from scoring.rules import Rules
from scoring.services import rules_for_year
from submissions.models import Adoption, LeaderInstruction, Submission


@dataclass
class PointsRow:
    fact: Adoption | LeaderInstruction
    points: Decimal
    share: Decimal | None  # the per-unit share of a joint item (RULES.md decision 10)
    superseded: bool = False  # decision 8 set to "highest level only": a higher level's adoption earns instead


@dataclass
class ItemPoints:
    adoptions: list[PointsRow]
    instructions: list[PointsRow]


def _points_rows(item: Submission, facts: list, source: str, kind: str, date: str, rules_by_year: dict[int, Rules],
                 adoptions: list[Adoption]) -> list[PointsRow]:
    """Each fact's points under the rules and in the period of the calendar year of its own date (RULES.md
    decision 1): the year's assessment is where it counts."""
    rows = []
    for fact in facts:
        year = getattr(fact, date).year
        if year not in rules_by_year:
            rules_by_year[year] = rules_for_year(year).rules()
        rules = rules_by_year[year]
        top_level = highest_adoption_level(((a.level, a.adopted_on) for a in adoptions), Period(year))
        value = fact_points(rules, source, fact.level, getattr(fact, kind), 1, top_level)
        share = fact_points(rules, source, fact.level, getattr(fact, kind), item.unit_count, top_level)
        split = rules.joint_split and item.unit_count > 1
        rows.append(PointsRow(fact, round2(value), round2(share) if split else None, is_outranked(fact.level, top_level, rules)))
    return rows


def item_points(item: Submission) -> ItemPoints:
    rules_by_year: dict[int, Rules] = {}
    adoptions = list(item.adoptions.select_related("created_by"))
    instructions = list(item.instructions.select_related("created_by"))
    return ItemPoints(
        adoptions=_points_rows(item, adoptions, ADOPTIONS, "adoption_type", "adopted_on", rules_by_year, adoptions),
        instructions=_points_rows(item, instructions, INSTRUCTIONS, "kind", "instructed_on", rules_by_year, adoptions),
    )
