"""Basic-work assessment pages (RULES.md Art. 7, decision 7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from scoring import basic_work
from scoring.models import AssessmentMethod, AssessmentYear, BasicWorkEntry, BasicWorkStatus, RuleSet
from scoring.rules import RULES_2008
from scoring.services import compute_scores
from tests.factories import login, make_basic_work, make_unit
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_a():
    return make_unit(name="道里区", sequence="district")


@pytest.fixture
def unit_b():
    return make_unit(name="南岗区", sequence="district")


YEAR = 2024


def _entry_data(items=("5",) * 8, method=AssessmentMethod.SPOT_CHECK, note="", version=0, confirmed=True) -> dict[str, str]:
    """The form as posted from the confirmation page (confirmed) or from the entry form itself; `version`: of
    the entry it writes (0: none yet)."""
    data = {**{f"item{i}": v for i, v in enumerate(items, start=1)}, "method": method, "note": note, "version": version}
    return {**data, "confirmed": "1"} if confirmed else data


def _unit_url(unit, year=YEAR) -> str:
    return reverse("scoring:basic_unit", args=[unit.pk, year])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("staff", 200), ("officer_a", 200), ("officer_b", 200), ("viewer", 200), ("anonymous", 302)],
)
def test_basic_list_access(client, personas, persona, status):
    assert login(client, personas[persona]).get(reverse("scoring:basic_list")).status_code == status


def test_basic_list_shows_confirmed_totals_not_assessed_and_pending_self_checks(client, personas, unit_a, unit_b):
    make_basic_work(unit_a, year=YEAR, items=["4.5"] + ["5"] * 7)
    make_basic_work(unit_b, year=YEAR, status=BasicWorkStatus.SELF_CHECK, method=AssessmentMethod.SELF_CHECK)
    client.force_login(personas["staff"])
    html = client.get(reverse("scoring:basic_list"), {"year": YEAR}).content.decode()
    assert "39.50" in html
    assert "未考核" in html  # unit B has only a self-check
    assert "自查 40.00 分，待确认" in html
    assert "有 1 个单位的自查结果待确认" in html


def test_officer_sees_only_their_own_unit_in_the_list(client, personas, unit_a, unit_b):
    make_basic_work(unit_a, year=YEAR, items=["3"] * 8)
    make_basic_work(unit_b, year=YEAR, items=["4"] * 8)
    client.force_login(personas["officer_a"])
    response = client.get(reverse("scoring:basic_list"), {"year": YEAR})
    html = response.content.decode()
    assert [r.unit for r in response.context["rows"]] == [unit_a]
    assert "道里区" in html and "南岗区" not in html and "32.00" not in html


@pytest.mark.parametrize(
    ("persona", "get_status", "post_status"),
    [
        ("admin", 200, 302),
        ("staff", 200, 302),
        ("officer_a", 200, 302),
        ("officer_b", 404, 404),
        ("viewer", 200, 403),
        ("anonymous", 302, 302),
    ],
)
def test_basic_unit_access(client, personas, unit_a, persona, get_status, post_status):
    c = login(client, personas[persona])
    assert c.get(_unit_url(unit_a)).status_code == get_status
    assert c.post(_unit_url(unit_a), _entry_data()).status_code == post_status
    expected = {"admin": 1, "staff": 1, "officer_a": 1}.get(persona, 0)
    assert BasicWorkEntry.objects.filter(unit=unit_a).count() == expected


def test_staff_enter_the_confirmed_entry_and_it_counts(client, personas, unit_a):
    client.force_login(personas["staff"])
    items = ["5", "4.5", "5", "3", "5", "5", "0", "2.5"]
    response = client.post(_unit_url(unit_a), _entry_data(items, AssessmentMethod.CROSS_CHECK, "互查组意见"))
    assert response.status_code == 302
    entry = BasicWorkEntry.objects.get(unit=unit_a, year=YEAR)
    assert entry.status == BasicWorkStatus.CONFIRMED and entry.method == AssessmentMethod.CROSS_CHECK
    assert entry.entered_by == personas["staff"] and entry.note == "互查组意见"
    score = next(s for s in compute_scores(YEAR).scores if s.facts.unit_id == unit_a.pk)
    assert score.basic == sum(Decimal(v) for v in items)


def test_new_entry_form_starts_empty(client, personas, unit_a):
    client.force_login(personas["staff"])
    html = client.get(_unit_url(unit_a)).content.decode()
    assert html.count('<option value="" selected>请选择</option>') == 8
    assert "selected>5.0" not in html and 'value="5.0" selected' not in html
    assert "js/basic_total.js" in html and "data-basic-total" in html


def test_saving_needs_every_item(client, personas, unit_a):
    client.force_login(personas["staff"])
    items = ["4"] * 7 + [""]
    response = client.post(_unit_url(unit_a), _entry_data(items))
    assert response.status_code == 200
    assert response.context["form"].errors["item8"] == ["请选择得分。"]
    assert not BasicWorkEntry.objects.exists()


def test_saving_asks_once_more_with_the_total_and_saves_only_when_confirmed(client, personas, unit_a):
    client.force_login(personas["staff"])
    items = ["5", "4.5", "5", "3", "5", "5", "0", "2.5"]
    response = client.post(_unit_url(unit_a), _entry_data(items, note="抽查", confirmed=False))
    html = response.content.decode()
    assert response.status_code == 200 and not BasicWorkEntry.objects.exists()
    assert f"合计：{sum(Decimal(v) for v in items):.2f}分（满分40分）" in html and "确认保存为确认结果" in html
    assert '<input type="hidden" name="item2" value="4.5">' in html and '<input type="hidden" name="note" value="抽查">' in html
    # Going back keeps what was chosen, and saves nothing.
    response = client.post(_unit_url(unit_a), {**_entry_data(items, confirmed=False), "revise": "1"})
    assert '<option value="4.5" selected>' in response.content.decode() and not BasicWorkEntry.objects.exists()
    assert client.post(_unit_url(unit_a), _entry_data(items, note="抽查")).status_code == 302
    assert BasicWorkEntry.objects.get(unit=unit_a).total == sum(Decimal(v) for v in items)


def test_all_zero_with_a_reason_needs_no_item_picked(client, personas, unit_a):
    client.force_login(personas["staff"])
    data = {"method": AssessmentMethod.SPOT_CHECK, "all_zero": "on", "note": "", "version": 0, "confirmed": "1"}
    response = client.post(_unit_url(unit_a), data)
    assert response.context["form"].errors["note"] == ["各项均为0分时，请在备注中说明原因。"]
    response = client.post(_unit_url(unit_a), {**data, "item3": "2"})
    assert response.context["form"].errors["item3"] == ["已选择“各项均记0分”，该项不能有分数。"]
    assert not BasicWorkEntry.objects.exists()
    assert client.post(_unit_url(unit_a), {**data, "note": "未参加考核"}).status_code == 302
    entry = BasicWorkEntry.objects.confirmed().get(unit=unit_a)
    assert entry.total == 0 and entry.note == "未参加考核"


def test_staff_correct_the_confirmed_entry_in_place(client, personas, unit_a):
    make_basic_work(unit_a, year=YEAR, items=["4.5"] * 8)
    client.force_login(personas["staff"])
    assert client.get(_unit_url(unit_a)).content.decode().count('<option value="4.5" selected>') == 8
    client.post(_unit_url(unit_a), _entry_data(["4"] * 8, version=1))
    assert BasicWorkEntry.objects.get(unit=unit_a, year=YEAR).total == 32


@pytest.mark.parametrize(
    ("items", "note", "field", "message"),
    [
        (["5.5"] + ["5"] * 7, "", "item1", "0至5分"),
        (["4.3"] + ["5"] * 7, "", "item1", "0.5分"),
        (["-1"] + ["5"] * 7, "", "item1", "0至5分"),
        (["abc"] + ["5"] * 7, "", "item1", "0至5分"),
        (["0"] * 8, "", "note", "各项均为0分时，请在备注中说明原因"),
        (["0"] * 8, "   ", "note", "各项均为0分时，请在备注中说明原因"),
    ],
)
def test_bad_entries_are_refused_in_chinese_and_nothing_is_saved(client, personas, unit_a, items, note, field, message):
    client.force_login(personas["staff"])
    items = list(items)
    items[7] = items[7] if items[7] != "5" else "3.5"  # a typed value to find again in the form
    response = client.post(_unit_url(unit_a), _entry_data(items, AssessmentMethod.CROSS_CHECK, note))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert '<option value="cross_check" selected>' in html
    if items[7] == "3.5":
        assert '<option value="3.5" selected>' in html and html.count('<option value="5.0" selected>') == 6
    assert "确认保存" not in html
    assert not BasicWorkEntry.objects.exists()


def test_record_zero_with_a_reason(client, personas, unit_a):
    client.force_login(personas["staff"])
    client.post(_unit_url(unit_a), _entry_data(["0"] * 8, note="未按要求参加考核，按0分记录"))
    entry = BasicWorkEntry.objects.confirmed().get(unit=unit_a)
    assert entry.total == 0
    score = next(s for s in compute_scores(YEAR).scores if s.facts.unit_id == unit_a.pk)
    assert score.basic == 0  # assessed, with 0: not "not assessed"


def test_officer_self_check_then_staff_confirm_with_a_correction(client, personas, unit_a):
    officer = login(client, personas["officer_a"])
    items = ["5", "5", "5", "5", "5", "4", "5", "5"]
    # Even a forged method is ignored: a unit's entry is a self-check.
    officer.post(_unit_url(unit_a), _entry_data(items, AssessmentMethod.SPOT_CHECK, "本单位自查"))
    self_check = BasicWorkEntry.objects.get(unit=unit_a, year=YEAR)
    assert self_check.status == BasicWorkStatus.SELF_CHECK and self_check.method == AssessmentMethod.SELF_CHECK
    score = next(s for s in compute_scores(YEAR).scores if s.facts.unit_id == unit_a.pk)
    assert score.basic is None  # a self-check does not count before the office confirms it

    staff = login(client, personas["staff"])
    response = staff.get(_unit_url(unit_a))
    # The office's form starts from the self-check: item 6 shows the unit's 4.0, the others 5.0.
    html = response.content.decode()
    assert html.count('<option value="5.0" selected>') == 7 and html.count('<option value="4.0" selected>') == 1
    assert response.context["form"].initial["note"] == "本单位自查"
    corrected = items[:5] + ["3.5"] + items[6:]
    staff.post(_unit_url(unit_a), _entry_data(corrected, AssessmentMethod.SELF_CHECK, "核实后更正第6项"))
    confirmed = BasicWorkEntry.objects.confirmed().get(unit=unit_a, year=YEAR)
    assert confirmed.item6 == Decimal("3.5") and confirmed.method == AssessmentMethod.SELF_CHECK
    html = staff.get(reverse("scoring:basic_list"), {"year": YEAR}).content.decode()
    assert "，待确认" not in html and "自查结果待确认" not in html
    score = next(s for s in compute_scores(YEAR).scores if s.facts.unit_id == unit_a.pk)
    assert score.basic == sum(Decimal(v) for v in corrected)

    # The officer sees the confirmed entry next to their self-check, and cannot change the confirmed one.
    officer = login(client, personas["officer_a"])
    response = officer.get(_unit_url(unit_a))
    assert response.context["row"].confirmed == confirmed and "核实后更正第6项" in response.content.decode()
    officer.post(_unit_url(unit_a), _entry_data(["5"] * 8, version=1))
    confirmed.refresh_from_db()
    assert confirmed.item6 == Decimal("3.5")
    assert response.context["row"].self_check is not None


def test_officer_b_gets_404_for_unit_a_entries(client, personas, unit_a):
    make_basic_work(unit_a, year=YEAR, note="甲单位的备注")
    client.force_login(personas["officer_b"])
    response = client.get(_unit_url(unit_a))
    assert response.status_code == 404


@pytest.mark.parametrize("count", [3, 130])
def test_basic_list_query_count_is_fixed_with_many_units(client, personas, django_assert_num_queries, count):
    units = [make_unit(sequence="bureau") for _ in range(count)]
    for unit in units[::2]:
        make_basic_work(unit, year=YEAR)
    for unit in units[::3]:
        make_basic_work(unit, year=YEAR, status=BasicWorkStatus.SELF_CHECK, method=AssessmentMethod.SELF_CHECK)
    client.force_login(personas["staff"])
    client.get(reverse("scoring:basic_list"), {"year": YEAR})  # the first view after the writes reads the items' years
    # session, user, the units' ids in office order, the page's units, their entries of the year, the pending
    # self-checks counted, the data version (the years to choose from, kept under it)
    for query in ({"year": YEAR}, {"year": YEAR, "page": 2, "q": "测试", "sequence": "bureau", "state": "pending"}):
        with django_assert_num_queries(7):
            assert client.get(reverse("scoring:basic_list"), query).status_code == 200
    assert len(client.get(reverse("scoring:basic_list"), {"year": YEAR}).context["rows"]) == min(count + 2, 100)


def _entered_at(unit, status: str, *, later: bool) -> None:
    """The unit's entry of `status` changed a minute after its other entry (`later`), or at the same instant."""
    other = BasicWorkEntry.objects.exclude(status=status).get(unit=unit, year=YEAR).updated_at
    BasicWorkEntry.objects.filter(unit=unit, year=YEAR, status=status).update(
        updated_at=other + dt.timedelta(minutes=1 if later else 0))


def _listed(response) -> list[str]:
    return [row.unit.name for row in response.context["rows"]]


def test_basic_list_pages_with_the_pending_self_checks_counted_over_every_page(client, personas):
    units = [make_unit(name=f"委办局{i:03d}", sequence="bureau", display_order=i) for i in range(120)]
    for unit in units[::2]:
        make_basic_work(unit, year=YEAR)
    # Units 100 and 101 are on the second page, their self-checks after the confirmation (none for 101); unit 4's
    # self-check was confirmed since.
    for unit in (units[4], units[100], units[101]):
        make_basic_work(unit, year=YEAR, status=BasicWorkStatus.SELF_CHECK, method=AssessmentMethod.SELF_CHECK)
    _entered_at(units[4], BasicWorkStatus.CONFIRMED, later=True)
    staff = login(client, personas["staff"])
    first = staff.get(reverse("scoring:basic_list"), {"year": YEAR})
    second = staff.get(reverse("scoring:basic_list"), {"year": YEAR, "page": 2})
    assert _listed(first)[:3] == ["道里区", "南岗区", "委办局000"] and _listed(second)[-1] == "委办局119"
    assert len(_listed(first)) == 100 and len(_listed(second)) == 22
    assert set(_listed(first)).isdisjoint(_listed(second))
    assert first.context["pending"] == second.context["pending"] == 2
    assert "有 2 个单位的自查结果待确认" in first.content.decode()
    assert "第 2 / 2 页，共 122 条" in second.content.decode()

    pending = staff.get(reverse("scoring:basic_list"), {"year": YEAR, "state": "pending"})
    assert _listed(pending) == ["委办局100", "委办局101"] and pending.context["pending"] == 2
    not_assessed = staff.get(reverse("scoring:basic_list"), {"year": YEAR, "state": "not_assessed", "sequence": "bureau"})
    assert _listed(not_assessed) == [f"委办局{i:03d}" for i in range(1, 120, 2)]
    assert _listed(staff.get(reverse("scoring:basic_list"), {"year": YEAR, "q": "委办局11"})) == [
        f"委办局{i}" for i in range(110, 120)]
    assert _listed(staff.get(reverse("scoring:basic_list"), {"year": YEAR, "sequence": "district"})) == ["道里区", "南岗区"]
    # Another year: nothing entered, nothing pending.
    other = staff.get(reverse("scoring:basic_list"), {"year": YEAR - 1, "state": "pending"})
    assert _listed(other) == [] and other.context["pending"] == 0


def test_pending_in_sql_agrees_with_the_rows(unit_a, unit_b):
    """`pending_self_checks` (the count and filter over every unit) says what `BasicWorkRow.self_check_pending` says
    of each row: a self-check alone, one changed after the confirmation, one confirmed since, or none; and which units
    are not assessed (a deactivated unit needs no entry)."""
    units = {name: make_unit(name=name) for name in ("alone", "changed", "confirmed_since", "none", "confirmed_only")}
    units["deactivated"] = make_unit(name="deactivated", is_active=False)
    make_basic_work(units["confirmed_only"], year=YEAR)
    for name in ("alone", "changed", "confirmed_since"):
        make_basic_work(units[name], year=YEAR, status=BasicWorkStatus.SELF_CHECK, method=AssessmentMethod.SELF_CHECK)
    for name in ("changed", "confirmed_since"):
        make_basic_work(units[name], year=YEAR)
    _entered_at(units["changed"], BasicWorkStatus.SELF_CHECK, later=True)
    _entered_at(units["confirmed_since"], BasicWorkStatus.CONFIRMED, later=False)  # confirmed the same instant
    all_units = Unit.objects.filter(pk__in=[u.pk for u in units.values()])
    rows = basic_work.entries_for(list(all_units), YEAR)
    assert {row.unit.name for row in rows if row.self_check_pending} == {"alone", "changed"}
    assert set(basic_work.pending_self_checks(all_units, YEAR).values_list("name", flat=True)) == {"alone", "changed"}
    assert set(basic_work.not_assessed(all_units, YEAR).values_list("name", flat=True)) == {"alone", "none"}


@pytest.mark.parametrize(("query", "error"), [
    ({"q": "x" * 101}, "100"), ({"q": "道\x00"}, "空字符"), ({"sequence": "city"}, "不在可选范围内"),
    ({"state": "done"}, "不在可选范围内"), ({"page": "abc"}, None), ({"page": "0"}, None),
    ({"page": "99999999999999999999"}, None), ({"year": "²", "page": "-1"}, None),
])
def test_basic_list_bad_parameters_are_shown_or_fall_back(client, personas, unit_a, unit_b, query, error):
    response = login(client, personas["staff"]).get(reverse("scoring:basic_list"), {"year": YEAR, **query})
    assert response.status_code == 200 and sorted(_listed(response)) == ["南岗区", "道里区"]  # the bad filter is ignored
    assert error is None or error in response.content.decode()


def test_officer_list_has_no_filters_and_no_pending_count(client, personas, unit_a, unit_b, django_assert_num_queries):
    make_basic_work(unit_a, year=YEAR, status=BasicWorkStatus.SELF_CHECK, method=AssessmentMethod.SELF_CHECK)
    officer = login(client, personas["officer_a"])
    officer.get(reverse("scoring:basic_list"), {"year": YEAR})
    with django_assert_num_queries(6):  # as the office's, without the pending count
        response = officer.get(reverse("scoring:basic_list"), {"year": YEAR, "q": "南岗", "state": "not_assessed"})
    assert _listed(response) == ["道里区"] and not response.context["filters"].fields
    assert 'name="q"' not in response.content.decode() and "自查 40.00 分，待确认" in response.content.decode()


def test_basic_unit_page_query_count(client, personas, unit_a, django_assert_num_queries):
    make_basic_work(unit_a, year=YEAR)
    client.force_login(personas["staff"])
    # session, user, unit, entries, the year's rule set (assessment year, then the default)
    with django_assert_num_queries(6):
        assert client.get(_unit_url(unit_a)).status_code == 200


# ---- the year's rule set owns the items: their number, names and maximum


def _rule_set_for(year: int, client, **changes) -> None:
    """Copy the 2008 rule set on its pages, change it, and assign it to the year (as the administrator)."""
    source = RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})[0]
    client.post(reverse("scoring:ruleset_copy", args=[source.pk]), {"name": "基础工作调整", "description": ""})
    copy = RuleSet.objects.get(name="基础工作调整")
    copy.params = {**copy.params, **changes}
    copy.save()
    AssessmentYear.objects.create(year=year, rule_set=copy)


def test_a_copied_rule_set_with_another_maximum_changes_the_scores(client, personas, unit_a):
    make_basic_work(unit_a, year=YEAR, items=["5", "4.5", "5", "5", "3", "5", "5", "5"])
    assert compute_scores(YEAR).scores[0].basic == Decimal("37.5")  # 2008: the sum, each item up to 5
    client.force_login(personas["admin"])
    _rule_set_for(YEAR, client, basic_item_points=4)
    # Each item counts up to 4 now: 4 + 4 + 4 + 4 + 3 + 4 + 4 + 4.
    assert compute_scores(YEAR).scores[0].basic == Decimal("31")


def test_the_form_has_the_rule_sets_items_and_maximum(client, personas, unit_a):
    client.force_login(personas["admin"])
    _rule_set_for(YEAR, client, basic_items=["组织机构", "工作制度", "信息队伍"], basic_item_points="7.5")
    response = client.get(_unit_url(unit_a))
    form = response.context["form"]
    assert [f.label for f in form.items()] == ["1. 组织机构", "2. 工作制度", "3. 信息队伍"]
    assert '<option value="7.5">7.5</option>' in response.content.decode()  # the maximum, not chosen
    assert '<option value="8.0">' not in response.content.decode()
    refused = client.post(_unit_url(unit_a), _entry_data(["8", "7", "6"]))
    assert "0至7.5分" in " ".join(refused.context["form"].errors["item1"])
    client.post(_unit_url(unit_a), _entry_data(["7.5", "7", "6"]))
    entry = BasicWorkEntry.objects.get(unit=unit_a, year=YEAR)
    assert entry.items == [Decimal("7.5"), Decimal("7"), Decimal("6")] and entry.item4 is None
    assert compute_scores(YEAR).scores[0].basic == Decimal("20.5")  # 7.5 + 7 + 6
