"""Loading again: the same workbook changes nothing; a corrected one updates what it names (INTERFACES.md, Loading)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from audit.models import AuditEvent
from scoring.ledger import LedgerInvalid, import_ledger
from scoring.models import BasicWorkEntry, BasicWorkStatus
from scoring.services import compute_scores
from submissions.models import (
    Adoption,
    JointUnit,
    LeaderInstruction,
    SpecialRequest,
    Submission,
    UrgentFailure,
)
from tests.factories import MODELS, make_basic_work, make_unit, recorded
from tests.ledger_builder import BASE, FIVES, ledger_file
from units.models import Unit

pytestmark = pytest.mark.django_db
UTC = dt.UTC
SHEETS = ("单位", "专约", "报送", "采用", "批示", "紧急信息问题", "基础工作")
FACTS = [model for model in MODELS if model is not AuditEvent]  # the audit trail grows by the import itself


def load(sheets: dict):
    return import_ledger(ledger_file(sheets))


def snapshot() -> dict[str, list[dict]]:
    """Every field of every fact row, timestamps included."""
    return {
        model.__name__: sorted(
            (model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields]) for obj in model.objects.all()),
            key=lambda row: row["id"],
        )
        for model in FACTS
    }


def corrected(**sheets: list[dict]) -> dict:
    """BASE with whole sheets replaced."""
    return copy.deepcopy(BASE) | sheets


def row_of(sheet: str, index: int, **values) -> list[dict]:
    rows = copy.deepcopy(BASE[sheet])
    rows[index].update(values)
    return rows


def summary(created: int = 0, updated: int = 0, unchanged: int = 0) -> dict[str, int]:
    return {"created": created, "updated": updated, "unchanged": unchanged}


# ---------------------------------------------------------------- the same workbook twice


def test_loading_the_same_workbook_twice_changes_nothing():
    first = load(BASE)
    assert first.summary == {sheet: summary(created=len(BASE[sheet])) for sheet in SHEETS}
    before = snapshot()
    history = recorded().count()
    second = load(BASE)
    assert second.summary == {sheet: summary(unchanged=len(BASE[sheet])) for sheet in SHEETS}
    assert snapshot() == before
    assert recorded().count() == history + 1  # the import itself is recorded, nothing else


def test_loading_the_same_workbook_twice_scores_the_same():
    load(BASE)
    before = [(s.facts.name, s.total, s.rank) for s in compute_scores(2024).scores]
    load(BASE)
    assert [(s.facts.name, s.total, s.rank) for s in compute_scores(2024).scores] == before


# ---------------------------------------------------------------- a corrected workbook


def test_a_corrected_unit_row_updates_the_unit():
    load(BASE)
    result = load(corrected(单位=row_of("单位", 3, 序列="驻外办事处", 参加评比="否")))
    assert result.summary["单位"] == summary(updated=1, unchanged=3)
    unit = Unit.objects.get(name="市发改委")
    assert (unit.sequence, unit.is_central_provincial, unit.is_ranked) == ("office_abroad", False, False)
    load(corrected(单位=row_of("单位", 3, 中直省属="是")))
    unit.refresh_from_db()
    assert (unit.sequence, unit.is_central_provincial) == ("bureau", True)


def test_a_central_provincial_unit_outside_the_bureaus_is_refused_and_nothing_changes():
    load(BASE)
    with pytest.raises(LedgerInvalid) as refused:
        load(corrected(单位=row_of("单位", 3, 序列="驻外办事处", 中直省属="是")))
    [error] = refused.value.errors
    assert (error.sheet, error.row, error.column) == ("单位", 5, "中直省属") and "委办局" in error.message
    unit = Unit.objects.get(name="市发改委")
    assert (unit.sequence, unit.is_central_provincial) == ("bureau", False)


def test_a_corrected_item_updates_title_type_time_and_unit():
    load(BASE)
    old = Submission.objects.get(ledger_no="A3")
    result = load(
        corrected(报送=row_of("报送", 2, 标题="三（修订）", 信息类型="大型调研", 报送时间="2024-05-06 10:30", 单位名称="道里区"))
    )
    assert result.summary["报送"] == summary(updated=1, unchanged=2)
    item = Submission.objects.get(ledger_no="A3")
    assert item.pk == old.pk
    assert (item.title, item.info_type, item.submitted_at, item.unit.name) == (
        "三（修订）",
        "large_research",
        dt.datetime(2024, 5, 6, 2, 30, tzinfo=UTC),
        "道里区",
    )
    assert item.version == old.version + 1  # an open edit form of the item must not overwrite the correction
    assert Adoption.objects.get(submission=item).level == "province"  # its adoption stays with it


def test_changed_joint_units_make_the_joint_rows_and_the_unit_count_follow():
    load(BASE)
    load(corrected(报送=row_of("报送", 1, 联合报送单位="道里区、市发改委")))
    item = Submission.objects.get(ledger_no="A2")
    assert {j.unit.name for j in item.joint_units.all()} == {"道里区", "市发改委"}
    assert item.unit_count == 3
    load(corrected(报送=row_of("报送", 1, 联合报送单位="")))
    item.refresh_from_db()
    assert not item.joint_units.exists()
    assert item.unit_count == 1
    assert JointUnit.objects.count() == 0


def test_joint_units_changed_move_the_adoption_points():
    sheets = corrected(
        采用=[*BASE["采用"], {"信息编号": "A2", "采用层级": "市", "采用类型": "大型调研", "采用日期": "2024-03-05"}]
    )
    load(sheets)

    def adoption_points() -> dict[str, Decimal]:
        return {s.facts.name: s.adoption for s in compute_scores(2024).scores}

    # 5 points for a large research item at city level, split between 南岗区 and 五常市.
    assert (adoption_points()["南岗区"], adoption_points()["五常市"]) == (Decimal("2.50"), Decimal("2.50"))
    sheets["报送"] = row_of("报送", 1, 联合报送单位="五常市、道里区")
    load(sheets)
    points = adoption_points()
    assert (points["南岗区"], points["五常市"]) == (Decimal("1.67"), Decimal("1.67"))
    assert points["道里区"] == Decimal("1.67") + Decimal("1.00")  # plus its own A1 city adoption


def test_an_item_moved_to_another_unit_takes_its_adoption_and_instruction_points():
    load(BASE)

    def points() -> dict[str, tuple[Decimal, Decimal]]:
        return {s.facts.name: (s.adoption, s.instruction) for s in compute_scores(2024).scores}

    # Art. 9: A1 has a city general adoption (1 point) and a city reading instruction (2 points);
    # A3 of 市发改委 a provincial research adoption (10 points).
    assert (points()["道里区"], points()["市发改委"]) == ((1, 2), (10, 0))
    load(corrected(报送=row_of("报送", 0, 单位名称="市发改委")))  # the adoption and instruction rows unchanged
    assert (points()["道里区"], points()["市发改委"]) == ((0, 0), (10 + 1, 2))
    moved = Submission.objects.get(ledger_no="A1")
    assert {a.unit_id for a in Adoption.objects.filter(submission=moved)} == {moved.unit_id}
    assert {i.unit_id for i in LeaderInstruction.objects.filter(submission=moved)} == {moved.unit_id}


def test_an_invalid_reason_added_and_then_removed():
    load(BASE)
    result = load(corrected(报送=row_of("报送", 0, 无效原因="重复报送")))
    assert result.summary["报送"] == summary(updated=1, unchanged=2)
    item = Submission.objects.get(ledger_no="A1")
    assert (item.is_invalid, item.invalid_reason) == (True, "重复报送")
    daoli = next(s for s in compute_scores(2024).scores if s.facts.name == "道里区")
    assert daoli.facts.counted == 0
    load(BASE)
    item.refresh_from_db()
    assert (item.is_invalid, item.invalid_reason) == (False, "")


def test_a_corrected_adoption_updates_its_type_date_and_carrier():
    load(BASE)
    result = load(corrected(采用=row_of("采用", 0, 采用类型="紧急重要", 采用日期="2024-04-01", 刊物="每日要情", 期号="45")))
    assert result.summary["采用"] == summary(updated=1, unchanged=1)
    adoption = Adoption.objects.get(submission__ledger_no="A1", level="city")
    assert (adoption.adoption_type, adoption.adopted_on, adoption.carrier, adoption.issue_no) == (
        "urgent",
        dt.date(2024, 4, 1),
        "每日要情",
        "45",
    )
    assert Adoption.objects.count() == 2


def test_a_corrected_instruction_content_updates_it_and_a_new_date_adds_one():
    load(BASE)
    result = load(corrected(批示=row_of("批示", 0, 批示内容="请各区借鉴")))
    assert result.summary["批示"] == summary(updated=1)
    assert LeaderInstruction.objects.get().content == "请各区借鉴"
    load(corrected(批示=row_of("批示", 0, 批示日期="2024-03-06")))
    # The key includes the date: another date is another instruction, and nothing is deleted.
    assert LeaderInstruction.objects.count() == 2


def test_a_corrected_request_updates_its_deadline_title_and_targets():
    load(BASE)
    result = load(corrected(专约=row_of("专约", 0, 标题="春耕备耕", 截止时间="2024-05-10 17:00", 对象单位="南岗区,五常市")))
    assert result.summary["专约"] == summary(updated=1)
    request = SpecialRequest.objects.get(code="ZY1")
    assert (request.title, request.deadline) == ("春耕备耕", dt.datetime(2024, 5, 10, 9, 0, tzinfo=UTC))
    assert {u.name for u in request.targets.all()} == {"南岗区", "五常市"}
    assert SpecialRequest.targets.through.objects.count() == 2


def test_changed_targets_alone_count_as_an_updated_request():
    load(BASE)
    result = load(corrected(专约=row_of("专约", 0, 对象单位="道里区、南岗区、市发改委")))
    assert result.summary["专约"] == summary(updated=1)
    assert {u.name for u in SpecialRequest.objects.get().targets.all()} == {"道里区", "南岗区", "市发改委"}


def test_joint_units_swapped_for_as_many_others_count_as_an_updated_item():
    load(BASE)
    old = Submission.objects.get(ledger_no="A2")
    result = load(corrected(报送=row_of("报送", 1, 联合报送单位="市发改委")))
    assert result.summary["报送"] == summary(updated=1, unchanged=2)
    item = Submission.objects.get(ledger_no="A2")
    assert [j.unit.name for j in item.joint_units.all()] == ["市发改委"]
    assert (item.unit_count, item.version) == (2, old.version + 1)


def test_a_corrected_failure_description():
    load(BASE)
    result = load(corrected(紧急信息问题=row_of("紧急信息问题", 0, 说明="晚报三小时")))
    assert result.summary["紧急信息问题"] == summary(updated=1)
    assert UrgentFailure.objects.get().description == "晚报三小时"


def test_corrected_basic_work_items_update_the_confirmed_entry():
    load(BASE)
    result = load(corrected(基础工作=row_of("基础工作", 0, 第1项=3.5, 第8项="4", 方式="互查", 备注="复核")))
    assert result.summary["基础工作"] == summary(updated=1)
    entry = BasicWorkEntry.objects.get()
    assert (entry.item1, entry.item8, entry.total, entry.method, entry.note) == (
        Decimal("3.5"),
        Decimal("4"),
        Decimal("37.5"),
        "cross_check",
        "复核",
    )


def test_basic_work_leaves_a_units_pending_self_check_alone():
    unit = make_unit(name="道里区", sequence="district")
    make_basic_work(unit, year=2024, status=BasicWorkStatus.SELF_CHECK, items=["1"] * 8)
    load(BASE)
    assert set(BasicWorkEntry.objects.values_list("status", "item1")) == {
        (BasicWorkStatus.SELF_CHECK, Decimal("1")),
        (BasicWorkStatus.CONFIRMED, Decimal("5")),
    }


def test_nothing_the_workbook_does_not_name_is_deleted():
    load(BASE)
    before = snapshot()
    partial = {
        "报送": [dict(BASE["报送"][0], 标题="一（修订）")],
        "采用": [],
        "基础工作": [{"单位名称": "南岗区", "年度": 2024, **FIVES}],
    }
    result = load(partial)
    assert result.summary["报送"] == summary(updated=1)
    after = snapshot()
    for model in ("Unit", "SpecialRequest", "JointUnit", "Adoption", "LeaderInstruction", "UrgentFailure"):
        assert after[model] == before[model], model
    assert len(after["Submission"]) == 3
    assert len(after["BasicWorkEntry"]) == 2
