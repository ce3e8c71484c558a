"""One test per clause of RULES.md, on plain values: the engine without a database.

Expectations are computed in each test from the rule's own words, not copied from a run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    ADOPTIONS,
    INSTRUCTIONS,
    Period,
    PointGroup,
    UnitFacts,
    competition_places,
    fact_points,
    group_points,
    highest_adoption_level,
    rank_sequence,
    rescore,
    round2,
    score_all,
    score_unit,
)
from scoring.rules import LEVELS, RULES_2008, Rules

RULES = Rules.from_params(RULES_2008)
YEAR = Period(year=2024)


def facts(**kw) -> UnitFacts:
    kw.setdefault("unit_id", id(kw))
    kw.setdefault("name", "单位")
    kw.setdefault("sequence", "district")
    return UnitFacts(**kw)


def rules_with(**changes) -> Rules:
    return Rules.from_params({**RULES_2008, **changes})


def dec(text: str) -> Decimal:
    return Decimal(text)


# ---- Art. 7: basic work, 8 items × 5 points


def test_art7_basic_work_is_the_sum_of_eight_items():
    items = [dec("5"), dec("4.5"), dec("5"), dec("3"), dec("5"), dec("5"), dec("0.5"), dec("5")]
    score = score_unit(facts(basic_items=items), YEAR, RULES)
    assert score.basic == sum(items)
    assert score.basic <= 40


def test_art7_the_rule_set_owns_the_number_of_items_and_their_maximum():
    items = [dec("5"), dec("4.5"), dec("3"), dec("5"), dec("5"), dec("5"), dec("0.5"), dec("5")]
    # A maximum of 4: the items above it count 4 (4 + 4 + 3 + 4 + 4 + 4 + 0.5 + 4).
    assert score_unit(facts(basic_items=items), YEAR, rules_with(basic_item_points=4)).basic == dec("27.5")
    # Six items: the last two of an older entry count nothing (5 + 4.5 + 3 + 5 + 5 + 5).
    six = rules_with(basic_items=RULES_2008["basic_items"][:6])
    assert score_unit(facts(basic_items=items), YEAR, six).basic == dec("27.5")
    # A maximum of 7.5 lets higher points count in full.
    assert score_unit(facts(basic_items=[dec("7.5"), dec("6")]), YEAR, rules_with(basic_item_points="7.5")).basic == dec("13.5")


def test_decision7_unit_without_confirmed_entry_is_not_assessed_and_counts_zero():
    score = score_unit(facts(basic_items=None, counted=180, research=4), YEAR, RULES)
    assert score.basic is None
    assert score.total == score.reporting_total + score.adoption + score.instruction


# ---- Art. 8.1 / decision 3: quota


def test_decision3_quota_is_proportional_137_of_180():
    score = score_unit(facts(sequence="district", counted=137), YEAR, RULES)
    assert score.required == 15 * 12
    assert score.quota == round2(Fraction(15) * 137 / 180) == dec("11.42")


def test_art8_1_bureaus_and_central_provincial_units_need_ten_a_month():
    bureau = score_unit(facts(sequence="bureau", counted=60), YEAR, RULES)
    central = score_unit(facts(sequence="bureau", central_provincial=True, counted=60), YEAR, RULES)
    assert bureau.required == central.required == 10 * 12
    assert bureau.quota == round2(Fraction(15 * 60, 120))


@pytest.mark.parametrize("sequence", ["district", "county", "office_abroad"])
def test_art8_1_districts_counties_and_offices_abroad_need_fifteen_a_month(sequence):
    assert score_unit(facts(sequence=sequence), YEAR, RULES).required == 15 * 12


def test_decision3_quota_is_capped_at_full_points():
    assert score_unit(facts(counted=500), YEAR, RULES).quota == 15


def test_decision3_quota_required_is_pro_rata_to_the_period():
    period = Period(year=2024, through=6)
    score = score_unit(facts(counted=50), period, RULES)
    assert score.required == 15 * 6
    assert score.quota == round2(Fraction(15 * 50, 90))


def test_decision3_all_or_nothing_setting():
    rules = rules_with(quota_mode="all_or_nothing")
    assert score_unit(facts(counted=179), YEAR, rules).quota == 0
    assert score_unit(facts(counted=180), YEAR, rules).quota == 15


def test_decision3_unit_joining_mid_year_is_assessed_from_its_month():
    score = score_unit(facts(counted=40, assessed_from=dt.date(2024, 10, 1)), YEAR, RULES)
    assert score.required == 15 * 3  # October to December
    assert score.quota == round2(Fraction(15 * 40, 45))


# ---- Art. 8.2 / decision 4: urgent information


def test_decision4_deductions_per_incident():
    score = score_unit(facts(failures=Counter(late=1, omission=1)), YEAR, RULES)
    assert score.urgent == 15 - 5 - 10


def test_decision4_never_below_zero():
    assert score_unit(facts(failures=Counter(concealment=1, late=1)), YEAR, RULES).urgent == 0


def test_decision4_concealment_bar_is_off_by_default_and_bars_when_on():
    sample = facts(failures=Counter(concealment=1))
    assert score_unit(sample, YEAR, RULES).barred is False
    assert score_unit(sample, YEAR, rules_with(concealment_bars_awards=True)).barred is True


# ---- Art. 8.3 / decision 5: special requests


def test_decision5_full_points_without_requests():
    assert score_unit(facts(), YEAR, RULES).special == 15


def test_decision5_mean_credit_on_time_late_missing():
    score = score_unit(facts(request_outcomes=["on_time", "late", "missing", "on_time"]), YEAR, RULES)
    assert score.special == round2(Fraction(15) * (1 + Fraction(1, 2) + 0 + 1) / 4)


def test_decision5_a_late_answer_is_worth_half():
    assert score_unit(facts(request_outcomes=["late"]), YEAR, RULES).special == dec("7.50")


# ---- Art. 8.4 / decision 6: research


def test_decision6_research_expects_four_a_year():
    assert score_unit(facts(research=3), YEAR, RULES).research == round2(Fraction(15 * 3, 4)) == dec("11.25")


def test_decision6_research_is_pro_rata_for_a_shorter_period():
    period = Period(year=2024, through=3)
    assert score_unit(facts(research=1), period, RULES).research == 15
    assert score_unit(facts(research=0), Period(year=2024, through=5), RULES).research == 0
    assert score_unit(facts(research=1), Period(year=2024, through=5), RULES).research == round2(Fraction(15) / Fraction(5, 3))
    # The expectation stays exact (4 × 5 / 12 = 5/3, not the float 1.666…), as the scorecard shows it.
    assert score_unit(facts(research=1), Period(year=2024, through=5), RULES).research_expected == Fraction(5, 3)


# ---- Art. 9: adoption and instruction points


@pytest.mark.parametrize(
    ("level", "kind", "points"),
    [
        ("city", "general", 1),
        ("city", "urgent", 2),
        ("city", "small_research", 2),
        ("city", "large_research", 5),
        ("province", "general", 2),
        ("province", "research", 10),
        ("state", "general", 10),
        ("state", "research", 20),
    ],
)
def test_art9_adoption_points_table(level, kind, points):
    score = score_unit(facts(adoptions=[PointGroup(level, kind, 1, 3)]), YEAR, RULES)
    assert score.adoption == 3 * points


@pytest.mark.parametrize(
    ("level", "kind", "points"),
    [
        ("city", "read", 2),
        ("city", "affirm", 3),
        ("city", "reference", 5),
        ("city", "decision", 10),
        ("province", "read", 10),
        ("province", "affirm", 10),
        ("province", "reference", 15),
        ("province", "decision", 20),
        ("state", "read", 20),
        ("state", "affirm", 20),
        ("state", "reference", 20),
        ("state", "decision", 20),
    ],
)
def test_art9_instruction_points_table(level, kind, points):
    score = score_unit(facts(instructions=[PointGroup(level, kind, 1, 2)]), YEAR, RULES)
    assert score.instruction == 2 * points


def test_art9_points_are_added_on_top_of_the_hundred_without_cap():
    many = [PointGroup("state", "research", 1, 10)]
    score = score_unit(facts(basic_items=[dec("5")] * 8, counted=180, research=4, adoptions=many), YEAR, RULES)
    assert score.total == 40 + 60 + 200


# ---- decision 8: adoption at several levels


def test_decision8_each_level_scores_on_its_own():
    groups = [PointGroup("city", "general", 1, 1), PointGroup("province", "general", 1, 1)]
    assert score_unit(facts(adoptions=groups), YEAR, RULES).adoption == 1 + 2


def test_decision8_highest_level_only_setting():
    groups = [PointGroup("city", "general", 1, 1, top_level="province"), PointGroup("province", "general", 1, 1, "province")]
    assert score_unit(facts(adoptions=groups), YEAR, rules_with(adoption_mode="highest_level")).adoption == 2
    assert score_unit(facts(adoptions=groups), YEAR, RULES).adoption == 3


def test_decision8_the_highest_level_is_the_items_highest_adoption_dated_in_the_period():
    march, may = Period.month(2024, 3), Period(year=2024, through=5)
    adoptions = [("city", dt.date(2024, 3, 5)), ("state", dt.date(2024, 4, 20)), ("province", dt.date(2024, 3, 30))]
    assert highest_adoption_level(adoptions, march) == "province"
    assert highest_adoption_level(adoptions, may) == "state"
    assert highest_adoption_level(adoptions, Period.month(2024, 6)) is None


@pytest.mark.parametrize(
    ("level", "top_level", "additive", "highest_only"),
    [
        ("city", "city", 1, 1),  # the item's only level: earns in both modes
        ("city", "province", 1, 0),  # outranked: nothing under "highest level only"
        ("province", "state", 2, 0),
        ("state", "state", 10, 10),
    ],
)
def test_decision8_points_of_one_adoption_in_both_modes(level, top_level, additive, highest_only):
    highest = rules_with(adoption_mode="highest_level")
    assert fact_points(RULES, ADOPTIONS, level, "general", 1, top_level) == additive
    assert fact_points(highest, ADOPTIONS, level, "general", 1, top_level) == highest_only


def test_decision10_points_of_one_fact_split_among_the_items_units():
    # A city large-research adoption (5) on an item of 3 units; a provincial decision instruction (20) on 2.
    assert fact_points(RULES, ADOPTIONS, "city", "large_research", 3) == Fraction(5, 3)
    assert fact_points(RULES, INSTRUCTIONS, "province", "decision", 2) == 10
    assert fact_points(rules_with(joint_split=False), ADOPTIONS, "city", "large_research", 3) == 5
    # Both rules at once: an outranked adoption of a joint item earns nothing, split or not.
    assert fact_points(rules_with(adoption_mode="highest_level"), ADOPTIONS, "city", "general", 2, "state") == 0


# ---- decision 9 and 10: instructions, joint items


def test_decision9_several_instructions_on_one_item_each_count():
    groups = [PointGroup("city", "read", 1, 1), PointGroup("city", "decision", 1, 1), PointGroup("province", "affirm", 1, 1)]
    assert score_unit(facts(instructions=groups), YEAR, RULES).instruction == 2 + 10 + 10


def test_decision10_joint_item_points_split_three_ways():
    score = score_unit(facts(adoptions=[PointGroup("city", "large_research", 3, 1)]), YEAR, RULES)
    assert score.adoption == round2(Fraction(5, 3)) == dec("1.67")


def test_decision10_split_can_be_turned_off():
    score = score_unit(facts(adoptions=[PointGroup("city", "large_research", 3, 1)]), YEAR, rules_with(joint_split=False))
    assert score.adoption == 5


ADOPTION_KINDS = [(lv, t) for lv, table in RULES_2008["adoption_points"].items() for t in table]


@settings(max_examples=200, deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.sampled_from(ADOPTION_KINDS), st.integers(1, 4), st.integers(1, 5), st.sampled_from(LEVELS)),
        max_size=12,
    ),
    mode=st.sampled_from(["additive", "highest_level"]),
    split=st.booleans(),
)
def test_decision8_10_a_units_points_by_group_equal_the_sum_of_each_facts_points(groups, mode, split):
    """The ranking's aggregated path (one split per share) gives what `fact_points` gives fact by fact."""
    rules = rules_with(adoption_mode=mode, joint_split=split)
    point_groups = [PointGroup(lv, t, share, count, top) for (lv, t), share, count, top in groups]
    by_fact = {level: Fraction(0) for level in LEVELS}
    for g in point_groups:
        for _ in range(g.count):
            by_fact[g.level] += fact_points(rules, ADOPTIONS, g.level, g.kind, g.share, g.top_level)
    assert group_points(point_groups, ADOPTIONS, rules) == by_fact


def test_components_are_rounded_half_up_and_totals_add_the_rounded_parts():
    assert round2(Fraction(1, 200)) == dec("0.01")  # 0.005 rounds up
    assert round2(Fraction(1249, 1000)) == dec("1.25")
    assert round2(Fraction(1244, 1000)) == dec("1.24")
    score = score_unit(facts(counted=1, research=1, adoptions=[PointGroup("city", "general", 3, 2)]), YEAR, RULES)
    assert score.total == score.quota + score.urgent + score.special + score.research + score.adoption + score.instruction


# ---- Art. 10 and decision 11: ranking, ties, tiers


def ranked(basic_totals: list[int], sequence: str = "district") -> list:
    """Units that differ only in basic work (whole points on the first item)."""
    scores = [
        score_unit(facts(unit_id=i, sequence=sequence, basic_items=[Decimal(t - 35)] + [dec("5")] * 7), YEAR, RULES)
        for i, t in enumerate(basic_totals)
    ]
    rank_sequence(scores, RULES.tier_places[sequence])
    return scores


@pytest.mark.parametrize(
    ("sequence", "model", "advanced"),
    [("district", 2, 5), ("county", 3, 7), ("bureau", 10, 30), ("office_abroad", 2, 5)],
)
def test_art10_tier_places_per_sequence(sequence, model, advanced):
    n = advanced + 3
    scores = [score_unit(facts(unit_id=i, sequence=sequence, counted=120 - i), YEAR, RULES) for i in range(n)]
    rank_sequence(scores, RULES.tier_places[sequence])
    by_rank = sorted(scores, key=lambda s: s.rank)
    assert [s.rank for s in by_rank] == list(range(1, n + 1))
    assert [s.tier for s in by_rank] == ["model"] * model + ["advanced"] * (advanced - model) + [None] * 3


def test_art10_fewer_units_than_places_all_get_tiers():
    scores = ranked([40, 39, 38])
    assert [s.tier for s in sorted(scores, key=lambda s: s.rank)] == ["model", "model", "advanced"]


def test_decision11_equal_totals_share_a_place_and_the_next_is_skipped():
    assert competition_places([5, 4, 4, 3], key=lambda x: x) == [1, 2, 2, 4]


def test_decision11_a_tie_across_the_model_boundary_puts_all_in_the_better_tier_and_flags_it():
    scores = sorted(ranked([40, 39, 39, 38]), key=lambda s: (s.rank, s.facts.unit_id))
    assert [s.rank for s in scores] == [1, 2, 2, 4]
    assert [s.tier for s in scores] == ["model", "model", "model", "advanced"]
    assert [s.tie_flag for s in scores] == [False, True, True, False]


def test_decision11_a_tie_inside_a_tier_is_not_flagged():
    scores = sorted(ranked([40, 40, 39, 38]), key=lambda s: (s.rank, s.facts.unit_id))
    assert [s.rank for s in scores] == [1, 1, 3, 4]
    assert not any(s.tie_flag for s in scores)


def test_decision11_ties_broken_by_state_then_province_then_city_points_then_items():
    base = dict(basic_items=[dec("4")] * 8, research=4)
    a = facts(unit_id=1, counted=180, adoptions=[PointGroup("state", "general", 1, 1)], **base)
    b = facts(unit_id=2, counted=180, adoptions=[PointGroup("province", "general", 1, 5)], **base)
    c = facts(unit_id=3, counted=180, adoptions=[PointGroup("city", "general", 1, 10)], **base)
    d = facts(unit_id=4, counted=200, adoptions=[PointGroup("city", "general", 1, 10)], **base)
    scores = score_all([c, d, b, a], YEAR, RULES)
    assert len({s.total for s in scores}) == 1  # all 10 adoption points, all quotas full
    assert {s.facts.unit_id: s.rank for s in scores} == {1: 1, 2: 2, 4: 3, 3: 4}


def test_art1_3_units_assessed_by_reference_are_scored_but_not_ranked():
    scores = score_all([facts(unit_id=1, ranked=False, counted=10), facts(unit_id=2, counted=5)], YEAR, RULES)
    by_id = {s.facts.unit_id: s for s in scores}
    assert by_id[1].rank is None and by_id[1].tier is None and by_id[1].quota > 0
    assert by_id[2].rank == 1


def test_decision4_barred_unit_keeps_its_rank_but_takes_no_tier():
    rules = rules_with(concealment_bars_awards=True)
    clean = [facts(unit_id=i, basic_items=[dec("5")] * 8, counted=180 - i) for i in range(1, 6)]
    barred = facts(unit_id=9, basic_items=[dec("5")] * 8, counted=180, research=4, failures=Counter(concealment=1))
    scores = {s.facts.unit_id: s for s in score_all([*clean, barred], YEAR, rules)}
    assert scores[9].rank is not None and scores[9].tier is None
    assert [scores[i].tier for i in range(1, 6)] == ["model", "model", "advanced", "advanced", "advanced"]


_UNIT_FACTS = st.builds(
    lambda sequence, counted, city, state, late, ranked: (sequence, counted, city, state, late, ranked),
    st.sampled_from(["district", "county", "bureau"]), st.integers(0, 40), st.integers(0, 6), st.integers(0, 1),
    st.integers(0, 2), st.booleans(),
)


def _facts_of(unit_id: int, sequence: str, counted: int, city: int, state: int, late: int, ranked: bool) -> UnitFacts:
    adoptions = [PointGroup("city", "general", 1, city), PointGroup("state", "general", 1, state)]
    return facts(unit_id=unit_id, sequence=sequence, counted=counted, ranked=ranked, adoptions=adoptions,
                 failures=Counter({"late": late}), basic_items=[Decimal(4)] * 10)


@settings(max_examples=60, deadline=None)
@given(st.lists(_UNIT_FACTS, min_size=2, max_size=40), st.data())
def test_art10_decision11_rescoring_after_a_change_equals_scoring_everything_and_leaves_the_old_list_alone(units, data):
    before = [_facts_of(i, *u) for i, u in enumerate(units)]
    old = score_all(before, YEAR, RULES)
    old_placings = [(s.rank, s.tier, s.tie_flag) for s in old]
    changed_ids = data.draw(st.sets(st.integers(0, len(units) - 1), min_size=1, max_size=3))
    changed = {i: _facts_of(i, units[i][0], *data.draw(_UNIT_FACTS)[1:]) for i in changed_ids}
    after = [changed.get(f.unit_id, f) for f in before]

    again = rescore(old, changed, YEAR, RULES)
    fresh = score_all(after, YEAR, RULES)
    assert [(s.facts.unit_id, s.total, s.rank, s.tier, s.tie_flag) for s in again] == \
           [(s.facts.unit_id, s.total, s.rank, s.tier, s.tie_flag) for s in fresh]
    assert [(s.rank, s.tier, s.tie_flag) for s in old] == old_placings  # read by others: never changed in place
    for kept, new in zip(old, again, strict=True):
        if kept.facts.unit_id not in changed and (kept.rank, kept.tier, kept.tie_flag) == (new.rank, new.tier, new.tie_flag):
            assert new is kept  # unchanged: shared, not copied
