"""The charts: one helper (core.charts) for every page; values drawn from the data, words for screen readers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from bulletins import notice as notice_module
from bulletins.models import BulletinVersion
from bulletins.notice import LEVEL_COLUMNS
from bulletins.publishing import publish_bulletin
from core.charts import bar_chart
from submissions.models import Adoption, Submission
from tests.factories import login, make_adoption, make_instruction, make_submission, make_unit, make_user, shanghai
from units.models import Sequence

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, re.S)


def svg_titled(page: str, title: str) -> str:
    return next(svg for svg in svgs(page) if f">{title}</title>" in svg)


def bar_titles(svg: str) -> list[str]:
    return re.findall(r"<rect [^>]*><title>([^<]+)</title></rect>", svg)


# --- The helper ----------------------------------------------------------------------------------------------

def test_bars_stand_in_proportion_to_their_values_and_none_draws_nothing():
    chart = bar_chart("测试", ["1月", "2月", "3月"], [4, None, 2])
    heights = [float(s.height) for bar in chart.bars for s in bar.segments]
    assert len(heights) == 2 and heights[0] == pytest.approx(2 * heights[1])
    assert [bar.value for bar in chart.bars] == ["4", "", "2"]
    assert chart.description == "1月：4；2月：无数据；3月：2。"


def test_stacked_series_add_up_and_a_shared_top_gives_one_scale():
    chart = bar_chart("测试", ["甲", "乙"], {"市": [1, 2], "省": [3, 0]}, top=8)
    first = chart.bars[0]
    assert first.value == "4" and [s.title for s in first.segments] == ["甲 市：1", "甲 省：3"]
    # Stacked: the second segment starts where the first ends; 4 of 8 fills half the plot (150 - 18 - 20 = 112).
    assert float(first.segments[0].y) == pytest.approx(float(first.segments[1].y) + float(first.segments[1].height))
    assert sum(float(s.height) for s in first.segments) == pytest.approx(112 / 2)
    assert [entry.name for entry in chart.legend] == ["市", "省"]
    assert chart.description == "甲：共4（市1，省3）；乙：共2（市2，省0）。"


def test_a_mark_lies_between_the_bar_it_follows_and_the_next():
    chart = bar_chart("测试", ["甲", "乙", "丙"], [3, 2, 1], horizontal=True, marks=[(1, "标兵")])
    second, third = chart.bars[1].segments[0], chart.bars[2].segments[0]
    mark = chart.marks[0]
    assert float(second.y) + float(second.height) <= float(mark.y1) == float(mark.y2) <= float(third.y)


# --- The bulletin ------------------------------------------------------------------------------------------------

@pytest.fixture
def month_of_facts(personas):
    """March 2024: districts and a county with adoptions at each level, points differing by unit."""
    units = [make_unit(name=f"区{i}", sequence=Sequence.DISTRICT) for i in range(3)] + [
        make_unit(name="县一", sequence=Sequence.COUNTY), make_unit(name="局一", sequence=Sequence.BUREAU)]
    for i, unit in enumerate(units):
        for level in ("city", "province", "state")[: 1 + i % 3]:
            item = make_submission(unit, submitted_at=shanghai(2024, 3, 2 + i))
            make_adoption(item, level=level, adoption_type="general", adopted_on=dt.date(2024, 3, 10 + i))
        if i == 0:
            make_instruction(item, level="city", kind="affirm", instructed_on=dt.date(2024, 3, 20))
    return units


def _expected_adoptions(data: dict) -> dict[str, dict[str, int]]:
    expected: dict[str, dict[str, int]] = {}
    for unit in data["units"]:
        label = Sequence(unit["sequence"]).label
        for level, level_label in LEVEL_COLUMNS:
            expected.setdefault(label, {}).setdefault(level_label, 0)
            expected[label][level_label] += unit["adopted"]["month"][level]
    return expected


def _check_bulletin_charts(page: str, data: dict) -> None:
    adoptions = svg_titled(page, "2024年3月各序列被采用情况（次）")
    expected = _expected_adoptions(data)
    assert bar_titles(adoptions) == [
        f"{sequence} {level}：{n}" for sequence, levels in expected.items() for level, n in levels.items() if n
    ]
    for sequence, levels in expected.items():
        assert f"{sequence}：共{sum(levels.values())}" in adoptions  # the <desc>
    points = sorted(((Decimal(u["points"]["month"]), u["unit"]) for u in data["units"] if Decimal(u["points"]["month"])),
                    key=lambda p: -p[0])[:10]
    top = svg_titled(page, f"2024年3月得分前{len(points)}名单位")
    assert bar_titles(top) == [f"{name}：{value:.2f}" for value, name in points]


def test_the_preview_draws_adoptions_per_sequence_and_the_months_top_units(month_of_facts, client_for):
    from bulletins.services import build_bulletin

    page = client_for("staff").get(reverse("bulletins:preview", args=["2024-03"])).content.decode()
    _check_bulletin_charts(page, build_bulletin(2024, 3))


@pytest.mark.parametrize("persona", ["admin", "staff", "viewer", "officer_a", "officer_b"])
def test_the_published_notice_draws_the_frozen_numbers_once(month_of_facts, persona, client_for, monkeypatch):
    version = publish_bulletin(MARCH, None)
    client_for("staff").get(reverse("bulletins:detail", args=["2024-03"]))  # rendered once, for everyone
    # Later facts do not move a published chart, and a view does not draw it again.
    make_adoption(make_submission(month_of_facts[4], submitted_at=shanghai(2024, 3, 9)), adopted_on=dt.date(2024, 3, 9))
    monkeypatch.setattr(notice_module, "notice_charts", lambda *a: pytest.fail("drawn again"))
    page = client_for(persona).get(reverse("bulletins:detail", args=["2024-03"])).content.decode()
    _check_bulletin_charts(page, BulletinVersion.objects.get(pk=version.pk).data)


def test_a_month_without_points_draws_no_top_units_chart(personas, client_for):
    make_unit(name="区一", sequence=Sequence.DISTRICT)
    page = client_for("staff").get(reverse("bulletins:preview", args=["2024-03"])).content.decode()
    assert len(svgs(page)) == 1 and "得分前" not in page


# --- A unit's page -------------------------------------------------------------------------------------------

@pytest.fixture
def unit_year(unit_a, unit_b):
    """Unit A's 2024: own items, a confirmed joint item of unit B's, an invalid item, adoptions at two levels;
    a pending joint item does not count (decision 10)."""
    own = make_submission(unit_a, submitted_at=shanghai(2024, 1, 31, 23, 30))  # January in Beijing
    make_submission(unit_a, submitted_at=shanghai(2024, 5, 3))
    make_submission(unit_a, submitted_at=shanghai(2024, 5, 4), invalid_reason="重复")
    joint = make_submission(unit_b, joint=[unit_a], submitted_at=shanghai(2024, 5, 6))
    make_submission(unit_b, pending=[unit_a], submitted_at=shanghai(2024, 6, 6))
    make_adoption(own, adopted_on=dt.date(2024, 2, 1))
    make_adoption(joint, level="province", adoption_type="general", adopted_on=dt.date(2024, 5, 20))
    make_submission(unit_a, submitted_at=shanghai(2023, 12, 3))  # another year


def _unit_page(client, unit, year=2024):
    return client.get(reverse("units:detail", args=[unit.pk]), {"year": year})


@pytest.mark.parametrize(("persona", "status"), [
    ("admin", 200), ("staff", 200), ("viewer", 200), ("officer_a", 200), ("officer_b", 404), ("anonymous", 302),
])
def test_a_units_page_draws_its_year_by_month(unit_year, unit_a, persona, status, client_for):
    response = _unit_page(client_for(persona), unit_a)
    assert response.status_code == status
    if status != 200:
        return
    page = response.content.decode()
    items = Submission.objects.counted().of_unit(unit_a)
    months = [timezone.localtime(at).month for at in items.values_list("submitted_at", flat=True)
              if timezone.localtime(at).year == 2024]
    submitted = svg_titled(page, f"{unit_a.name}2024年各月报送信息（条）")
    assert bar_titles(submitted) == [f"{m}月：{months.count(m)}" for m in range(1, 13) if months.count(m)]
    adoptions = Adoption.objects.filter(submission__in=items, adopted_on__year=2024)
    adopted = svg_titled(page, f"{unit_a.name}2024年各月被采用（次，按层级）")
    assert bar_titles(adopted) == [f"{a.adopted_on.month}月 {a.get_level_display()}采用：1"
                                   for a in adoptions.order_by("adopted_on")]
    assert "上一年（2023年）" in page and "下一年（2025年）" in page


def test_an_auditor_does_not_open_a_units_page(unit_year, unit_a, client_for):
    auditor = login(client_for("anonymous"), make_user(Role.AUDITOR))
    assert auditor.get(reverse("units:detail", args=[unit_a.pk])).status_code == 403


@pytest.mark.parametrize("items", [2, 40])
def test_a_units_page_query_count_does_not_grow_with_items(unit_a, items, client_for, django_assert_num_queries):
    for i in range(items):
        item = make_submission(unit_a, joint=[make_unit()] if i % 3 == 0 else [], submitted_at=shanghai(2024, 1 + i % 12, 2))
        make_adoption(item, adopted_on=dt.date(2024, 1 + i % 12, 3))
    client = client_for("staff")
    # Session, user, the unit, its people; the items per month, the adoptions per month.
    with django_assert_num_queries(6):
        assert _unit_page(client, unit_a).status_code == 200


def test_a_chart_drawn_again_from_kept_bars_equals_one_drawn_afresh():
    from core import charts

    names = [f"单位{i}" for i in range(6)]
    before = [Decimal(v) for v in ("9.50", "8", "7.25", "7", "3", "1")]
    after = [*before[:3], Decimal("1.5"), *before[4:]]  # one value moves; the others keep their bars
    assert bar_chart("甲", names, before, horizontal=True).bars_svg  # its bars built and written, then kept
    again = bar_chart("甲", names, after, horizontal=True)
    charts._bar.cache_clear()
    charts._bar_svg.cache_clear()
    fresh = bar_chart("甲", names, after, horizontal=True)
    assert again.bars_svg == fresh.bars_svg and again.bars == fresh.bars
    # A kept bar is found by the value as shown: 1.5 and 1.50 are equal numbers, written apart.
    shown = bar_chart("甲", names, [*after[:3], Decimal("1.50"), *after[4:]], horizontal=True)
    assert ">1.5<" in again.bars_svg and ">1.50<" in shown.bars_svg
