"""The points of one item's adoptions and instructions, for the item page.

The item page belongs to `submissions`, which sits below `scoring`: it asks for these numbers through the
template tag `{% item_points item as points %}` (scoring/templatetags/item_points.py), so that `submissions`
never imports `scoring`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from scoring.engine import round2
from scoring.rules import LEVEL_RANK, Rules
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


def _points_rows(item: Submission, facts: list, table: Callable[[Rules], dict], kind: str, date: str,
                 rules_by_year: dict[int, Rules], outranked: set[int] = frozenset()) -> list[PointsRow]:
    """Each fact's points under the rules of the year of its own date (RULES.md decision 1)."""
    rows = []
    for fact in facts:
        year = getattr(fact, date).year
        if year not in rules_by_year:
            rules_by_year[year] = rules_for_year(year).rules()
        rules = rules_by_year[year]
        superseded = rules.highest_level_only and fact.pk in outranked
        value = Fraction(0) if superseded else table(rules)[fact.level].get(getattr(fact, kind), Fraction(0))
        split = rules.joint_split and item.unit_count > 1
        rows.append(PointsRow(fact, round2(value), round2(value / item.unit_count) if split else None, superseded))
    return rows


def _outranked(adoptions: list[Adoption]) -> set[int]:
    """Adoptions with a higher level's adoption of the same item in the same year (decision 8)."""
    return {a.pk for a in adoptions for b in adoptions
            if b.adopted_on.year == a.adopted_on.year and LEVEL_RANK[b.level] > LEVEL_RANK[a.level]}


def item_points(item: Submission) -> ItemPoints:
    rules_by_year: dict[int, Rules] = {}
    adoptions = list(item.adoptions.select_related("created_by"))
    instructions = list(item.instructions.select_related("created_by"))
    return ItemPoints(
        adoptions=_points_rows(item, adoptions, lambda r: r.adoption_points, "adoption_type", "adopted_on",
                               rules_by_year, _outranked(adoptions)),
        instructions=_points_rows(item, instructions, lambda r: r.instruction_points, "kind", "instructed_on", rules_by_year),
    )
