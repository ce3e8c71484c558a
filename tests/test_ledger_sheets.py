"""The ledger workbook, sheet by sheet and column by column (INTERFACES.md, the ledger workbook)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.assessment import Period
from scoring.ledger import import_ledger
from scoring.models import BasicWorkEntry, BasicWorkStatus
from scoring.services import compute_scores
from submissions.models import Adoption, LeaderInstruction, SpecialRequest, Submission, UrgentFailure
from tests.factories import make_submission, make_unit
from tests.ledger_builder import ledger_file, write_ledger
from units.models import Unit

pytestmark = pytest.mark.django_db
UTC = dt.UTC

UNITS = [
    {"单位名称": "道里区", "序列": "区政府"},
    {"单位名称": "南岗区", "序列": "区政府"},
    {"单位名称": "五常市", "序列": "县(市)政府"},
    {"单位名称": "市发改委", "序列": "委办局"},
    {"单位名称": "驻京办", "序列": "驻外办事处"},
]


def load(sheets: dict, headers: dict | None = None):
    return import_ledger(ledger_file(sheets, headers))


def item(no, unit="道里区", when="2024-03-01 09:00", kind="一般动态", **extra) -> dict:
    return {"信息编号": no, "单位名称": unit, "标题": f"信息{no}", "报送时间": when, "信息类型": kind, **extra}


# ---------------------------------------------------------------- 单位


def test_units_sheet_reads_every_sequence_and_defaults_to_not_central_and_ranked():
    load({"单位": UNITS})
    units = {u.name: u for u in Unit.objects.all()}
    assert {name: u.sequence for name, u in units.items()} == {
        "道里区": "district",
        "南岗区": "district",
        "五常市": "county",
        "市发改委": "bureau",
        "驻京办": "office_abroad",
    }
    assert not any(u.is_central_provincial for u in units.values())
    assert all(u.is_ranked for u in units.values())


def test_units_sheet_optional_columns_central_provincial_and_ranked():
    load(
        {
            "单位": [
                {"单位名称": "省电力公司", "序列": "委办局", "中直省属": "是", "参加评比": "是"},
                {"单位名称": "市档案馆", "序列": "委办局", "中直省属": "否", "参加评比": "否"},
                {"单位名称": "市税务局", "序列": "委办局", "中直省属": "", "参加评比": None},
            ]
        }
    )
    units = {u.name: (u.is_central_provincial, u.is_ranked) for u in Unit.objects.all()}
    assert units == {"省电力公司": (True, True), "市档案馆": (False, False), "市税务局": (False, True)}


def test_columns_in_any_order_and_extra_columns_ignored():
    headers = {
        "单位": ["备注说明", "参加评比", "序列", "单位名称", "联系人"],
        "报送": ["无效原因", "信息类型", "报送时间", "标题", "单位名称", "信息编号", "正文"],
    }
    load(
        {
            "单位": [{"单位名称": "道里区", "序列": "区政府", "备注说明": "x", "联系人": "张三", "参加评比": "否"}],
            "报送": [item("A1", 正文="不读")],
        },
        headers,
    )
    unit = Unit.objects.get()
    assert (unit.name, unit.sequence, unit.is_ranked) == ("道里区", "district", False)
    assert Submission.objects.get().title == "信息A1"


def test_a_missing_sheet_means_no_facts_of_that_kind():
    result = load({"单位": UNITS})
    assert set(result.summary) == {"单位", "专约", "报送", "采用", "批示", "紧急信息问题", "基础工作"}
    assert result.summary["单位"] == {"created": 5, "updated": 0, "unchanged": 0}
    for sheet in ("专约", "报送", "采用", "批示", "紧急信息问题", "基础工作"):
        assert result.summary[sheet] == {"created": 0, "updated": 0, "unchanged": 0}
    assert not Submission.objects.exists() and not SpecialRequest.objects.exists()


def test_a_unit_already_in_the_system_may_be_named_without_the_units_sheet():
    make_unit(name="道外区", sequence="district")
    load({"报送": [item("B1", unit="道外区")]})
    assert Submission.objects.get().unit.name == "道外区"


def test_the_command_reads_a_workbook_from_a_path(tmp_path):
    path = write_ledger(tmp_path / "台账.xlsx", {"单位": UNITS, "报送": [item("P1")]})
    import_ledger(path)
    assert Submission.objects.get().ledger_no == "P1"


# ---------------------------------------------------------------- dates and times


def test_times_are_read_as_shanghai_time_as_text_and_as_excel_date_times():
    load(
        {
            "单位": UNITS,
            "报送": [
                item("T1", when="2024-01-01 07:00"),
                item("T2", when=dt.datetime(2024, 1, 1, 7, 0)),
                item("T3", when="2024-01-01 07:00:30"),
            ],
        }
    )
    times = dict(Submission.objects.values_list("ledger_no", "submitted_at"))
    # 07:00 in Shanghai is 23:00 UTC the day before.
    assert times["T1"] == times["T2"] == dt.datetime(2023, 12, 31, 23, 0, tzinfo=UTC)
    assert times["T3"] == dt.datetime(2023, 12, 31, 23, 0, 30, tzinfo=UTC)


def test_an_item_at_seven_in_the_morning_of_new_year_shanghai_counts_in_the_new_year():
    load({"单位": UNITS, "报送": [item("Y1", when="2024-01-01 07:00"), item("Y0", when="2023-12-31 23:59")]})
    daoli = next(s for s in compute_scores(2024, 1).scores if s.facts.name == "道里区")
    assert daoli.facts.counted == 1
    assert Submission.objects.submitted_between(Period(2023, 12).start, Period(2023, 12).end).get().ledger_no == "Y0"


def test_a_bare_date_means_midnight_shanghai():
    load({"单位": UNITS, "报送": [item("D1", when="2024-02-01"), item("D2", when=dt.date(2024, 2, 1))]})
    midnight = dt.datetime(2024, 1, 31, 16, 0, tzinfo=UTC)
    assert set(Submission.objects.values_list("submitted_at", flat=True)) == {midnight}


def test_dates_as_excel_dates_and_as_text():
    load(
        {
            "单位": UNITS,
            "报送": [item("1"), item("2")],
            "采用": [
                {"信息编号": "1", "采用层级": "市", "采用类型": "一般动态", "采用日期": dt.date(2024, 3, 5)},
                {"信息编号": "2", "采用层级": "市", "采用类型": "一般动态", "采用日期": "2024-03-06"},
            ],
            "批示": [
                {"信息编号": "1", "领导层级": "市", "批示类型": "阅研性", "批示日期": dt.datetime(2024, 3, 7)},
                {"信息编号": "2", "领导层级": "市", "批示类型": "阅研性", "批示日期": "2024-03-08"},
            ],
            "紧急信息问题": [
                {"单位名称": "道里区", "日期": dt.date(2024, 4, 1), "问题类型": "迟报"},
                {"单位名称": "南岗区", "日期": "2024-04-02", "问题类型": "漏报"},
            ],
        }
    )
    assert sorted(Adoption.objects.values_list("adopted_on", flat=True)) == [dt.date(2024, 3, 5), dt.date(2024, 3, 6)]
    assert sorted(LeaderInstruction.objects.values_list("instructed_on", flat=True)) == [dt.date(2024, 3, 7), dt.date(2024, 3, 8)]
    assert sorted(UrgentFailure.objects.values_list("occurred_on", flat=True)) == [dt.date(2024, 4, 1), dt.date(2024, 4, 2)]


def test_request_deadline_is_a_shanghai_date_time():
    load(
        {
            "单位": UNITS,
            "专约": [
                {"专约编号": "ZY1", "标题": "春耕", "截止时间": "2024-04-30 18:00", "对象单位": "道里区"},
                {"专约编号": "ZY2", "标题": "防汛", "截止时间": dt.datetime(2024, 7, 1, 12, 30), "对象单位": "道里区"},
            ],
        }
    )
    deadlines = dict(SpecialRequest.objects.values_list("code", "deadline"))
    assert deadlines == {
        "ZY1": dt.datetime(2024, 4, 30, 10, 0, tzinfo=UTC),
        "ZY2": dt.datetime(2024, 7, 1, 4, 30, tzinfo=UTC),
    }


# ---------------------------------------------------------------- lists, spaces, labels


def test_lists_of_units_are_separated_by_the_enumeration_comma_or_a_comma():
    load(
        {
            "单位": UNITS,
            "专约": [
                {"专约编号": "ZY1", "标题": "x", "截止时间": "2024-04-30 18:00", "对象单位": "道里区、南岗区,五常市"},
                {"专约编号": "ZY2", "标题": "y", "截止时间": "2024-05-30 18:00", "对象单位": "市发改委,驻京办"},
            ],
            "报送": [
                item("J1", 联合报送单位="南岗区、五常市"),
                item("J2", 联合报送单位="南岗区,市发改委"),
                item("J3", 联合报送单位="  南岗区 、 驻京办  "),
            ],
        }
    )
    targets = {r.code: {u.name for u in r.targets.all()} for r in SpecialRequest.objects.all()}
    assert targets == {"ZY1": {"道里区", "南岗区", "五常市"}, "ZY2": {"市发改委", "驻京办"}}
    joint = {s.ledger_no: ({j.unit.name for j in s.joint_units.all()}, s.unit_count) for s in Submission.objects.all()}
    assert joint == {
        "J1": ({"南岗区", "五常市"}, 3),
        "J2": ({"南岗区", "市发改委"}, 3),
        "J3": ({"南岗区", "驻京办"}, 3),
    }


def test_surrounding_spaces_are_trimmed():
    load(
        {
            "单位": [{"单位名称": "  道里区 ", "序列": " 区政府 ", "参加评比": " 否 "}],
            "报送": [item(" S1 ", unit=" 道里区", when=" 2024-03-01 09:00 ", kind=" 紧急重要 ", 标题="  标题  ")],
            "采用": [{"信息编号": "S1  ", "采用层级": " 市", "采用类型": "紧急重要 ", "采用日期": " 2024-03-02 "}],
        }
    )
    unit = Unit.objects.get()
    assert (unit.name, unit.sequence, unit.is_ranked) == ("道里区", "district", False)
    submission = Submission.objects.get()
    assert (submission.ledger_no, submission.title, submission.info_type) == ("S1", "标题", "urgent")
    assert Adoption.objects.get().submission == submission


def test_headers_with_surrounding_spaces_are_recognised():
    load({"单位": [{" 单位名称 ": "道里区", "序列\u3000": "区政府"}]})
    assert Unit.objects.get().name == "道里区"


def test_every_information_type_and_adoption_type_at_its_level():
    kinds = ["一般动态", "紧急重要", "小型调研", "大型调研"]
    load(
        {
            "单位": UNITS,
            "报送": [item(f"K{i}", kind=k) for i, k in enumerate(kinds)],
            "采用": [
                {"信息编号": f"K{i}", "采用层级": "市", "采用类型": k, "采用日期": "2024-03-05"} for i, k in enumerate(kinds)
            ]
            + [
                {"信息编号": "K0", "采用层级": "省", "采用类型": "一般动态", "采用日期": "2024-03-05"},
                {"信息编号": "K2", "采用层级": "省", "采用类型": "调研", "采用日期": "2024-03-05"},
                {"信息编号": "K0", "采用层级": "国务院", "采用类型": "一般动态", "采用日期": "2024-03-05"},
                {"信息编号": "K3", "采用层级": "国务院", "采用类型": "调研", "采用日期": "2024-03-05"},
            ],
        }
    )
    assert dict(Submission.objects.values_list("ledger_no", "info_type")) == {
        "K0": "general",
        "K1": "urgent",
        "K2": "small_research",
        "K3": "large_research",
    }
    assert set(Adoption.objects.values_list("submission__ledger_no", "level", "adoption_type")) == {
        ("K0", "city", "general"),
        ("K1", "city", "urgent"),
        ("K2", "city", "small_research"),
        ("K3", "city", "large_research"),
        ("K0", "province", "general"),
        ("K2", "province", "research"),
        ("K0", "state", "general"),
        ("K3", "state", "research"),
    }


def test_instruction_and_failure_kinds_and_optional_columns():
    load(
        {
            "单位": UNITS,
            "报送": [item("I1")],
            "批示": [
                {"信息编号": "I1", "领导层级": "市", "批示类型": "阅研性", "批示日期": "2024-03-05"},
                {"信息编号": "I1", "领导层级": "省", "批示类型": "肯定性", "批示日期": "2024-03-05", "批示领导": "王省长"},
                {"信息编号": "I1", "领导层级": "国务院", "批示类型": "借鉴性", "批示日期": "2024-03-05", "批示内容": "很好"},
                {"信息编号": "I1", "领导层级": "市", "批示类型": "决策性", "批示日期": "2024-03-06", "批示领导": "李市长"},
            ],
            "紧急信息问题": [
                {"单位名称": "道里区", "日期": "2024-04-01", "问题类型": "迟报", "说明": "晚报两小时"},
                {"单位名称": "道里区", "日期": "2024-04-01", "问题类型": "漏报"},
                {"单位名称": "道里区", "日期": "2024-04-01", "问题类型": "瞒报"},
            ],
        }
    )
    assert set(LeaderInstruction.objects.values_list("level", "kind", "leader", "content")) == {
        ("city", "read", "", ""),
        ("province", "affirm", "王省长", ""),
        ("state", "reference", "", "很好"),
        ("city", "decision", "李市长", ""),
    }
    assert set(UrgentFailure.objects.values_list("kind", "description")) == {
        ("late", "晚报两小时"),
        ("omission", ""),
        ("concealment", ""),
    }


def test_adoption_carrier_and_issue_number():
    load(
        {
            "单位": UNITS,
            "报送": [item("C1")],
            "采用": [
                {
                    "信息编号": "C1",
                    "采用层级": "市",
                    "采用类型": "一般动态",
                    "采用日期": "2024-03-05",
                    "刊物": "政务信息",
                    "期号": 12,
                }
            ],
        }
    )
    assert Adoption.objects.values_list("carrier", "issue_no").get() == ("政务信息", "12")


def test_special_request_number_and_invalid_reason_on_an_item():
    load(
        {
            "单位": UNITS,
            "专约": [{"专约编号": "ZY1", "标题": "春耕", "截止时间": "2024-04-30 18:00", "对象单位": "道里区"}],
            "报送": [item("R1", 专约编号="ZY1"), item("R2", 无效原因="重复报送"), item("R3", 无效原因="  ")],
        }
    )
    rows = {
        s.ledger_no: (s.special_request and s.special_request.code, s.is_invalid, s.invalid_reason)
        for s in Submission.objects.all()
    }
    assert rows == {"R1": ("ZY1", False, ""), "R2": (None, True, "重复报送"), "R3": (None, False, "")}


# ---------------------------------------------------------------- numbers written as numbers


def test_a_numeric_ledger_number_is_matched_by_adoptions_written_as_text():
    load(
        {
            "单位": UNITS,
            "报送": [item(1001), item(1002.0)],
            "采用": [{"信息编号": "1001", "采用层级": "市", "采用类型": "一般动态", "采用日期": "2024-03-05"}],
            "批示": [{"信息编号": 1002, "领导层级": "市", "批示类型": "阅研性", "批示日期": "2024-03-05"}],
        }
    )
    assert set(Submission.objects.values_list("ledger_no", flat=True)) == {"1001", "1002"}
    assert Adoption.objects.get().submission.ledger_no == "1001"
    assert LeaderInstruction.objects.get().submission.ledger_no == "1002"


def test_an_item_already_in_the_system_may_be_adopted_by_its_number():
    make_submission(make_unit(name="道里区", sequence="district"), ledger_no="OLD-7")
    load({"采用": [{"信息编号": "OLD-7", "采用层级": "省", "采用类型": "一般动态", "采用日期": "2024-03-05"}]})
    assert Adoption.objects.get().submission.ledger_no == "OLD-7"


def test_numeric_request_number_matched_by_text():
    load(
        {
            "单位": UNITS,
            "专约": [{"专约编号": 7, "标题": "x", "截止时间": "2024-04-30 18:00", "对象单位": "道里区"}],
            "报送": [item("N1", 专约编号="7")],
        }
    )
    assert Submission.objects.get().special_request.code == "7"


# ---------------------------------------------------------------- 基础工作


def test_basic_work_row_is_the_confirmed_entry_with_spot_check_as_default_method():
    scores = {f"第{i}项": v for i, v in enumerate([5, 4.5, "4", "3.5", 0, 5, 2.5, 5.0], start=1)}
    load(
        {
            "单位": UNITS,
            "基础工作": [
                {"单位名称": "道里区", "年度": 2024, **scores},
                {"单位名称": "南岗区", "年度": "2024", **scores, "方式": "互查", "备注": "交叉检查"},
                {"单位名称": "五常市", "年度": 2024, **scores, "方式": "自查"},
            ],
        }
    )
    entries = {e.unit.name: e for e in BasicWorkEntry.objects.select_related("unit")}
    assert {e.status for e in entries.values()} == {BasicWorkStatus.CONFIRMED}
    assert {n: (e.method, e.note) for n, e in entries.items()} == {
        "道里区": ("spot_check", ""),
        "南岗区": ("cross_check", "交叉检查"),
        "五常市": ("self_check", ""),
    }
    expected = [Decimal(x) for x in ("5", "4.5", "4", "3.5", "0", "5", "2.5", "5")]
    assert all(e.items == expected and e.total == Decimal("29.5") for e in entries.values())


def test_sheet_names_with_surrounding_spaces_are_recognised():
    load({" 单位 ": UNITS[:1], "报送\u3000": [item("W1")]})
    assert Submission.objects.get().unit.name == "道里区"


def test_labels_as_the_measures_write_them():
    # Full-width brackets in 县（市）政府, and types with the word 信息 as in 一般动态信息.
    load(
        {
            "单位": [{"单位名称": "五常市", "序列": "县（市）政府"}],
            "报送": [item("M1", unit="五常市", kind="小型调研信息")],
            "采用": [{"信息编号": "M1", "采用层级": "省", "采用类型": "调研信息", "采用日期": "2024-03-05"}],
        }
    )
    assert Unit.objects.get().sequence == "county"
    assert Submission.objects.get().info_type == "small_research"
    assert Adoption.objects.get().adoption_type == "research"
