"""The arithmetic of the 2008 measures on plain values: no ORM here, so it reads next to RULES.md.

Every component is computed exactly (fractions) and rounded half-up to two decimals once; sums of
components add the rounded parts (INTERFACES.md, the score report).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import NamedTuple

from core.assessment import Period, RequestOutcome, Tier
from scoring.rules import LEVEL_RANK, LEVELS, Rules

Exact = int | Fraction  # exact numbers; whole ones stay ints


def ratio(numerator: Exact, denominator: Exact) -> Exact:
    """numerator / denominator, exactly; a whole result stays an int, which keeps the arithmetic fast."""
    if type(numerator) is int and type(denominator) is int and numerator % denominator == 0:
        return numerator // denominator
    return Fraction(numerator, denominator)


def round2(value: Exact) -> Decimal:
    """Round half-up to two decimals, exactly (points are never negative)."""
    if type(value) is int:  # most components are whole: skip the fraction
        return Decimal(value * 100).scaleb(-2)
    value = Fraction(value)
    hundredths = (200 * value.numerator + value.denominator) // (2 * value.denominator)
    return Decimal(hundredths).scaleb(-2)


class PointGroup(NamedTuple):
    """`count` adoptions (or instructions) of one level and type, on items shared by `share` units."""

    level: str
    kind: str
    share: int
    count: int
    # Adoptions only: the highest level the item was adopted at in the period (decision 8).
    top_level: str | None = None


@dataclass
class UnitFacts:
    unit_id: int
    name: str
    sequence: str
    central_provincial: bool = False
    ranked: bool = True
    assessed_from: dt.date | None = None
    counted: int = 0  # valid items in the period, joint items included
    research: int = 0  # valid research items in the period, joint items included
    failures: Counter = field(default_factory=Counter)  # failure kind -> incidents in the period
    request_outcomes: list[RequestOutcome] = field(default_factory=list)  # on time, late or missing, per request
    adoptions: list[PointGroup] = field(default_factory=list)
    instructions: list[PointGroup] = field(default_factory=list)
    basic_items: list[Decimal] | None = None  # the points of the year's confirmed entry, item by item


@dataclass
class UnitScore:
    facts: UnitFacts
    basic: Decimal | None
    quota: Decimal
    urgent: Decimal
    special: Decimal
    research: Decimal
    adoption: Decimal
    instruction: Decimal
    level_points: dict[str, Decimal]  # adoption + instruction points per level, for tie-breaks
    required: Exact  # items the quota asks for in the period
    research_expected: Exact
    barred: bool = False
    rank: int | None = None
    tier: Tier | None = None
    tie_flag: bool = False

    # Cached: the components are set once, and ranking asks for the total many times.
    @cached_property
    def reporting_total(self) -> Decimal:
        return self.quota + self.urgent + self.special + self.research

    @cached_property
    def total(self) -> Decimal:
        return (self.basic or Decimal(0)) + self.reporting_total + self.adoption + self.instruction

    def tie_key(self) -> tuple:
        """Decision 11: total, then State Council, provincial and city points, then counted items."""
        return self._tie_key

    @cached_property
    def _tie_key(self) -> tuple:  # each ranking after a write compares a sequence's hundreds of keys again
        lp = self.level_points
        return (self.total, lp["state"], lp["province"], lp["city"], self.facts.counted)


def basic_score(items: Sequence[Decimal], rules: Rules) -> Decimal:
    """Basic work (Art. 7, decision 7): the sum of the rule set's items, each up to the rule set's maximum.

    An entry made before the rule set changed counts as far as the rules now go: items beyond their number
    count nothing, points above their maximum count the maximum.
    """
    most = rules.basic_item_max
    return sum((min(points, most) for points in items[: rules.basic_item_count]), Decimal(0)).quantize(Decimal("0.01"))


def quota_score(counted: int, required: Exact, rules: Rules) -> Exact:
    """Reporting item 1 (Art. 8.1, decision 3)."""
    points = rules.reporting_item_points
    if required <= 0 or counted >= required:
        return points
    if rules.quota_all_or_nothing:
        return 0
    return ratio(points * counted, required)


def urgent_score(failures: Counter, rules: Rules) -> Exact:
    """Reporting item 2 (Art. 8.2, decision 4): deductions per incident, never below 0."""
    deducted = sum(rules.failure_deductions[kind] * n for kind, n in failures.items())
    return max(0, rules.reporting_item_points - deducted)


def special_score(outcomes: Sequence[RequestOutcome], rules: Rules) -> Exact:
    """Reporting item 3 (Art. 8.3, decision 5): 15 × mean credit; full when no request."""
    if not outcomes:
        return rules.reporting_item_points
    credit = sum(rules.request_credits[o] for o in outcomes)
    return ratio(rules.reporting_item_points * credit, len(outcomes))


def research_score(research: int, expected: Exact, rules: Rules) -> Exact:
    """Reporting item 4 (Art. 8.4, decision 6)."""
    if expected <= 0 or research >= expected:
        return rules.reporting_item_points
    return ratio(rules.reporting_item_points * research, expected)


ADOPTIONS, INSTRUCTIONS = "adoptions", "instructions"  # the two sources of points (Art. 9)


def highest_adoption_level(adoptions: Iterable[tuple[str, dt.date]], period: Period) -> str | None:
    """The highest level among an item's adoptions (level, date) dated in the period: decision 8 compares
    each adoption with it."""
    levels = [level for level, day in adoptions if period.start_date <= day <= period.end_date]
    return max(levels, key=LEVEL_RANK.__getitem__, default=None)


def is_outranked(level: str, top_level: str | None, rules: Rules) -> bool:
    """Decision 8 set to "highest level only": an adoption earns nothing when its item was adopted at a
    higher level in the same period."""
    return rules.highest_level_only and top_level is not None and LEVEL_RANK[level] < LEVEL_RANK[top_level]


def fact_points(rules: Rules, source: str, level: str, kind: str, units: int = 1, top_level: str | None = None) -> Exact:
    """The points one adoption or instruction earns one unit of its item (Art. 9).

    `units`: the units the item counts for, among which its points are split (decision 10). `top_level`
    (adoptions): `highest_adoption_level` of the item in the period, for decision 8. The scorecard, the
    item page and the award candidates call this per fact, the ranking and the bulletin per group.
    """
    if source == ADOPTIONS:
        points = 0 if is_outranked(level, top_level, rules) else rules.adoption_points[level][kind]
    else:
        points = rules.instruction_points[level][kind]
    return joint_share(points, units, rules)


def joint_share(points: Exact, units: int, rules: Rules) -> Exact:
    """Decision 10: a joint item's points are split equally among its units, unless the rule set says not."""
    return ratio(points, units) if rules.joint_split else points


def group_points(groups: Iterable[PointGroup], source: str, rules: Rules) -> dict[str, Exact]:
    """Points per level of a unit's adoptions or instructions: each group's facts earn `fact_points` of one
    of them. The split is taken once per share of the summed points, which equals splitting every fact
    (division distributes over a sum; `tests/test_rules.py` checks it) and saves a fraction per group."""
    sums: dict[tuple[str, int], Exact] = defaultdict(int)
    for level, kind, share, count, top_level in groups:
        sums[level, share] += fact_points(rules, source, level, kind, 1, top_level) * count
    per_level: dict[str, Exact] = {level: 0 for level in LEVELS}
    for (level, share), points in sums.items():
        per_level[level] += joint_share(points, share, rules)
    return per_level


def score_unit(facts: UnitFacts, period: Period, rules: Rules) -> UnitScore:
    months = period.months_assessed(facts.assessed_from)
    required = rules.quota_for(facts.sequence, facts.central_provincial) * months
    research_expected = ratio(rules.research_per_year * months, 12)
    adoption = group_points(facts.adoptions, ADOPTIONS, rules)
    instruction = group_points(facts.instructions, INSTRUCTIONS, rules)
    basic = None if facts.basic_items is None else basic_score(facts.basic_items, rules)
    return UnitScore(
        facts=facts,
        basic=basic,
        quota=round2(quota_score(facts.counted, required, rules)),
        urgent=round2(urgent_score(facts.failures, rules)),
        special=round2(special_score(facts.request_outcomes, rules)),
        research=round2(research_score(facts.research, research_expected, rules)),
        adoption=round2(sum(adoption.values())),
        instruction=round2(sum(instruction.values())),
        level_points={level: round2(adoption[level] + instruction[level]) for level in LEVELS},
        required=required,
        research_expected=research_expected,
        barred=rules.concealment_bars_awards and facts.failures.get("concealment", 0) > 0,
    )


def competition_places(items: Sequence, key: Callable[[object], Hashable]) -> list[int]:
    """Places for items sorted best first: equal keys share a place, the next is skipped (1, 2, 2, 4)."""
    places: list[int] = []
    for i, item in enumerate(items):
        if i and key(item) == key(items[i - 1]):
            places.append(places[-1])
        else:
            places.append(i + 1)
    return places


Placing = tuple[int | None, Tier | None, bool]  # rank, tier, tie flag


def sequence_placings(scores: list[UnitScore], tier_places: tuple[int, int]) -> dict[int, Placing]:
    """Ranks, tiers and tie flags within one sequence (Art. 10, decision 11), by unit id.

    A unit barred from the awards keeps its rank but takes no tier; the tiers go by place among the
    units that are not barred.
    """
    # Each key made once: a sequence of hundreds is ranked again after every write to one of its units.
    keyed = sorted(((s.tie_key(), s) for s in scores if s.facts.ranked), key=itemgetter(0), reverse=True)
    ranks = {s.facts.unit_id: place for (_, s), place in zip(keyed, competition_places(keyed, itemgetter(0)), strict=True)}
    placings: dict[int, Placing] = {s.facts.unit_id: (ranks.get(s.facts.unit_id), None, False) for s in scores}
    keyed = [(key, s) for key, s in keyed if not s.barred]
    places = competition_places(keyed, itemgetter(0))
    group_size = Counter(places)
    last_model, last_advanced = tier_places
    for (_, score), place in zip(keyed, places, strict=True):
        last_shared = place + group_size[place] - 1
        tier = Tier.MODEL if place <= last_model else Tier.ADVANCED if place <= last_advanced else None
        # A tie that straddles a boundary puts every tied unit in the better tier, for review.
        flag = last_shared > place and any(place <= boundary < last_shared for boundary in (last_model, last_advanced))
        placings[score.facts.unit_id] = (ranks[score.facts.unit_id], tier, flag)
    return placings


def rank_sequence(scores: list[UnitScore], tier_places: tuple[int, int]) -> None:
    """`sequence_placings`, set in place."""
    placings = sequence_placings(scores, tier_places)
    for score in scores:
        score.rank, score.tier, score.tie_flag = placings[score.facts.unit_id]


def score_all(facts: Iterable[UnitFacts], period: Period, rules: Rules) -> list[UnitScore]:
    scores = [score_unit(f, period, rules) for f in facts]
    for sequence, places in rules.tier_places.items():
        rank_sequence([s for s in scores if s.facts.sequence == sequence], places)
    return scores


def rescore(scores: list[UnitScore], changed: dict[int, UnitFacts], period: Period, rules: Rules) -> list[UnitScore]:
    """`score_all` after the facts of some units changed: a unit's score depends on its own facts only, so
    those units are scored again and their sequences placed again. A ranked list is read by others and never
    changed in place: a unit whose placing moved gets a copy, the others' scores are shared as they are."""
    touched = {f.sequence for f in changed.values()} | {s.facts.sequence for s in scores if s.facts.unit_id in changed}
    scores = [score_unit(changed[s.facts.unit_id], period, rules) if s.facts.unit_id in changed else s for s in scores]
    placings: dict[int, Placing] = {}
    for sequence, places in rules.tier_places.items():
        if sequence in touched:
            placings |= sequence_placings([s for s in scores if s.facts.sequence == sequence], places)
    result = []
    for s in scores:
        placing = placings.get(s.facts.unit_id)
        if placing is not None and placing != (s.rank, s.tier, s.tie_flag):
            if s.facts.unit_id in changed:  # a fresh score: nobody else holds it yet
                s.rank, s.tier, s.tie_flag = placing
            else:
                s = replace(s, rank=placing[0], tier=placing[1], tie_flag=placing[2])
        result.append(s)
    return result


# ---- The target planner: what a unit needs to reach a better tier, in the rules' own units -----------------

TIER_ORDER = (Tier.MODEL, Tier.ADVANCED)  # best first (Art. 10)


class TierGap(NamedTuple):
    """The distance from a unit to the last place of a better tier of its sequence (Art. 10, decision 11)."""

    tier: Tier
    last: UnitScore  # the unit holding the tier's last place
    gap: Decimal  # its total minus the unit's; 0: equal totals, lost on decision 11's tie-breaks
    adoptions: list[tuple[str, str, int]]  # (level, type, adoptions that close the gap): `adoptions_to_close`

    @property
    def tied(self) -> bool:
        return self.gap == 0


@dataclass
class Plan:
    """The target planner of one unit (an aid, not a rule: every number in it comes from the rules below)."""

    score: UnitScore
    gaps: list[TierGap]  # the better tiers, nearest first; empty in the top tier or outside the awards
    lead: Decimal | None  # in a tier: the margin over the best unit of the sequence outside it
    items_needed: int  # items still to report this year for the full quota points (Art. 8.1, decision 3)
    research_needed: int  # research items still to report this year for full points (Art. 8.4, decision 6)
    projection: Decimal | None  # an estimate of the year's total at the pace so far; None for a whole year

    @property
    def eligible(self) -> bool:
        return competes(self.score)


def competes(score: UnitScore) -> bool:
    """A unit that can reach a tier: ranked (Art. 1-3) and not barred (decision 4)."""
    return score.rank is not None and not score.barred


def tier_last_places(scores: Iterable[UnitScore]) -> dict[Tier, UnitScore]:
    """The unit holding the last place of each tier in one ranked sequence (Art. 10): a unit below reaches the
    tier by passing it. With a tie straddling the boundary every tied unit is in the tier (decision 11), so
    the last place is theirs."""
    last: dict[Tier, UnitScore] = {}
    for score in scores:
        if score.tier and (score.tier not in last or score.tie_key() < last[score.tier].tie_key()):
            last[score.tier] = score
    return last


def adoptions_to_close(gap: Decimal, rules: Rules) -> list[tuple[str, str, int]]:
    """Art. 9: how many adoptions of each level and type close `gap`, ceil(gap / points), counting an item of
    the unit alone (no joint split, decision 10). At least one: a unit level on total but behind on the
    tie-breaks passes with any adoption. Reaching the total exactly leaves the tie to decision 11."""
    # A difference of totals: whole hundredths, so the ceiling stays in ints. The same gaps come back with every
    # ranking of the year: computed once each.
    return list(_closing(int(gap.scaleb(2)), rules.adoption_steps))


@lru_cache(maxsize=65_536)
def _closing(hundredths: int, steps: tuple[tuple[str, str, int, int], ...]) -> tuple[tuple[str, str, int], ...]:
    return tuple((level, kind, max(1, -(-hundredths * den // (100 * num)))) for level, kind, num, den in steps)


def items_still_needed(done: int, required: Exact) -> int:
    """Items still to report for a full reporting item (Art. 8.1 / 8.4): a whole number, never below 0."""
    return max(0, math.ceil(required - done))


def year_end_projection(score: UnitScore, period: Period, rules: Rules, today: dt.date | None = None) -> Decimal | None:
    """An estimate, not a rule: the year's total if the unit keeps its pace so far. Items, research items and
    adoption and instruction points per assessed month of the period are carried to the year's assessed
    months (decision 3) and scored by Art. 8.1 and 8.4; basic work, urgent information and special requests
    stay as they are. A period ending in the month of `today` counts that month by the days gone (on 10
    March, January to March is 2 + 10/31 months). None when the period already covers the unit's year."""
    facts = score.facts
    done = period.months_assessed(facts.assessed_from)
    whole = Period(year=period.year).months_assessed(facts.assessed_from)
    if done and today and (today.year, today.month) == (period.year, period.through):
        done = done - 1 + Fraction(today.day, period.end_date.day)
    if done == 0 or done >= whole:
        return None
    pace = Fraction(whole, done)
    required = rules.quota_for(facts.sequence, facts.central_provincial) * whole
    points = Fraction(score.adoption + score.instruction) * pace
    return (
        (score.basic or Decimal(0)) + score.urgent + score.special
        + round2(quota_score(facts.counted * pace, required, rules))
        + round2(research_score(facts.research * pace, ratio(rules.research_per_year * whole, 12), rules))
        + round2(points)
    )


def _best_below(eligible: list[UnitScore]) -> dict[Tier, Decimal]:
    """Per tier, the best total among the eligible units outside it and every better tier."""
    best: dict[Tier, Decimal] = {}
    for i, tier in enumerate(TIER_ORDER):
        outside = [s.total for s in eligible if s.tier not in TIER_ORDER[: i + 1]]
        if outside:
            best[tier] = max(outside)
    return best


def _plan(score: UnitScore, last: dict[Tier, UnitScore], best_below: dict[Tier, Decimal], period: Period,
          rules: Rules, today: dt.date | None) -> Plan:
    facts = score.facts
    whole = Period(year=period.year).months_assessed(facts.assessed_from)
    gaps, lead = [], None
    if competes(score):
        better = TIER_ORDER if score.tier is None else TIER_ORDER[: TIER_ORDER.index(score.tier)]
        for tier in reversed(better):
            if tier in last:
                gap = max(Decimal(0), last[tier].total - score.total)
                gaps.append(TierGap(tier, last[tier], gap, adoptions_to_close(gap, rules)))
        if score.tier in best_below:
            lead = score.total - best_below[score.tier]
    return Plan(
        score=score,
        gaps=gaps,
        lead=lead,
        items_needed=items_still_needed(facts.counted, rules.quota_for(facts.sequence, facts.central_provincial) * whole),
        research_needed=items_still_needed(facts.research, ratio(rules.research_per_year * whole, 12)),
        projection=year_end_projection(score, period, rules, today),
    )


class Standing(NamedTuple):
    """What every planner of a sequence reads of the whole sequence (and the day, for the estimate)."""

    last: dict[Tier, UnitScore]  # `tier_last_places`
    best_below: dict[Tier, Decimal]  # `_best_below`
    today: dt.date | None

    def same_as(self, other: Standing) -> bool:
        return (self.today == other.today and self.best_below == other.best_below
                and self.last.keys() == other.last.keys() and all(self.last[t] is other.last[t] for t in self.last))


def standing(members: list[UnitScore], today: dt.date | None) -> Standing:
    eligible = [s for s in members if competes(s)]
    return Standing(tier_last_places(eligible), _best_below(eligible), today)


def sequence_plans(members: list[UnitScore], period: Period, rules: Rules, today: dt.date | None,
                   kept: tuple[Standing, dict[int, Plan]] | None = None) -> tuple[Standing, dict[int, Plan]]:
    """The planner of each unit of one ranked sequence, with the sequence's standing. `kept`: the standing and
    plans of an earlier ranking of the sequence; a plan is reused where the unit's score is the same object
    (`rescore` shares the unchanged ones) and the standing is the same, so a write re-plans the units it moved."""
    now = standing(members, today)
    reusable = kept[1] if kept is not None and kept[0].same_as(now) else {}
    plans = {}
    for score in members:
        plan = reusable.get(score.facts.unit_id)
        plans[score.facts.unit_id] = plan if plan is not None and plan.score is score else \
            _plan(score, now.last, now.best_below, period, rules, today)
    return now, plans


def plans_for(scores: Iterable[UnitScore], period: Period, rules: Rules, today: dt.date | None = None) -> dict[int, Plan]:
    """The planner of every unit of ranked scores (`score_all`) of a year-to-date period, by unit id; `today`
    for the estimate (`year_end_projection`)."""
    by_sequence: dict[str, list[UnitScore]] = defaultdict(list)
    for score in scores:
        by_sequence[score.facts.sequence].append(score)
    return {pk: plan for members in by_sequence.values() for pk, plan in sequence_plans(members, period, rules, today)[1].items()}


def plan_for(unit_id: int, scores: Sequence[UnitScore], period: Period, rules: Rules, today: dt.date | None = None) -> Plan:
    """One unit's planner among ranked scores: its sequence is read, only its own plan is made."""
    own = next(s for s in scores if s.facts.unit_id == unit_id)
    members = [s for s in scores if s.facts.sequence == own.facts.sequence]
    now = standing(members, today)
    return _plan(own, now.last, now.best_below, period, rules, today)
