"""The target planner on plain values (scoring.engine): gaps to the tiers of Art. 10 under decision 11's ties,
in adoptions of Art. 9, the quota still to report (Art. 8.1, 8.4) and the year-end estimate.

Expectations are worked by hand from the rules and recomputed from the rule set in each test.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from scoring.engine import (
    Period,
    PointGroup,
    UnitFacts,
    adoptions_to_close,
    items_still_needed,
    plan_for,
    plans_for,
    round2,
    score_all,
    year_end_projection,
)
from scoring.rules import RULES_2008, Rules

RULES = Rules.from_params(RULES_2008)
YEAR = Period(year=2024)
FULL = [Decimal(5)] * 8


def unit(unit_id: int, city: int = 0, halves: int = 0, province: int = 0, **kw) -> UnitFacts:
    """A district unit with full basic work whose totals differ only by adoption points: `city` city general
    adoptions (1 point), `halves` of them on items shared by two units (0.5), `province` provincial general
    adoptions (2 points)."""
    groups = [PointGroup("city", "general", 1, city), PointGroup("city", "general", 2, halves),
              PointGroup("province", "general", 1, province)]
    kw.setdefault("sequence", "district")
    return UnitFacts(unit_id=unit_id, name=f"单位{unit_id}", basic_items=FULL,
                     adoptions=[g for g in groups if g.count], **kw)


def by_id(facts: list[UnitFacts], period: Period = YEAR, rules: Rules = RULES) -> tuple[dict, dict]:
    scores = {s.facts.unit_id: s for s in score_all(facts, period, rules)}
    return scores, plans_for(scores.values(), period, rules)


def closing(gap: str, level: str, kind: str) -> int:
    return math.ceil(Fraction(gap) / RULES.adoption_points[level][kind])


# Districts: model places 1-2, advanced 3-5 (Art. 10). Adoption points 20, 15, 12, 10, 8.5 and 2.
SIX = [unit(1, city=20), unit(2, city=15), unit(3, city=12), unit(4, city=10), unit(5, city=8, halves=1), unit(6, city=2)]


def test_art10_the_gap_to_each_better_tier_is_to_its_last_place_and_closes_in_adoptions_of_art9():
    scores, plans = by_id(SIX)
    plan = plans[6]
    assert plan_for(6, list(scores.values()), YEAR, RULES) == plan  # one unit's plan alone is the same
    assert scores[6].rank == 6 and scores[6].tier is None
    # Nearest tier first: advanced (its last place: unit 5 at 8.5 points), then model (unit 2 at 15).
    assert [(g.tier, g.last.facts.unit_id, g.gap) for g in plan.gaps] == [
        ("advanced", 5, Decimal("6.50")), ("model", 2, Decimal("13.00"))]
    assert plan.gaps[0].gap == scores[5].total - scores[6].total
    advanced = {(level, kind): n for level, kind, n in plan.gaps[0].adoptions}
    # "相当于 7 条市级一般动态采用，或 2 条市级大型调研采用，或 1 条省级调研采用"
    assert advanced["city", "general"] == closing("6.5", "city", "general") == 7
    assert advanced["city", "large_research"] == closing("6.5", "city", "large_research") == 2
    assert advanced["province", "research"] == closing("6.5", "province", "research") == 1
    assert advanced["state", "general"] == 1
    model = {(level, kind): n for level, kind, n in plan.gaps[1].adoptions}
    assert model["city", "general"] == 13 and model["province", "research"] == 2
    assert set(advanced) == {(lv, k) for lv, table in RULES_2008["adoption_points"].items() for k in table}
    # An advanced unit sees only the model tier; its lead over the first unit outside the tiers: 10 - 2.
    assert [(g.tier, g.gap) for g in plans[4].gaps] == [("model", Decimal("5.00"))]
    assert plans[4].lead == Decimal("8.00")


def test_art10_a_unit_already_in_the_top_tier_has_no_gap_and_sees_its_lead():
    scores, plans = by_id(SIX)
    assert scores[1].tier == "model" and scores[2].tier == "model"
    assert plans[1].gaps == [] and plans[2].gaps == []
    # The lead over the best unit outside the model tier (unit 3, 12 points).
    assert plans[1].lead == scores[1].total - scores[3].total == Decimal("8.00")
    assert plans[2].lead == Decimal("3.00")
    assert plans[6].lead is None


def test_decision11_level_on_total_at_the_boundary_but_behind_on_the_tie_breaks():
    # Unit 7 has unit 5's 8.5 points, all city ones; unit 5's come from the province (4 × 2 + 0.5):
    # equal totals, and decision 11 puts provincial points first, so unit 5 keeps place 5.
    facts = [*SIX[:4], unit(5, province=4, halves=1), unit(7, city=8, halves=1)]
    scores, plans = by_id(facts)
    assert scores[5].total == scores[7].total and (scores[5].rank, scores[7].rank) == (5, 6)
    gap = plans[7].gaps[0]
    assert (gap.tier, gap.last.facts.unit_id, gap.gap, gap.tied) == ("advanced", 5, Decimal("0.00"), True)
    # Level on total: any one adoption puts it ahead.
    assert {n for _, _, n in gap.adoptions} == {1}


def test_decision11_a_tie_across_the_boundary_puts_both_in_the_tier_and_the_next_unit_measures_to_them():
    # Units 5 and 8 are equal in every tie-break: both place 5, both advanced (flagged for review).
    facts = [*SIX, unit(8, city=8, halves=1)]
    scores, plans = by_id(facts)
    assert (scores[5].rank, scores[8].rank) == (5, 5)
    assert scores[5].tier == scores[8].tier == "advanced" and scores[5].tie_flag and scores[8].tie_flag
    assert scores[6].rank == 7
    assert plans[6].gaps[0].gap == Decimal("6.50") and plans[6].gaps[0].last.total == scores[8].total
    # The tied units lead unit 6 by 8.5 - 2 and are 15 - 8.5 short of the model tier.
    assert plans[8].lead == Decimal("6.50") and plans[8].gaps[0].gap == Decimal("6.50")


def test_units_outside_the_awards_get_no_gap():
    rules = Rules.from_params({**RULES_2008, "concealment_bars_awards": True})
    facts = [*SIX, unit(9, city=30, failures=Counter(concealment=1)), unit(10, city=30, ranked=False)]
    scores, plans = by_id(facts, rules=rules)
    assert scores[9].barred and plans[9].gaps == [] and not plans[9].eligible
    assert scores[10].rank is None and plans[10].gaps == [] and not plans[10].eligible


def test_art8_items_still_needed_for_the_full_quota_and_research_points_of_the_year():
    # January to October: 100 items and 1 research item; the year asks 15 × 12 = 180 and 4.
    period = Period(year=2024, through=10)
    scores, plans = by_id([unit(1, counted=100, research=1)], period)
    assert plans[1].items_needed == 15 * 12 - 100 == 80
    assert plans[1].research_needed == 3
    # Assessed from July (decision 3): 6 months × 15, and 4 × 6 / 12 research items.
    scores, plans = by_id([unit(2, counted=100, research=3, assessed_from=dt.date(2024, 7, 1))], period)
    assert plans[2].items_needed == 0 and plans[2].research_needed == 0
    assert items_still_needed(7, Fraction(25, 2)) == 6  # 12.5 required: 6 more whole items


def test_year_end_projection_carries_the_pace_so_far_to_the_year_and_is_none_for_a_whole_year():
    period = Period(year=2024, through=6)
    scores, _ = by_id([unit(1, city=6, counted=60, research=1)], period)
    score = scores[1]
    # Now: 40 + 15 + 15 + 15 × 60 / 90 + 15 × 1 / 2 + 6 = 93.50.
    assert score.total == Decimal("93.50")
    # At that pace (× 12 / 6): 120 items of 180 → 10, 2 research of 4 → 7.50, 12 adoption points.
    assert year_end_projection(score, period, RULES) == 40 + 15 + 15 + Decimal(10) + Decimal("7.50") + 12
    assert year_end_projection(scores[1], Period(year=2024), RULES) is None


def test_adoptions_to_close_follow_the_rule_set():
    rules = Rules.from_params({**RULES_2008, "adoption_points": {"city": {"general": 3}, "province": {"research": 0}}})
    assert adoptions_to_close(Decimal("6.50"), rules) == [("city", "general", 3)]


def test_year_end_projection_counts_the_current_month_by_the_days_gone():
    period = Period(year=2024, through=3)
    scores, _ = by_id([unit(1, city=7, counted=35)], period)
    # On 10 March, January to March is 2 + 10/31 months: a pace of 12 / (72/31) = 31/6.
    pace = Fraction(12) / (2 + Fraction(10, 31))
    assert pace == Fraction(31, 6) and 35 * pace >= 15 * 12  # 180.83 items: the full quota points
    expected = 40 + 15 + 15 + 15 + 0 + round2(7 * pace)  # 36.17 adoption points
    assert year_end_projection(scores[1], period, RULES, today=dt.date(2024, 3, 10)) == expected == Decimal("121.17")
    # Another day: the period's three months count whole, a pace of 4: 140 of 180 items, 28 points.
    later = 40 + 15 + 15 + round2(Fraction(15 * 140, 180)) + 0 + 28
    assert year_end_projection(scores[1], period, RULES, today=dt.date(2024, 4, 2)) == later == Decimal("109.67")
