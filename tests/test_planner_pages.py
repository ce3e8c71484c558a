"""The target planner on the officer's home, the scorecard and each row of the ranking (issue 16): the numbers
of scoring.engine's planner, worded, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from scoring.engine import Tier
from scoring.rules import RULES_2008
from scoring.services import compute_scores
from tests.factories import login, make_adoption, make_scored_unit, make_submission, make_user, shanghai
from units import versioning

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year
CITY_GENERAL = RULES_2008["adoption_points"]["city"]["general"]
PROVINCE_RESEARCH = RULES_2008["adoption_points"]["province"]["research"]


@pytest.fixture
def unit_a():
    # Districts (model 1-2, advanced 3-5) differing by 2 points per city read instruction: unit A is sixth.
    for instructions in (10, 8, 7, 6, 5):
        make_scored_unit("district", instructions, year=YEAR)
    return make_scored_unit("district", 1, year=YEAR, name="道里区")


def _report():
    return compute_scores(YEAR, TODAY.month)


def _score(report, unit):
    return next(s for s in report.scores if s.facts.unit_id == unit.pk)


def _advanced_last(report):
    return min((s for s in report.scores if s.tier == Tier.ADVANCED and s.facts.sequence == "district"),
               key=lambda s: s.total)


def test_officer_home_shows_the_gap_to_the_advanced_tier_in_adoptions(client_for, unit_a):
    report = _report()
    own = _score(report, unit_a)
    advanced_last = _advanced_last(report)
    gap = advanced_last.total - own.total  # 5 - 1 instructions, 2 points each: 8.00
    html = client_for("officer_a").get(reverse("home")).content.decode()
    assert f"区政府序列第 <strong>{own.rank}</strong> 名" in html
    assert f"距先进单位末位还差 <strong>{gap}</strong> 分" in html
    city = math.ceil(Fraction(gap) / CITY_GENERAL)
    province = math.ceil(Fraction(gap) / PROVINCE_RESEARCH)
    assert f"相当于 {city} 条市级一般动态采用，或 2 条市级大型调研采用，或 {province} 条省级调研采用" in html
    assert f"先进单位末位为第 {advanced_last.rank} 名，{advanced_last.total} 分" in html
    # One item reported this year of the 15 a month asked: the rest for the whole year.
    assert f"全年还需报送 <strong>{15 * 12 - 1}</strong> 条信息" in html
    if TODAY.month < 12:
        assert "年底总分<strong>估算</strong>约" in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STAFF, Role.VIEWER, Role.AUDITOR])
def test_the_office_home_has_no_unit_planner(client, unit_a, role):
    html = login(client, make_user(role)).get(reverse("home")).content.decode()
    assert 'id="target-planner"' not in html


def test_scorecard_shows_the_planner_of_its_unit_and_period(client_for):
    ended = YEAR - 1  # a whole year, over: nothing to estimate (in December the current year is not over)
    for instructions in (10, 8, 7, 6, 5):
        make_scored_unit("district", instructions, year=ended)
    unit = make_scored_unit("district", 1, year=ended)
    response = client_for("staff").get(reverse("scoring:scorecard", args=[unit.pk, ended]) + "?through=12")
    html = response.content.decode()
    report = compute_scores(ended, 12)
    assert response.context["plan"].score.facts.unit_id == unit.pk
    assert f"距先进单位末位还差 <strong>{response.context['plan'].gaps[0].gap}</strong> 分" in html
    assert 'id="target-planner"' in html and "估算" not in html
    assert _score(report, unit).rank == 6


def test_a_model_unit_sees_its_lead(client_for, personas):
    top = make_scored_unit("district", 12, year=YEAR)  # with unit A's fixture: 12, 10, 8, 7, 6, 5, 1
    officer = personas["officer_a"]
    officer.unit = top
    officer.save()
    html = client_for("officer_a").get(reverse("home")).content.decode()
    # Model: places 1-2; the best unit outside them has 8 instructions: a lead of (12 - 8) × 2.
    assert "位列<strong>标兵单位</strong>" in html and "领先标兵单位以外的最高分 8.00 分" in html
    assert "已位列标兵单位" in html and "还差" not in html


def test_ranking_rows_carry_a_compact_planner(client_for, unit_a):
    html = client_for("viewer").get(reverse("scoring:ranking"), {"year": YEAR, "through": 12}).content.decode()
    report = compute_scores(YEAR, 12)
    gap = _advanced_last(report).total - _score(report, unit_a).total
    assert f"距先进单位 {gap} 分（{math.ceil(Fraction(gap) / CITY_GENERAL)} 条市级一般动态采用）" in html
    assert html.count('class="small planner-cell"') == sum(s.rank is not None for s in report.scores)


def test_an_officer_sees_the_planner_only_on_their_own_row(client_for, unit_a, unit_b):
    html = client_for("officer_a").get(reverse("scoring:ranking"), {"year": YEAR, "through": 12}).content.decode()
    assert html.count('class="small planner-cell"') == 1 and "道里区" in html


def test_planner_pages_query_counts_do_not_grow_with_units(client, personas, unit_a, django_assert_num_queries):
    officer, viewer = personas["officer_a"], personas["viewer"]
    pages = [
        (officer, reverse("home")),
        (officer, reverse("scoring:scorecard", args=[unit_a.pk, YEAR]) + "?through=12"),
        (viewer, reverse("scoring:ranking") + f"?year={YEAR}&through=12"),
    ]

    def counts() -> list[int]:
        found = []
        for user, url in pages:
            cache.clear()
            versioning.forget_local()
            login(client, user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    for i in range(60):
        unit = make_scored_unit(["district", "county", "bureau", "office_abroad"][i % 4], i % 7, year=YEAR)
        make_submission(unit, joint=[unit_a], submitted_at=shanghai(YEAR, 1 + i % TODAY.month, 2))
    assert counts() == few
    # And pinned: warm, the ranking reads only the session, the user and the data version (the years to choose from
    # kept under it).
    with django_assert_num_queries(3):
        assert client.get(pages[2][1]).status_code == 200


def test_level_on_total_at_the_boundary_the_officer_is_told_what_the_tie_rule_means(client):
    # Districts with 10, 8, 7, 6 city instructions (2 points each), then X with one provincial adoption (2 points)
    # and the officer's unit with one city instruction (2 points): equal totals, and decision 11 puts X's
    # provincial points first, so X holds place 5, the advanced tier's last.
    for instructions in (10, 8, 7, 6):
        make_scored_unit("district", instructions, year=YEAR)
    x = make_scored_unit("district", 0, year=YEAR)
    make_adoption(x.submissions.get(), level="province", adoption_type="general", adopted_on=dt.date(YEAR, 3, 5))
    own = make_scored_unit("district", 1, year=YEAR)
    report = _report()
    assert _score(report, x).total == _score(report, own).total
    assert (_score(report, x).rank, _score(report, own).rank) == (5, 6)
    html = login(client, make_user(Role.OFFICER, own)).get(reverse("home")).content.decode()
    assert f"先进单位末位为第 5 名，{_score(report, x).total} 分" in html
    assert "本单位总分已与其持平，但按并列规则（决定11" in html and "再有任何 1 条采用即可超过" in html


def test_a_tie_straddling_the_boundary_is_explained_to_the_tied_unit(client):
    for instructions in (10, 8, 7, 6):
        make_scored_unit("district", instructions, year=YEAR)
    tied = [make_scored_unit("district", 2, year=YEAR) for _ in range(2)]  # places 5 and 5: both advanced
    make_scored_unit("district", 1, year=YEAR)
    score = _score(_report(), tied[0])
    assert score.rank == 5 and score.tie_flag and score.tier == Tier.ADVANCED
    html = login(client, make_user(Role.OFFICER, tied[0])).get(reverse("home")).content.decode()
    assert "并列跨越等次界限：按规则（决定11）一并列入先进单位，待办公厅复核" in html
    # Its lead over the first unit outside the tiers (1 instruction): 2 points.
    assert "领先获奖等次以外的最高分 2.00 分" in html
