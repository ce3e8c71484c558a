"""Duplicate warnings on the item forms and the office's likely duplicates across units (issue 16).

"Nearly the same" (submissions.duplicates): normalized titles (NFKC, case folded, no whitespace, punctuation or
symbols) that are equal, or one contains the other and the shorter has at least 8 characters, or difflib's
ratio is at least 0.9.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from difflib import SequenceMatcher
from fractions import Fraction
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.locking import StaleEdit
from audit.models import EventKind
from scoring.engine import round2
from scoring.services import compute_scores
from submissions import services
from submissions.duplicates import CONTAINED_MIN, NEAR_RATIO, month_groups, nearly_same, normalize_title
from submissions.models import DeskState, JointUnit, Submission
from submissions.services import repair_derived
from tests.factories import (
    PERSONAS,
    login,
    make_adoption,
    make_request,
    make_submission,
    make_unit,
    make_user,
    on_postgresql,
    recorded,
    run_together,
    shanghai,
)
from tests.test_tallies import assert_current
from units import versioning

NOW = timezone.now()
TITLE = "道里区推进冬季供热保障工作"


def same(a: str, b: str) -> bool:
    return nearly_same(normalize_title(a), normalize_title(b))


# --- the rule, on plain strings ------------------------------------------------------------------------------


def test_normalized_titles_ignore_spaces_punctuation_width_and_case():
    assert normalize_title(" 道里区：推进 冬季供热（保障）工作！ ") == "道里区推进冬季供热保障工作"
    assert normalize_title("ＡＢＣ１２３ 全角") == normalize_title("abc123全角")
    assert same("2026年“冰雪节”开幕", "2026年冰雪节开幕。")


def test_one_title_containing_the_other_is_the_same_when_the_shorter_has_eight_characters():
    short = "推进冬季供热保障工作"  # 10 characters
    assert len(normalize_title(short)) >= CONTAINED_MIN and same(short, "道里区" + short)
    assert not same("供热保障", "道里区推进冬季供热保障")  # 4 characters: not enough, and the ratio is low
    assert SequenceMatcher(None, "供热保障", "道里区推进冬季供热保障").ratio() < NEAR_RATIO


def test_titles_with_a_ratio_of_at_least_ninety_percent_are_nearly_the_same():
    a, b = "道里区推进冬季供热保障工作取得明显成效", "道里区推进冬季供暖保障工作取得明显成效"
    assert SequenceMatcher(None, a, b).ratio() >= NEAR_RATIO and same(a, b)
    c = "南岗区推进冬季供暖保障工作"
    assert SequenceMatcher(None, a, c).ratio() < NEAR_RATIO and not same(a, c)


# --- the warning on the item forms ---------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def item_post(**kw) -> dict:
    data = {"title": "道里区 推进冬季供热保障工作！", "info_type": "general", "body": "今年供热面积新增……",
            "form_token": str(uuid.uuid4())}
    data.update(kw)
    return data


def test_officer_is_warned_of_the_units_item_of_the_last_30_days_and_nothing_is_saved(client, personas, unit_a):
    earlier = make_submission(unit_a, title=TITLE, submitted_at=NOW - dt.timedelta(days=29))
    response = login(client, personas["officer_a"]).post(reverse("submissions:create"), item_post())
    html = response.content.decode()
    assert response.status_code == 200 and Submission.objects.count() == 1
    assert 'id="duplicate-warning"' in html and earlier.ledger_no in html
    assert f'href="{reverse("submissions:detail", args=[earlier.pk])}"' in html
    # Everything typed is kept, and the button that saves anyway is there.
    assert 'value="道里区 推进冬季供热保障工作！"' in html and "今年供热面积新增……" in html
    assert 'name="confirm_duplicate" value="1"' in html and "仍然报送" in html


def test_confirmed_it_is_saved_once_and_a_repeat_of_that_post_creates_nothing(client, personas, unit_a):
    make_submission(unit_a, title=TITLE)
    client = login(client, personas["officer_a"])
    data = item_post()
    assert client.post(reverse("submissions:create"), data).status_code == 200
    first = client.post(reverse("submissions:create"), {**data, "confirm_duplicate": "1"})
    item = Submission.objects.latest("pk")
    assert first.status_code == 302 and first["Location"] == reverse("submissions:detail", args=[item.pk])
    # The same form again (a double click, Back and 提交): its one-time token sends it to the item it made.
    again = client.post(reverse("submissions:create"), {**data, "confirm_duplicate": "1"})
    assert again["Location"] == first["Location"] and Submission.objects.count() == 2
    assert recorded(model="submissions.Submission", kind=EventKind.CREATE).count() == 1


def test_a_reloaded_form_after_a_successful_report_is_warned(client, personas):
    client = login(client, personas["officer_a"])
    assert client.post(reverse("submissions:create"), item_post()).status_code == 302
    # A fresh form (a new token), the same title: the warning stops it.
    response = client.post(reverse("submissions:create"), item_post())
    assert response.status_code == 200 and 'id="duplicate-warning"' in response.content.decode()
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("earlier", [
    {"submitted_at": NOW - dt.timedelta(days=31)},  # older than 30 days
    {"invalid_reason": "报送单位撤回"},  # not counted
    {"other_unit": True},
    {"title": "南岗区推进冬季供暖保障"},  # another item
])
def test_no_warning(client, personas, unit_a, earlier):
    unit = make_unit() if earlier.pop("other_unit", False) else unit_a
    make_submission(unit, **{"title": TITLE, **earlier})
    response = login(client, personas["officer_a"]).post(reverse("submissions:create"), item_post())
    assert response.status_code == 302 and Submission.objects.count() == 2


def test_the_office_form_compares_with_the_chosen_units_items_around_the_items_time(client, personas, unit_b):
    earlier = make_submission(unit_b, title=TITLE, submitted_at=shanghai(2024, 3, 20))
    staff = login(client, personas["staff"])
    post = {**item_post(), "unit": unit_b.pk, "submitted_at": "2024-03-05T09:00"}
    response = staff.post(reverse("submissions:create"), post)
    assert response.status_code == 200 and earlier.ledger_no in response.content.decode()
    assert "仍然报送" in response.content.decode()
    assert staff.post(reverse("submissions:create"), {**post, "submitted_at": "2024-01-05T09:00"}).status_code == 302


def test_an_edit_is_warned_only_when_its_title_becomes_a_duplicate(client, personas, unit_a):
    make_submission(unit_a, title=TITLE)
    item = make_submission(unit_a, title="另一条信息", desk_state=DeskState.PENDING)
    client = login(client, personas["officer_a"])
    url = reverse("submissions:edit", args=[item.pk])
    data = {"title": TITLE, "info_type": "general", "body": "", "version": item.version}
    assert client.post(url, data).status_code == 200
    assert Submission.objects.get(pk=item.pk).title == "另一条信息"
    assert client.post(url, {**data, "confirm_duplicate": "1"}).status_code == 302
    item.refresh_from_db()
    # Saved again with its own (now duplicate) title: no question.
    assert client.post(url, {**data, "body": "补充", "version": item.version}).status_code == 302


# --- the office's page of likely duplicates across units -----------------------------------------------------


@pytest.fixture
def november():
    """Three units report the same flood-control meeting in November; one of them twice; a fourth item is
    another matter; one similar item is in October and one is invalid."""
    a, b, c = make_unit(name="道里区"), make_unit(name="南岗区"), make_unit(name="香坊区")
    at = lambda day: shanghai(2026, 11, day)  # noqa: E731
    group = [
        make_submission(a, title="全市防汛抗旱工作会议召开", submitted_at=at(3), desk_state=DeskState.PENDING),
        make_submission(b, title="全市防汛抗旱工作会议召开。", submitted_at=at(4), desk_state=DeskState.PENDING),
        make_submission(c, title="全市防汛抗旱工作会议 召开", submitted_at=at(5)),
        make_submission(a, title="全市防汛抗旱工作会议召开", submitted_at=at(6)),
    ]
    make_submission(b, title="南岗区冰雪旅游季启动", submitted_at=at(7))
    make_submission(c, title="全市防汛抗旱工作会议召开", submitted_at=shanghai(2026, 10, 30))
    make_submission(c, title="全市防汛抗旱工作会议召开", submitted_at=at(8), invalid_reason="重复报送")
    return {"units": (a, b, c), "group": group}


def test_month_groups_gather_the_same_event_of_several_units(november):
    groups = month_groups(2026, 11)
    assert [[item.pk for item in g] for g in groups] == [[item.pk for item in november["group"]]]
    assert month_groups(2026, 10) == []  # one unit's item alone is no group


def test_a_unit_alone_repeating_a_title_is_not_a_group_across_units():
    unit = make_unit()
    make_submission(unit, title="同一单位重复标题", submitted_at=shanghai(2026, 11, 3))
    make_submission(unit, title="同一单位重复标题", submitted_at=shanghai(2026, 11, 4))
    assert month_groups(2026, 11) == []


@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("staff", 200), ("officer_a", 403),
                                                 ("officer_b", 403), ("viewer", 403), ("anonymous", 302)])
def test_duplicates_page_access(client, personas, persona, status):
    assert persona in PERSONAS
    assert login(client, personas[persona]).get(reverse("submissions:duplicates")).status_code == status


def test_duplicates_page_lists_the_groups_and_its_query_count_is_fixed(client, personas, november,
                                                                       django_assert_num_queries):
    staff = login(client, personas["staff"])
    url = reverse("submissions:duplicates") + "?month=2026-11"
    html = staff.get(url).content.decode()
    assert html.count('class="card mb-3 duplicate-group"') == 1
    for item in november["group"]:
        assert f'name="version_{item.pk}" value="{item.version}"' in html
    for i in range(30):
        title = "".join(chr(0x4E00 + 10 * i + k) for k in range(10))  # 30 titles without a character in common
        for unit in (make_unit(), make_unit()):
            make_submission(unit, title=title, submitted_at=shanghai(2026, 11, 10))
    with django_assert_num_queries(4):  # session, user, the data version, the month's items with their units
        html = staff.get(url).content.decode()
    assert html.count('class="card mb-3 duplicate-group"') == 31
    with django_assert_num_queries(3):  # grouped once per state of the data
        assert staff.get(url).content.decode().count('class="card mb-3 duplicate-group"') == 31
    assert "格式不正确" in staff.get(reverse("submissions:duplicates") + "?month=2026-13x", follow=True).content.decode()


# --- merging a group into one joint item ---------------------------------------------------------------------


def merge_post(main: Submission, items: list[Submission], **kw) -> dict:
    data = {"main": main.pk, "items": [i.pk for i in items], "month": "2026-11",
            **{f"version_{i.pk}": i.version for i in items}}
    data.update(kw)
    return data


def fresh_scores(year: int) -> dict:
    """Every unit's (counted items, adoption points, total) as a full recomputation gives them (nothing cached)."""
    cache.clear()
    versioning.forget_local()
    return scores_of(year)


def scores_of(year: int) -> dict:
    return {s.facts.unit_id: (s.facts.counted, s.adoption, s.total) for s in compute_scores(year).scores}


def test_merge_asks_first_then_makes_one_joint_item_and_derived_data_equal_a_recomputation(client, personas, november):
    a, b, c = november["units"]
    main, *others = november["group"]
    make_adoption(main, level="city", adoption_type="general", adopted_on=dt.date(2026, 11, 20))
    pending = make_unit(name="松北区")
    JointUnit.objects.create(submission=others[0], unit=pending)  # named by B's officer, not yet confirmed
    assert_current()
    before = fresh_scores(2026)
    staff = login(client, personas["staff"])
    url = reverse("submissions:duplicate_merge")
    asked = staff.post(url, merge_post(main, november["group"]))
    html = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in html and "确认合并" in html
    assert "南岗区、香坊区成为其已确认的联合报送单位" in html
    assert not JointUnit.objects.filter(submission=main).exists()

    done = staff.post(url, {**merge_post(main, november["group"]), "confirmed": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("submissions:detail", args=[main.pk])
    main.refresh_from_db()
    joints = {j.unit_id: j.confirmed for j in JointUnit.objects.filter(submission=main)}
    assert joints == {b.pk: True, c.pk: True, pending.pk: False}
    assert main.unit_count == 3 and main.version == 2
    for other in others:
        other.refresh_from_db()
        assert other.is_invalid and other.invalid_reason == f"重复报送，已并入联合报送信息{main.ledger_no}"
        assert other.version == 2
    assert others[0].desk_state == DeskState.WITHDRAWN and others[1].desk_state == DeskState.OFF_DESK
    # The pending joint unit moved: it is asked on the main item only.
    assert not JointUnit.objects.filter(submission=others[0]).exists()
    # Audited: the main item's joint units before and after, each other item's invalidation.
    change = recorded(model="submissions.Submission", object_id=main.pk).get()
    assert change.changes["联合报送单位"] == ["", "南岗区、松北区（待确认）、香坊区"]
    assert recorded(kind=EventKind.INVALIDATE).count() == 3
    moved = recorded(kind=EventKind.INVALIDATE, object_id=others[0].pk).get()
    assert moved.changes["联合报送单位"] == ["松北区（待确认）", ""] and moved.changes["无效"] == ["否", "是"]
    # Derived data: tallies, unit counts and fact owners equal a recomputation; the scores too.
    assert_current()
    repaired = repair_derived()
    assert (repaired.unit_counts, repaired.fact_owners) == (0, 0)
    cached = scores_of(2026)
    after = fresh_scores(2026)
    assert cached == after
    # Each unit still counts the event once (A: its own item, B and C as confirmed joint units); A's second
    # report of it no longer counts.
    assert [after[u.pk][0] for u in (a, b, c)] == [before[a.pk][0] - 1, before[b.pk][0], before[c.pk][0]]
    # The city adoption's 1 point is split among the three units now (decision 10).
    assert before[a.pk][1] == round2(Fraction(1)) and before[b.pk][1] == 0
    assert after[a.pk][1] == after[b.pk][1] == after[c.pk][1] == round2(Fraction(1, 3))


def test_a_merge_of_items_changed_since_the_page_was_shown_is_refused(client, personas, november):
    main, *others = november["group"]
    data = {**merge_post(main, november["group"]), "confirmed": "1"}
    Submission.objects.filter(pk=others[1].pk).update(version=5)
    response = login(client, personas["staff"]).post(reverse("submissions:duplicate_merge"), data, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert not JointUnit.objects.exists() and not Submission.objects.filter(pk=others[0].pk, is_invalid=True).exists()


@pytest.mark.parametrize("blocker", ["adoption", "request", "invalid"])
def test_a_merge_that_would_lose_points_or_answers_is_refused_before_asking(client, personas, november, blocker):
    main, other, *_ = november["group"]
    if blocker == "adoption":
        make_adoption(other, adopted_on=dt.date(2026, 11, 20))
        expected = "已有采用或批示记录"
    elif blocker == "request":
        Submission.objects.filter(pk=other.pk).update(special_request=make_request([other.unit]))
        expected = "是专约的答复"
    else:
        Submission.objects.filter(pk=other.pk).update(is_invalid=True, invalid_reason="测试")
        expected = "已标记无效"
    response = login(client, personas["staff"]).post(reverse("submissions:duplicate_merge"),
                                                     merge_post(main, [main, other]), follow=True)
    assert expected in response.content.decode() and not JointUnit.objects.exists()


@pytest.mark.parametrize("data", [
    {"items": []}, {"main": "x"}, {"items": ["1", "abc"]}, {"main": "999999999"},
    {"items": ["999999998", "999999999"], "main": "999999999", "version_999999998": "1", "version_999999999": "1"},
])
def test_bad_merge_input_is_refused_in_chinese(client, personas, november, data):
    main = november["group"][0]
    response = login(client, personas["staff"]).post(reverse("submissions:duplicate_merge"),
                                                     {**merge_post(main, november["group"]), **data}, follow=True)
    assert response.status_code == 200 and not JointUnit.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("persona", ["officer_a", "viewer"])
def test_only_the_office_merges(client, personas, november, persona):
    main = november["group"][0]
    data = {**merge_post(main, november["group"]), "confirmed": "1"}
    assert login(client, personas[persona]).post(reverse("submissions:duplicate_merge"), data).status_code == 403
    assert not JointUnit.objects.exists()


def test_merge_service_keeps_tallies_current_for_the_officers_pending_joint_units():
    staff = make_user(Role.STAFF)
    a, b = make_unit(), make_unit()
    main = make_submission(a, title="同一事件", submitted_at=shanghai(2024, 3, 5), pending=[b])
    other = make_submission(b, title="同一事件", submitted_at=shanghai(2024, 3, 6))
    assert_current()
    services.merge_as_joint(main.pk, [other.pk], {main.pk: 1, other.pk: 1}, user=staff)
    # B was pending on the main item: the merge confirms it.
    assert JointUnit.objects.get(submission=main, unit=b).confirmed
    assert_current()


def test_titles_that_each_name_their_own_unit_are_each_units_own_work_not_one_event():
    daoli, nangang = make_unit(name="哈尔滨市道里区人民政府", short_name="道里区"), make_unit(name="南岗区")
    a, b = "道里区优化营商环境专项行动取得阶段性成效", "南岗区优化营商环境专项行动取得阶段性成效"
    assert same(a, b)  # nearly the same by the ratio...
    make_submission(daoli, title=a, submitted_at=shanghai(2026, 11, 3))
    make_submission(nangang, title=b, submitted_at=shanghai(2026, 11, 4))
    assert month_groups(2026, 11) == []  # ...but each names its own unit
    third = make_submission(make_unit(), title="优化营商环境专项行动取得阶段性成效", submitted_at=shanghai(2026, 11, 5))
    # A title naming no unit contains both: one event, reported three times.
    assert [len(g) for g in month_groups(2026, 11)] == [3] and third in month_groups(2026, 11)[0]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_items_at_once_one_wins_the_other_is_refused():
    staff = make_user(Role.STAFF)
    a, b, c = make_unit(), make_unit(), make_unit()
    items = [make_submission(u, title="同一事件", submitted_at=shanghai(2024, 3, 5)) for u in (a, b, c)]
    versions = {i.pk: 1 for i in items}
    results = run_together(
        lambda: services.merge_as_joint(items[0].pk, [items[1].pk, items[2].pk], versions, user=staff),
        lambda: services.merge_as_joint(items[1].pk, [items[0].pk, items[2].pk], versions, user=staff),
    )
    merged = [r for r in results if isinstance(r, Submission)]
    assert len(merged) == 1 and sum(isinstance(r, StaleEdit) for r in results) == 1
    assert Submission.objects.filter(is_invalid=False).get().pk == merged[0].pk
    assert JointUnit.objects.filter(submission=merged[0], confirmed=True).count() == 2
    assert_current()


def test_an_adopted_item_is_offered_as_the_main_one(client, personas, november):
    adopted = november["group"][2]
    make_adoption(adopted, adopted_on=dt.date(2026, 11, 20))
    assert month_groups(2026, 11)[0][0] == adopted
    html = login(client, personas["staff"]).get(reverse("submissions:duplicates") + "?month=2026-11").content.decode()
    assert f'name="main" value="{adopted.pk}" aria-label="保留{adopted.ledger_no}为主信息" checked' in html
    assert "已采用" in html


# --- the page in pages of 50 groups (issue 12) -----------------------------------------------------------------


def test_the_ratio_bounds_checked_first_never_change_the_rule():
    """nearly_same skips the matcher when the lengths or the characters in common cannot reach the ratio: on many
    pairs of close and far titles it answers as the rule written plainly."""
    rng = random.Random(12)
    words = ["防汛", "抗旱", "工作", "会议", "召开", "全市", "冬季", "供热", "保障", "推进", "道里区", "哈尔滨", "的", "会"]
    for _ in range(5000):
        a = "".join(rng.choices(words, k=rng.randint(2, 9)))
        b = a if rng.random() < 0.2 else "".join(rng.choices(words, k=rng.randint(2, 9)))
        if rng.random() < 0.5:  # a close variant: a word changed, added or dropped
            k = rng.randrange(len(b) + 1)
            b = b[:k] + rng.choice(["", *words]) + b[k + rng.randint(0, 2):]
        short, long = sorted((a, b), key=len)
        plain = bool(a and b) and (a == b or (len(short) >= CONTAINED_MIN and short in long)
                                   or SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_RATIO)
        assert nearly_same(a, b) == plain, (a, b)


def distinct_title(i: int) -> str:
    return "".join(chr(0x4E00 + 10 * i + k) for k in range(10))  # no character in common with another i


def add_groups(n: int, start: int = 0, day: int = 10) -> None:
    """n groups of two units' items, each group with a title of its own (identical in the group)."""
    for i in range(start, start + n):
        for unit in (make_unit(), make_unit()):
            make_submission(unit, title=distinct_title(i), submitted_at=shanghai(2026, 11, day))


GROUP = 'class="card mb-3 duplicate-group"'
URL = reverse("submissions:duplicates") + "?month=2026-11"


def page_of(page: str) -> str:
    """The month's page `page` (the test client's `data` would replace the month in the address)."""
    return f"{URL}&{urlencode({'page': page})}"


def test_the_page_shows_50_groups_and_its_queries_do_not_grow_with_the_groups(client, personas, django_assert_num_queries):
    staff = login(client, personas["staff"])
    add_groups(2)
    with django_assert_num_queries(4):  # session, user, the data version, the month's items with their units
        assert staff.get(URL).content.decode().count(GROUP) == 2
    with django_assert_num_queries(3):  # grouped once per state of the data
        staff.get(URL)
    add_groups(60, start=2)
    with django_assert_num_queries(4):
        html = staff.get(URL).content.decode()
    assert html.count(GROUP) == 50 and "共 62 组、124 条疑似重复的信息" in html
    assert "第 1 组" in html and "第 50 组" in html and "第 51 组" not in html
    with django_assert_num_queries(3):
        html = staff.get(URL + "&page=2").content.decode()
    # The last page: the other twelve, numbered on, with the way back and none further.
    assert html.count(GROUP) == 12 and "第 51 组" in html and "第 62 组" in html
    assert "第 2 / 2 页，共 62 组" in html and "上一页" in html and "下一页" not in html
    assert 'name="page" value="2"' in html


@pytest.mark.parametrize(("page", "message", "shown"), [
    ("abc", "页码应为正整数，已显示第 1 页。", 1), ("0", "页码应为正整数，已显示第 1 页。", 1),
    ("-1", "页码应为正整数，已显示第 1 页。", 1), ("2.5", "页码应为正整数，已显示第 1 页。", 1),
    ("２", "页码应为正整数，已显示第 1 页。", 1), ("3", "共 2 页，已显示最后一页。", 2),
    ("9" * 5000, "共 2 页，已显示最后一页。", 2),
])
def test_a_bad_page_number_shows_a_page_with_a_chinese_message(client, personas, page, message, shown):
    add_groups(51)
    response = login(client, personas["staff"]).get(page_of(page))
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert f'第 {shown} / 2 页' in html and html.count(GROUP) == (50 if shown == 1 else 1)


def test_a_month_without_groups_has_one_empty_page(client, personas):
    html = login(client, personas["staff"]).get(page_of("2")).content.decode()
    assert 'id="no-duplicates"' in html and "共 1 页，已显示最后一页。" in html


def test_a_merge_from_page_2_returns_to_page_2(client, personas):
    add_groups(50)
    a, b = make_unit(), make_unit()
    late = [make_submission(unit, title="全市防汛抗旱工作会议召开", submitted_at=shanghai(2026, 11, 20)) for unit in (a, b)]
    staff = login(client, personas["staff"])
    html = staff.get(page_of("2")).content.decode()
    assert html.count(GROUP) == 1 and late[0].ledger_no in html and 'name="page" value="2"' in html
    url = reverse("submissions:duplicate_merge")
    data = {**merge_post(late[0], late), "page": "2"}
    asked = staff.post(url, data).content.decode()
    # The confirmation goes back to page 2 and posts the page on.
    assert f'href="{URL}&amp;page=2"' in asked and 'name="page" value="2"' in asked
    Submission.objects.filter(pk=late[1].pk).update(version=5)  # changed meanwhile: refused, back to page 2
    refused = staff.post(url, {**data, "confirmed": "1"})
    assert refused.status_code == 302 and refused["Location"] == URL + "&page=2"
    assert not JointUnit.objects.exists()
    late[1].refresh_from_db()
    done = staff.post(url, {**merge_post(late[0], late), "page": "2", "confirmed": "1"})
    assert done["Location"] == reverse("submissions:detail", args=[late[0].pk])
    assert JointUnit.objects.get(submission=late[0]).unit == b
    # Merged: no longer a group, and page 2 no longer exists.
    html = staff.get(page_of("2")).content.decode()
    assert "共 1 页，已显示最后一页。" in html and html.count(GROUP) == 50 and f'name="main" value="{late[0].pk}"' not in html


def test_a_group_larger_than_a_merge_shows_its_first_items_and_the_rest_after_that_merge(client, personas):
    units = [make_unit() for _ in range(23)]
    items = [make_submission(unit, title="全市防汛抗旱工作会议召开", submitted_at=shanghai(2026, 11, 3, minute=n))
             for n, unit in enumerate(units)]
    staff = login(client, personas["staff"])
    html = staff.get(URL).content.decode()
    assert "第 1 组 · 23 条 · 23 个单位 · 标题相同" in html and "本组共 23 条，这里列出前 20 条" in html
    assert html.count('name="items"') == 20 and items[19].ledger_no in html and items[20].ledger_no not in html
    shown = items[:20]
    staff.post(reverse("submissions:duplicate_merge"), {**merge_post(shown[0], shown), "confirmed": "1"})
    html = staff.get(URL).content.decode()
    assert "第 1 组 · 4 条 · 4 个单位" in html and "这里列出前" not in html
    assert all(item.ledger_no in html for item in [items[0], *items[20:]])


def test_groups_of_the_same_title_come_first_then_the_larger(november):
    a, b = make_unit(), make_unit()
    pair = [make_submission(u, title="冬季供热保障工作会议召开", submitted_at=shanghai(2026, 11, 20)) for u in (a, b)]
    titles = ("推进冬季冰雪旅游季活动有序开展", "推进冬季冰雪旅游季活动有序开展。", "推进冬季冰雪旅游季活动有序开展了")
    near = [make_submission(u, title=t, submitted_at=shanghai(2026, 11, 2))
            for u, t in zip((a, b, make_unit()), titles, strict=True)]
    groups = month_groups(2026, 11)
    assert [list(g) for g in groups] == [november["group"], pair, near]
    assert [(len(g), g.units, g.same_title) for g in groups] == [(4, 3, True), (2, 2, True), (3, 3, False)]


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "viewer"])
def test_officers_are_refused_every_page_and_the_merge_from_it(client, personas, november, persona):
    add_groups(50)
    user = login(client, personas[persona])
    assert user.get(page_of("2")).status_code == 403
    main = november["group"][0]
    data = {**merge_post(main, november["group"]), "page": "2", "confirmed": "1"}
    assert user.post(reverse("submissions:duplicate_merge"), data).status_code == 403
    assert not JointUnit.objects.exists()
