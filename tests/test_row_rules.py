"""Rules every row must satisfy, held by the database itself (named check constraints), so a write that
bypasses the forms cannot break them; and the ledger import refusing rows that would, in Chinese, by sheet,
row and column, writing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from scoring.ledger import LedgerInvalid, import_ledger
from scoring.models import AssessmentYear, BasicWorkEntry, BasicWorkStatus, RuleSet
from scoring.rules import RULES_2008
from tests.factories import make_basic_work, make_unit
from tests.ledger_builder import ledger_file
from units.models import Unit

pytestmark = pytest.mark.django_db
YEAR = 2024


def refused(write) -> str:
    """The name of the constraint a write breaks (the database's message names it)."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    return str(error.value)


# ---- units


def test_a_central_provincial_unit_is_in_the_bureau_sequence():
    assert "unit_central_provincial_is_bureau" in refused(
        lambda: Unit.objects.create(name="哈尔滨海关", sequence="district", is_central_provincial=True))
    unit = make_unit(name="哈尔滨海关", sequence="bureau", is_central_provincial=True)
    assert "unit_central_provincial_is_bureau" in refused(lambda: Unit.objects.filter(pk=unit.pk).update(sequence="county"))


# ---- basic work


@pytest.mark.parametrize(
    ("items", "note", "constraint"),
    [
        (["5.3"] + ["5"] * 7, "", "basic_work_item1_range"),  # not a step of 0.5
        (["5"] * 7 + ["-0.5"], "", "basic_work_item8_range"),
        (["5"] * 11 + ["20.5"], "", "basic_work_item12_range"),  # above any rule set's maximum
        (["0"] * 8, "", "basic_work_zero_has_reason"),
        (["0"] * 3, "", "basic_work_zero_has_reason"),  # fewer items: the empty slots are no points either
    ],
)
def test_basic_work_points_are_half_steps_and_all_zeros_need_a_reason(items, note, constraint):
    unit = make_unit()
    assert constraint in refused(lambda: make_basic_work(unit, year=YEAR, items=items, note=note))


def test_basic_work_items_fill_the_first_slots_in_order():
    unit = make_unit()
    assert "basic_work_items_in_order" in refused(lambda: BasicWorkEntry.objects.create(
        unit=unit, year=YEAR, status=BasicWorkStatus.CONFIRMED, item1=Decimal(5), item3=Decimal(5)))
    assert "basic_work_items_in_order" in refused(lambda: BasicWorkEntry.objects.create(
        unit=unit, year=YEAR, status=BasicWorkStatus.CONFIRMED, note="无"))


def test_basic_work_status_and_method_are_known_values():
    unit = make_unit()
    assert "basic_work_status_valid" in refused(lambda: make_basic_work(unit, year=YEAR, status="draft"))
    assert "basic_work_method_valid" in refused(lambda: make_basic_work(unit, year=YEAR, method="guess"))


def test_an_entry_of_zeros_with_a_reason_and_one_of_fewer_items_are_kept():
    zeros = make_basic_work(make_unit(), year=YEAR, items=["0"] * 8, note="未开展工作")
    six = make_basic_work(make_unit(), year=YEAR, items=["5"] * 6)
    assert (zeros.total, six.items, six.item7) == (0, [Decimal(5)] * 6, None)


# ---- the ledger refuses such rows, all or nothing

FIVES = {f"第{i}项": 5 for i in range(1, 9)}


def refusals(sheets: dict) -> set[tuple[str, int, str, str]]:
    with pytest.raises(LedgerInvalid) as error:
        import_ledger(ledger_file(sheets))
    assert not Unit.objects.exists() and not BasicWorkEntry.objects.exists()  # nothing written
    return {(e.sheet, e.row, e.column, e.message) for e in error.value.errors}


def test_the_ledger_refuses_a_central_provincial_unit_outside_the_bureaus():
    sheets = {"单位": [{"单位名称": "道里区", "序列": "区政府"}, {"单位名称": "哈尔滨海关", "序列": "区政府", "中直省属": "是"}]}
    assert refusals(sheets) == {("单位", 3, "中直省属", "中直、省属在哈单位应归入委办局序列，序列应为“委办局”")}


def test_the_ledger_refuses_an_entry_of_zeros_without_a_reason():
    zeros = {f"第{i}项": 0 for i in range(1, 9)}
    sheets = {"单位": [{"单位名称": "道里区", "序列": "区政府"}],
              "基础工作": [{"单位名称": "道里区", "年度": YEAR, **zeros, "备注": ""}]}
    assert refusals(sheets) == {("基础工作", 2, "备注", "各项均为0分时，请在备注中说明原因。")}
    sheets["基础工作"][0]["备注"] = "未开展工作"
    import_ledger(ledger_file(sheets))
    assert BasicWorkEntry.objects.get().total == 0


def test_the_ledger_reads_as_many_items_as_the_years_rule_set_has_each_up_to_its_maximum():
    rule_set = RuleSet.objects.create(name="六项", params={**RULES_2008, "basic_items": RULES_2008["basic_items"][:6],
                                                           "basic_item_points": 10})
    AssessmentYear.objects.create(year=YEAR, rule_set=rule_set)
    units = [{"单位名称": "道里区", "序列": "区政府"}]
    six = {f"第{i}项": 10 for i in range(1, 7)}
    # 2024 has six items of at most 10; 2023 (the 2008 rule set) eight of at most 5.
    wrong = [
        {"单位名称": "道里区", "年度": YEAR, **six, "第3项": 10.5, "第7项": 5},
        {"单位名称": "道里区", "年度": YEAR - 1, **FIVES, "第2项": 6},
    ]
    assert refusals({"单位": units, "基础工作": wrong}) == {
        ("基础工作", 2, "第3项", "分数“10.5”无效，应为 0 到 10 之间、以 0.5 为单位"),
        ("基础工作", 2, "第7项", f"{YEAR}年度考核规则的基础工作只有6项，本列应为空"),
        ("基础工作", 3, "第2项", "分数“6”无效，应为 0 到 5 之间、以 0.5 为单位"),
    }
    no_sixth = [{"单位名称": "道里区", "年度": YEAR, **{f"第{i}项": 10 for i in range(1, 6)}}]
    assert refusals({"单位": units, "基础工作": no_sixth}) == {
        ("基础工作", 2, "第6项", f"缺少该列：{YEAR}年度考核规则的基础工作有6项"),
    }
    import_ledger(ledger_file({"单位": units, "基础工作": [{"单位名称": "道里区", "年度": YEAR, **six}]}))
    entry = BasicWorkEntry.objects.get()
    assert (entry.items, entry.item7) == ([Decimal(10)] * 6, None)
