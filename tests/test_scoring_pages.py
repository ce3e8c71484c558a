"""The ranking page, its workbook, and the scorecard that explains every point (issue 4, "pages")."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import AssessmentYear, RuleSet
from scoring.rules import RULES_2008
from scoring.services import compute_scores
from tests.factories import (
    login,
    make_adoption,
    make_basic_work,
    make_failure,
    make_instruction,
    make_request,
    make_scored_unit,
    make_submission,
    make_unit,
    shanghai,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_a():
    return make_unit(name="道里区", sequence="district")


@pytest.fixture
def unit_b():
    return make_unit(name="南岗区", sequence="district")


YEAR = 2024
POINTS = 15  # each reporting item (Art. 8)


def money(value: Fraction) -> str:
    """Half-up to two decimals, as the rules round every component."""
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _ranking(client, **params):
    return client.get(reverse("scoring:ranking"), {"year": YEAR, "through": 12, **params})


def _scorecard_url(unit) -> str:
    return reverse("scoring:scorecard", args=[unit.pk, YEAR]) + "?through=12"


@pytest.fixture
def year_of_facts(unit_a, unit_b):
    """Unit A: 137 counted items (3 of them research), one late urgent report, three special requests (on
    time, late, never answered), a city adoption, a joint provincial research adoption split three ways and
    a city affirm instruction. Unit B: a basic-work entry and a few items."""
    make_basic_work(unit_a, year=YEAR, items=["5", "4.5", "5", "5", "5", "5", "5", "4"], note="抽查")
    make_basic_work(unit_b, year=YEAR)
    on_time = make_request([unit_a], code="ZY-1", title="一季度经济运行", deadline=shanghai(YEAR, 3, 31, 17))
    late = make_request([unit_a], code="ZY-2", title="防汛准备", deadline=shanghai(YEAR, 6, 30, 17))
    make_request([unit_a], code="ZY-3", title="冰雪旅游", deadline=shanghai(YEAR, 11, 30, 17))
    answers = [
        make_submission(unit_a, submitted_at=shanghai(YEAR, 3, 30), special_request=on_time),
        make_submission(unit_a, submitted_at=shanghai(YEAR, 7, 2), special_request=late),
    ]
    research = [make_submission(unit_a, info_type="small_research", submitted_at=shanghai(YEAR, m, 10)) for m in (2, 5, 8)]
    adopted = make_submission(unit_a, title="道里区优化营商环境", submitted_at=shanghai(YEAR, 4, 1))
    joint = make_submission(unit_b, joint=[unit_a, make_unit()], title="三区联合调研", submitted_at=shanghai(YEAR, 4, 2))
    rest = 137 - len(answers) - len(research) - 2  # the adopted item, and the joint item counts for unit A too
    for i in range(rest):
        make_submission(unit_a, submitted_at=shanghai(YEAR, 1 + i % 12, 1 + i % 28))
    make_submission(unit_a, submitted_at=shanghai(YEAR, 5, 5), invalid_reason="重复报送")
    make_submission(unit_a, submitted_at=shanghai(YEAR + 1, 1, 5))  # outside the period
    make_failure(unit_a, kind="late", occurred_on=dt.date(YEAR, 5, 3), description="暴雨信息迟报")
    make_adoption(
        adopted,
        level="city",
        adoption_type="general",
        adopted_on=dt.date(YEAR, 4, 10),
        carrier="哈尔滨政务信息",
        issue_no="第12期",
    )
    make_adoption(joint, level="province", adoption_type="research", adopted_on=dt.date(YEAR, 5, 20))
    make_instruction(adopted, level="city", kind="affirm", instructed_on=dt.date(YEAR, 4, 15), leader="市长")
    return {"adopted": adopted, "joint": joint}


# ---------------------------------------------------------------- ranking


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("staff", 200), ("officer_a", 200), ("officer_b", 200), ("viewer", 200), ("anonymous", 302)],
)
def test_ranking_access(client, personas, persona, status):
    assert login(client, personas[persona]).get(reverse("scoring:ranking")).status_code == status


def _row_units(html: str) -> list[int]:
    """The units of the ranking's rows, in their order: each row's name links to the unit's scorecard."""
    return [int(pk) for pk in re.findall(r'<td class="unit-name"><a href="/scoring/scorecard/(\d+)/', html)]


def test_ranking_shows_every_component_per_sequence(client, personas, unit_a, unit_b, year_of_facts):
    client.force_login(personas["viewer"])
    response = _ranking(client)
    html = response.content.decode()
    report = compute_scores(YEAR)
    a = next(s for s in report.scores if s.facts.unit_id == unit_a.pk)
    for value in (a.basic, a.quota, a.urgent, a.special, a.research, a.reporting_total, a.adoption, a.instruction, a.total):
        assert f">{value}<" in html
    assert "区政府序列" in html and "委办局序列" in html
    assert "暂定排名" in html and "考核规则：2008" in html
    district = html[html.index("区政府序列"):html.index("委办局序列")]
    assert _row_units(district)[:2] == sorted(
        [unit_a.pk, unit_b.pk], key=lambda pk: next(s.rank for s in report.scores if s.facts.unit_id == pk)
    )


def test_ranking_marks_not_assessed_tiers_and_a_tie_across_the_boundary(client, personas):
    # Districts with 5, 4, 4, 4 city instructions: places 1, 2, 2, 2; the model tier ends at 2, so the three
    # tied units are all model units and flagged (decision 11).
    make_scored_unit("district", 5)
    tied = [make_scored_unit("district", 4) for _ in range(3)]
    unassessed = make_unit(sequence="district", name="未考核区")
    client.force_login(personas["staff"])
    response = _ranking(client)
    html = response.content.decode()
    scores = {s.facts.unit_id: s for s in response.context["report"].scores}
    assert all(scores[u.pk].rank == 2 and scores[u.pk].tier == "model" and scores[u.pk].tie_flag for u in tied)
    # Units A and B of the personas and the unassessed district tie at place 5, the advanced boundary: flagged too.
    assert scores[unassessed.pk].rank == 5 and scores[unassessed.pk].tier == "advanced" and scores[unassessed.pk].tie_flag
    assert html.count("并列待复核</span>") == 6
    assert html.count('badge text-bg-danger">标兵') == 4 and html.count('badge text-bg-primary">先进') == 3
    assert scores[unassessed.pk].basic is None and 'text-danger">未考核' in html


def _svg(html: str, title: str) -> str:
    return next(svg for svg in re.findall(r"<svg.*?</svg>", html, re.S) if title in svg)


def _floats(svg: str, pattern: str) -> list[float]:
    return [float(v) for v in re.findall(pattern, svg)]


def test_ranking_chart_draws_each_total_with_the_tier_lines_after_the_last_places(client, personas):
    # The same districts as above: places 1, 2, 2, 2 (model), then 5, 5, 5 (advanced).
    make_scored_unit("district", 5)
    for _ in range(3):
        make_scored_unit("district", 4)
    make_unit(sequence="district", name="未考核区")
    make_scored_unit("county", 1)
    client.force_login(personas["viewer"])
    html = _ranking(client).content.decode()
    report = compute_scores(YEAR)
    ranked = sorted((s for s in report.scores if s.facts.sequence == "district" and s.rank), key=lambda s: s.rank)
    svg = _svg(html, "区政府序列总分（全年（按比例））")
    bar = r'<rect x="[\d.]+" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="[^"]+"><title>([^<]+)</title>'
    bars = re.findall(bar, svg)
    assert [title for *_, title in bars] == [f"{s.facts.name}：{s.total}" for s in ranked]
    widths = [float(w) for _, w, _, _ in bars]
    top = max(s.total for s in ranked)
    for width, s in zip(widths, ranked, strict=True):
        assert width == pytest.approx(widths[0] * float(s.total / top), abs=0.1)
    line = r'<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="[\d.]+" stroke="#b7791f"[^>]*/>\s*<text[^>]*>([^<]+)</text>'
    lines = re.findall(line, svg)
    last = {tier: max(i for i, s in enumerate(ranked) if s.tier == tier) for tier in ("model", "advanced")}
    places = [ranked[last[tier]].rank for tier in ("model", "advanced")]
    assert [label for _, label in lines] == [f"标兵单位至第{places[0]}名", f"先进单位至第{places[1]}名"]
    for (y, _), tier in zip(lines, ("model", "advanced"), strict=True):
        i = last[tier]
        top_of, height = float(bars[i][0]), float(bars[i][2])
        assert top_of + height <= float(y) <= float(bars[i + 1][0]) if i + 1 < len(bars) else top_of + height <= float(y)
    # The numbers in words for screen readers, and the county chart on its own scale.
    assert f"{ranked[0].facts.name}：{ranked[0].total}" in re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "县(市)政府序列总分" in html


def test_officer_sees_only_their_own_units_row(client, personas, unit_a, unit_b, year_of_facts):
    client.force_login(personas["officer_a"])
    response = _ranking(client)
    html = response.content.decode()
    assert _row_units(html) == [unit_a.pk]
    assert "<svg" not in html  # the charts show every unit's total
    assert "道里区" in html and "南岗区" not in html
    assert _ranking(client, format="xlsx").status_code == 403


def test_ranking_defaults_to_the_year_so_far(client, personas):
    client.force_login(personas["staff"])
    report = client.get(reverse("scoring:ranking")).context["report"]
    from django.utils import timezone

    today = timezone.localdate()
    assert (report.period.year, report.period.through) == (today.year, today.month)
    # A past year without a month runs to December; a bad month falls back to the default.
    assert client.get(reverse("scoring:ranking"), {"year": 2020}).context["report"].period.through == 12
    assert client.get(reverse("scoring:ranking"), {"year": 2020, "through": "13"}).context["report"].period.through == 12


def test_ranking_period_changes_the_scores(client, personas, unit_a, year_of_facts):
    client.force_login(personas["staff"])
    march = _ranking(client, through=3).context["report"]
    a = next(s for s in march.scores if s.facts.unit_id == unit_a.pk)
    # Through March: the quota is 15 × 3 months, the research expectation 4 × 3 / 12 = 1.
    assert a.required == 45 and a.research_expected == 1
    assert march.period.through == 3


def test_ranking_workbook_is_the_ranking_page(client, personas, unit_a, unit_b, year_of_facts):
    client.force_login(personas["staff"])
    response = _ranking(client, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('2024年1-12月考核排名.xlsx')}"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["区政府序列", "县(市)政府序列", "委办局序列", "驻外办事处序列"]
    sheet = workbook["区政府序列"]
    assert "2024年度" in sheet["A1"].value and "区政府序列" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    report = compute_scores(YEAR)
    district = sorted((s for s in report.scores if s.facts.sequence == "district"), key=lambda s: s.rank)
    assert [r[1] for r in rows] == [s.facts.name for s in district]
    a_row = next(r for r in rows if r[1] == "道里区")
    a = next(s for s in district if s.facts.unit_id == unit_a.pk)
    assert a_row[0] == a.rank and Decimal(str(a_row[10])) == a.total and Decimal(str(a_row[3])) == a.quota


def test_ranking_query_count_is_fixed_with_many_units(client, personas, year_of_facts, django_assert_num_queries):
    with CaptureQueriesContext(connection) as scoring_queries:
        compute_scores(YEAR)
    for i in range(120):
        unit = make_unit(sequence=["district", "county", "bureau", "office_abroad"][i % 4])
        make_basic_work(unit, year=YEAR)
        item = make_submission(unit, submitted_at=shanghai(YEAR, 1 + i % 12, 3), joint=[make_unit()] if i % 5 == 0 else [])
        make_adoption(item, adopted_on=dt.date(YEAR, 1 + i % 12, 20))
        make_instruction(item, instructed_on=dt.date(YEAR, 1 + i % 12, 21))
        make_failure(unit, occurred_on=dt.date(YEAR, 1 + i % 12, 2))
    client.force_login(personas["viewer"])
    # session, user, the data version the page is kept under (read once a request), then the scoring service's
    # fixed number of queries (the version among them); the years to choose from (first and last item)
    with django_assert_num_queries(3 + len(scoring_queries)):
        assert _ranking(client).status_code == 200
    with django_assert_num_queries(3):  # rendered once per state of the data, with the years
        assert _ranking(client).status_code == 200


# ---------------------------------------------------------------- scorecard


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("staff", 200), ("officer_a", 200), ("officer_b", 404), ("viewer", 200), ("anonymous", 302)],
)
def test_scorecard_access(client, personas, unit_a, persona, status):
    assert login(client, personas[persona]).get(_scorecard_url(unit_a)).status_code == status


def test_scorecard_of_an_unknown_unit_is_404(client, personas):
    client.force_login(personas["staff"])
    assert client.get(reverse("scoring:scorecard", args=[99999, YEAR])).status_code == 404


def test_scorecard_explains_every_point(client, personas, unit_a, year_of_facts):
    client.force_login(personas["officer_a"])
    response = client.get(_scorecard_url(unit_a))
    html = response.content.decode()
    score = response.context["card"].score

    # Basic work item by item: 5 + 4.5 + 5×5 + 4 = 38.5.
    assert score.basic == Decimal("38.50")
    assert "有健全的工作制度" in html and ">4.5<" in html and "抽查" in html

    # Item 1: 137 counted of 15 × 12 = 180 required.
    quota = money(Fraction(POINTS * 137, 180))
    assert f"已报送 137 条 / 应报送 180 条 × 15 = {quota}" in html and str(score.quota) == quota

    # Item 2: one late report, deduction 5.
    assert "2024年5月3日 迟报，扣 5.00 分" in html and "暴雨信息迟报" in html
    assert score.urgent == Decimal(POINTS - 5)

    # Item 3: on time 1, late 0.5, missing 0 -> 15 × 1.5 / 3.
    special = money(Fraction(POINTS) * Fraction(3, 2) / 3)
    assert str(score.special) == special
    for text in (
        "ZY-1 一季度经济运行",
        "按时报送",
        "ZY-2 防汛准备",
        "逾期报送",
        "得分系数 0.50",
        "ZY-3 冰雪旅游",
        "未报送",
        f"得分系数合计 1.50 / 专约 3 项 × 15 = {special}",
    ):
        assert text in html, text

    # Item 4: 3 research items of the 4 expected.
    research = money(Fraction(POINTS * 3, 4))
    assert f"已报送调研信息 3 条 / 应报送 4 条 × 15 = {research}" in html and str(score.research) == research

    # Adoptions: city general 1; the joint provincial research adoption, 10 split among 3 units.
    joint_share = money(Fraction(10, 3))
    assert str(score.adoption) == money(Fraction(1) + Fraction(10, 3))
    assert f'{joint_share} <span class="text-muted small">（3家联合报送，平分）' in html
    detail = reverse("submissions:detail", args=[year_of_facts["joint"].pk])
    assert f'href="{detail}"' in html and "三区联合调研" in html
    assert "哈尔滨政务信息第12期" in html

    # Instructions: a city affirm instruction, 3 points.
    assert score.instruction == Decimal("3.00") and "市长" in html and "肯定性批示" in html
    assert f'href="{reverse("submissions:detail", args=[year_of_facts["adopted"].pk])}"' in html


def test_scorecard_itemised_points_add_up_to_the_components(client, personas, unit_a, year_of_facts):
    """The lists on the scorecard are the facts the scores were computed from: their credits and points
    add up to the scored components (within the rounding of each line)."""
    client.force_login(personas["staff"])
    card = client.get(_scorecard_url(unit_a)).context["card"]
    assert len(card.requests) == len(card.score.facts.request_outcomes)
    assert sorted(r.outcome for r in card.requests) == sorted(card.score.facts.request_outcomes)
    assert abs(sum(line.points for line in card.adoptions) - card.score.adoption) <= Decimal("0.01") * len(card.adoptions)
    assert sum(line.points for line in card.instructions) == card.score.instruction
    assert sum(d for _, d in card.failures) == POINTS - card.score.urgent


def test_scorecard_without_basic_work_says_not_assessed(client, personas):
    unit = make_unit(sequence="county")
    client.force_login(personas["staff"])
    html = client.get(reverse("scoring:scorecard", args=[unit.pk, YEAR])).content.decode()
    assert "未考核（按0分计）" in html and "本期无专约，得满分 15.00" in html and "本期无采用" in html


def test_scorecard_query_count_is_fixed(client, personas, unit_a, year_of_facts, django_assert_num_queries):
    client.force_login(personas["staff"])
    url = _scorecard_url(unit_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(120):
        unit = make_unit(sequence="district")
        item = make_submission(unit_a, submitted_at=shanghai(YEAR, 1 + i % 12, 3), joint=[unit] if i % 3 == 0 else [])
        make_adoption(item, adopted_on=dt.date(YEAR, 1 + i % 12, 20))
        make_instruction(item, instructed_on=dt.date(YEAR, 1 + i % 12, 21))
        make_request([unit_a, unit], deadline=shanghai(YEAR, 1 + i % 12, 25))
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["card"].adoptions) == 122


def test_scorecard_under_highest_level_only_shows_the_superseded_adoption_at_zero(client, personas, unit_a):
    """Decision 8, "highest level only": an item adopted by the city and the province earns the provincial
    points only; the scorecard lists the city adoption with 0 and says why."""
    params = {**RULES_2008, "adoption_mode": "highest_level"}
    rule_set = RuleSet.objects.create(name="只计最高", params=params)
    AssessmentYear.objects.create(year=YEAR, rule_set=rule_set)
    item = make_submission(unit_a, submitted_at=shanghai(YEAR, 2, 1))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(YEAR, 2, 5))
    make_adoption(item, level="province", adoption_type="general", adopted_on=dt.date(YEAR, 3, 5))
    client.force_login(personas["staff"])
    response = client.get(_scorecard_url(unit_a))
    card = response.context["card"]
    assert card.report.rule_set_name == "只计最高" and "考核规则 只计最高" in response.content.decode()
    expected = Decimal("2.00")  # Art. 9: a provincial general adoption
    assert card.score.adoption == expected
    assert [(line.fact.level, line.points, line.superseded) for line in card.adoptions] == [
        ("city", Decimal("0.00"), True),
        ("province", expected, False),
    ]
    assert "已被更高层级采用，只计最高层级" in response.content.decode()


def test_officer_row_links_to_their_own_scorecard(client, personas, unit_a):
    client.force_login(personas["officer_a"])
    html = _ranking(client).content.decode()
    assert reverse("scoring:scorecard", args=[unit_a.pk, YEAR]) in html


@pytest.mark.parametrize("year", [1999, 2101])
def test_scorecard_of_a_year_out_of_range_is_404(client, personas, unit_a, year):
    client.force_login(personas["staff"])
    assert client.get(reverse("scoring:scorecard", args=[unit_a.pk, year])).status_code == 404
    assert client.get(reverse("scoring:basic_unit", args=[unit_a.pk, year])).status_code == 404


@pytest.mark.parametrize(("through", "label"), [(11, "1–11月累计"), (3, "1–3月累计"), (1, "1月"), (12, "全年（按比例）")])
def test_every_total_names_its_period(client, personas, unit_a, through, label):
    client.force_login(personas["staff"])
    ranking = client.get(reverse("scoring:ranking"), {"year": 2024, "through": through}).content.decode()
    card = client.get(reverse("scoring:scorecard", args=[unit_a.pk, 2024]), {"through": through}).content.decode()
    assert f'总分<br><span class="small fw-normal">{label}</span>' in ranking
    assert f"<th>总分（{label}）</th>" in card


def test_the_scorecard_sections_read_a_fixed_number_of_queries_whatever_the_number_of_facts(client, personas, unit_a):
    from django.template.loader import render_to_string

    from scoring.scorecard import build_scorecard

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html = render_to_string("scoring/_scorecard_sections.html",
                                    {"card": build_scorecard(compute_scores(YEAR), unit_a)})
        assert html.count("/items/") >= adopted  # each line links to its item
        return len(captured)

    adopted = 0
    compute_scores(YEAR)  # scored before: the counts are the sections' own (and the data version)
    few = queries()
    for i in range(12):
        item = make_submission(unit_a, submitted_at=shanghai(YEAR, 1 + i % 12, 3), joint=[make_unit()] if i % 3 else [])
        make_adoption(item, adopted_on=dt.date(YEAR, 1 + i % 12, 20))
        make_instruction(item, instructed_on=dt.date(YEAR, 1 + i % 12, 21))
        adopted += 2
    compute_scores(YEAR)
    assert queries() == few  # no query per line
