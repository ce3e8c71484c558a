"""The set-based scoring service against the rules, on real rows: periods, joint and invalid items,
special-request answers, the highest-level setting, and a query count that does not grow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from scoring.engine import round2
from scoring.models import AssessmentYear, RuleSet
from scoring.rules import RULES_2008
from scoring.services import _compute_scores, compute_scores, scores_json
from tests.factories import (
    make_adoption,
    make_basic_work,
    make_failure,
    make_instruction,
    make_request,
    make_submission,
    make_unit,
    shanghai,
)

pytestmark = pytest.mark.django_db


def unit_score(report, unit):
    return next(s for s in report.scores if s.facts.unit_id == unit.pk)


def test_decision1_an_item_counts_in_the_month_of_its_submission_time_in_shanghai():
    unit = make_unit(sequence="district")
    make_submission(unit, submitted_at=shanghai(2024, 1, 1, 0, 0))  # 2023-12-31 16:00 UTC
    make_submission(unit, submitted_at=shanghai(2023, 12, 31, 23, 59))
    make_submission(unit, submitted_at=shanghai(2024, 3, 31, 23, 59))
    make_submission(unit, submitted_at=shanghai(2024, 4, 1, 0, 0))
    assert unit_score(compute_scores(2024, 3), unit).facts.counted == 2
    assert unit_score(compute_scores(2024, 12), unit).facts.counted == 3


def test_decision1_a_december_item_adopted_in_january_counts_for_adoption_in_january():
    unit = make_unit(sequence="district")
    item = make_submission(unit, submitted_at=shanghai(2023, 12, 20))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(2024, 1, 5))
    assert unit_score(compute_scores(2023, 12), unit).adoption == 0
    assert unit_score(compute_scores(2023, 12), unit).facts.counted == 1
    assert unit_score(compute_scores(2024, 1), unit).adoption == 1
    assert unit_score(compute_scores(2024, 1), unit).facts.counted == 0


def test_decision2_invalid_items_do_not_count_for_reporting():
    unit = make_unit(sequence="bureau")
    make_submission(unit, submitted_at=shanghai(2024, 2, 1), info_type="small_research")
    make_submission(unit, submitted_at=shanghai(2024, 2, 2), info_type="small_research", invalid_reason="重复")
    score = unit_score(compute_scores(2024, 12), unit)
    assert (score.facts.counted, score.facts.research) == (1, 1)


def test_decision10_a_joint_item_counts_for_each_unit_and_splits_its_points():
    a, b, c = (make_unit(sequence="district") for _ in range(3))
    item = make_submission(a, joint=[b, c], submitted_at=shanghai(2024, 5, 1), info_type="large_research")
    make_adoption(item, level="city", adoption_type="large_research", adopted_on=dt.date(2024, 5, 10))
    make_instruction(item, level="city", kind="decision", instructed_on=dt.date(2024, 5, 12))
    report = compute_scores(2024, 12)
    for unit in (a, b, c):
        score = unit_score(report, unit)
        assert (score.facts.counted, score.facts.research) == (1, 1)
        assert score.adoption == round2(Fraction(5, 3))
        assert score.instruction == round2(Fraction(10, 3))


def test_decision5_request_credit_by_the_earliest_valid_answer():
    on_time, late, missing, invalid_only = (make_unit(sequence="county") for _ in range(4))
    deadline = shanghai(2024, 4, 10, 18, 0)
    request = make_request([on_time, late, missing, invalid_only], deadline=deadline)
    make_submission(on_time, special_request=request, submitted_at=deadline)
    make_submission(on_time, special_request=request, submitted_at=deadline + dt.timedelta(days=1))
    make_submission(late, special_request=request, submitted_at=deadline + dt.timedelta(minutes=1))
    make_submission(invalid_only, special_request=request, submitted_at=shanghai(2024, 4, 1), invalid_reason="撤回")
    report = compute_scores(2024, 12)
    assert unit_score(report, on_time).special == 15
    assert unit_score(report, late).special == Decimal("7.50")
    assert unit_score(report, missing).special == 0
    assert unit_score(report, invalid_only).special == 0


def test_decision5_a_request_belongs_to_the_period_of_its_deadline_and_later_answers_are_unknown():
    unit = make_unit(sequence="county")
    request = make_request([unit], deadline=shanghai(2024, 6, 30, 12, 0))
    make_submission(unit, special_request=request, submitted_at=shanghai(2024, 7, 2))
    assert unit_score(compute_scores(2024, 5), unit).facts.request_outcomes == []
    assert unit_score(compute_scores(2024, 6), unit).facts.request_outcomes == ["missing"]
    assert unit_score(compute_scores(2024, 7), unit).facts.request_outcomes == ["late"]


def test_decision4_failures_count_in_the_period_of_their_date():
    unit = make_unit(sequence="district")
    make_failure(unit, kind="omission", occurred_on=dt.date(2024, 3, 1))
    make_failure(unit, kind="late", occurred_on=dt.date(2024, 8, 1))
    assert unit_score(compute_scores(2024, 6), unit).urgent == 15 - 10
    assert unit_score(compute_scores(2024, 12), unit).urgent == 15 - 10 - 5


def test_decision8_highest_level_only_counts_the_higher_adoption_in_the_period():
    rule_set = RuleSet.objects.create(name="最高层级", params={**RULES_2008, "adoption_mode": "highest_level"})
    AssessmentYear.objects.create(year=2024, rule_set=rule_set)
    unit = make_unit(sequence="district")
    item = make_submission(unit, submitted_at=shanghai(2024, 1, 3))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(2024, 1, 10))
    make_adoption(item, level="province", adoption_type="general", adopted_on=dt.date(2024, 3, 10))
    assert unit_score(compute_scores(2024, 2), unit).adoption == 1  # the province adoption is not known yet
    assert unit_score(compute_scores(2024, 12), unit).adoption == 2
    assert compute_scores(2024).rule_set_name == "最高层级"


def test_decision7_basic_work_is_the_years_confirmed_entry():
    unit = make_unit(sequence="district")
    make_basic_work(unit, year=2024, items=["5", "4.5", "5", "5", "5", "5", "5", "5"])
    make_basic_work(unit, year=2024, status="self_check", items=["5"] * 8)
    make_basic_work(unit, year=2023, items=["1"] * 8)
    assert unit_score(compute_scores(2024, 3), unit).basic == Decimal("39.50")


def test_score_report_json_has_the_documented_shape():
    unit = make_unit(name="道里区", sequence="district")
    make_basic_work(unit, year=2024)
    data = scores_json(compute_scores(2024, 6))
    assert data["year"] == 2024 and data["through"] == "2024-06" and data["rule_set"] == "2008"
    row = data["units"][0]
    assert set(row) == {
        "unit",
        "sequence",
        "ranked",
        "basic",
        "reporting",
        "adoption",
        "instruction",
        "total",
        "rank",
        "tier",
        "tie_flag",
    }
    assert set(row["reporting"]) == {"quota", "urgent", "special", "research", "total"}
    assert row["basic"] == 40.0 and row["rank"] == 1 and row["tier"] == "model"


def _populate(n_units: int, per_unit: int) -> None:
    units = [make_unit(sequence=["district", "county", "bureau", "office_abroad"][i % 4]) for i in range(n_units)]
    for i, unit in enumerate(units):
        make_basic_work(unit, year=2024)
        make_failure(unit, occurred_on=dt.date(2024, 2, 1))
        request = make_request([unit], deadline=shanghai(2024, 3, 1))
        for j in range(per_unit):
            item = make_submission(
                unit, joint=[units[(i + 1) % n_units]], special_request=request, submitted_at=shanghai(2024, 2, 1 + j)
            )
            make_adoption(item, adopted_on=dt.date(2024, 2, 20))
            make_instruction(item, instructed_on=dt.date(2024, 2, 21))


def test_scoring_query_count_does_not_grow_with_units_and_items(django_assert_num_queries):
    # rule set (2), units, stale marks?, month tallies, facts of joint items, failures, requests, basic work;
    # after writes also: lock the marks, delete them and the stale tallies, insert anew, and a savepoint (2).
    # Pages and commands read it through the cache: one query for the data version (test_assessment_cache).
    _populate(4, 1)
    with django_assert_num_queries(9 + 6):
        _compute_scores(2024, 12)
    with django_assert_num_queries(9):
        _compute_scores(2024, 12)
    _populate(40, 3)
    with django_assert_num_queries(9 + 6):
        _compute_scores(2024, 12)
    with django_assert_num_queries(9):
        report = _compute_scores(2024, 12)
    assert len(report.scores) == 44
