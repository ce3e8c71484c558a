"""All or nothing: a workbook with one bad row writes nothing and lists every problem (INTERFACES.md, Loading)."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from scoring.ledger import LedgerInvalid, import_ledger
from submissions.models import (
    LeaderInstruction,
)
from tests.factories import counts, make_unit
from tests.ledger_builder import BASE, ledger_file, write_ledger

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")
def changed(sheet: str, index: int, **values) -> dict:
    """BASE with one row's cells replaced."""
    sheets = copy.deepcopy(BASE)
    sheets[sheet][index].update(values)
    return sheets


def duplicated(sheet: str, index: int) -> dict:
    """BASE with one row repeated at the end of its sheet."""
    sheets = copy.deepcopy(BASE)
    sheets[sheet].append(dict(sheets[sheet][index]))
    return sheets


def rejected(sheets: dict) -> list:
    """Load a workbook that must be refused; nothing may be written."""
    before = counts()
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(ledger_file(sheets))
    assert counts() == before
    assert caught.value.errors, "a refused workbook lists its problems"
    for error in caught.value.errors:
        assert CHINESE.search(error.message), error
    return caught.value.errors


def where(errors) -> set[tuple]:
    return {(e.sheet, e.row, e.column) for e in errors}


def test_the_base_workbook_is_valid():
    import_ledger(ledger_file(BASE))
    assert counts()["Submission"] == 3


# Every kind of bad value: (sheet, data row index, cells, column reported, words of the message).
BAD_VALUES = [
    pytest.param("报送", 0, {"单位名称": "松北区"}, "单位名称", "不存在", id="unknown-unit"),
    pytest.param("紧急信息问题", 0, {"单位名称": "松北区"}, "单位名称", "不存在", id="unknown-unit-failure"),
    pytest.param("基础工作", 0, {"单位名称": "松北区"}, "单位名称", "不存在", id="unknown-unit-basic"),
    pytest.param("专约", 0, {"对象单位": "道里区、松北区"}, "对象单位", "松北区", id="unknown-target"),
    pytest.param("报送", 1, {"联合报送单位": "松北区"}, "联合报送单位", "不存在", id="unknown-joint-unit"),
    pytest.param("采用", 0, {"信息编号": "Z9"}, "信息编号", "不存在", id="unknown-item-adoption"),
    pytest.param("批示", 0, {"信息编号": "Z9"}, "信息编号", "不存在", id="unknown-item-instruction"),
    pytest.param("报送", 0, {"专约编号": "ZY404"}, "专约编号", "不存在", id="unknown-request"),
    pytest.param("采用", 1, {"采用类型": "小型调研"}, "采用类型", "省", id="province-small-research"),
    pytest.param("采用", 1, {"采用层级": "国务院", "采用类型": "紧急重要"}, "采用类型", "国务院", id="state-urgent"),
    pytest.param("采用", 0, {"采用类型": "调研"}, "采用类型", "市", id="city-research"),
    pytest.param("单位", 0, {"序列": "街道"}, "序列", "街道", id="bad-sequence"),
    pytest.param("单位", 0, {"中直省属": "对"}, "中直省属", "是", id="bad-central-flag"),
    pytest.param("单位", 1, {"参加评比": "不"}, "参加评比", "是", id="bad-ranked-flag"),
    pytest.param("报送", 0, {"信息类型": "综合"}, "信息类型", "综合", id="bad-info-type"),
    pytest.param("采用", 0, {"采用层级": "县"}, "采用层级", "县", id="bad-adoption-level"),
    pytest.param("采用", 0, {"采用类型": "专报"}, "采用类型", "专报", id="bad-adoption-type"),
    pytest.param("批示", 0, {"领导层级": "区"}, "领导层级", "区", id="bad-leader-level"),
    pytest.param("批示", 0, {"批示类型": "表扬性"}, "批示类型", "表扬性", id="bad-instruction-kind"),
    pytest.param("紧急信息问题", 0, {"问题类型": "错报"}, "问题类型", "错报", id="bad-failure-kind"),
    pytest.param("基础工作", 0, {"第3项": 5.5}, "第3项", "0.5", id="basic-5.5"),
    pytest.param("基础工作", 0, {"第4项": 0.3}, "第4项", "0.5", id="basic-0.3"),
    pytest.param("基础工作", 0, {"第5项": -0.5}, "第5项", "0.5", id="basic-negative"),
    pytest.param("基础工作", 0, {"第6项": "优"}, "第6项", "优", id="basic-not-a-number"),
    pytest.param("基础工作", 0, {"第7项": "NaN"}, "第7项", "NaN", id="basic-nan"),
    pytest.param("基础工作", 0, {"第7项": "sNaN"}, "第7项", "sNaN", id="basic-signalling-nan"),
    pytest.param("基础工作", 0, {"第8项": "Infinity"}, "第8项", "Infinity", id="basic-infinity"),
    pytest.param("基础工作", 0, {"方式": "普查"}, "方式", "普查", id="bad-method"),
    pytest.param("基础工作", 0, {"年度": "24"}, "年度", "年", id="bad-year-short"),
    pytest.param("基础工作", 0, {"年度": "二〇二四"}, "年度", "年", id="bad-year-chinese"),
    pytest.param("基础工作", 0, {"年度": 1899}, "年度", "年", id="bad-year-old"),
    pytest.param("基础工作", 0, {"年度": 2024.5}, "年度", "年", id="bad-year-fraction"),
    pytest.param("采用", 0, {"采用日期": "2024-02-30"}, "采用日期", "2024-02-30", id="date-does-not-exist"),
    pytest.param("采用", 0, {"采用日期": "2024/13/01"}, "采用日期", "2024/13/01", id="date-month-13"),
    pytest.param("批示", 0, {"批示日期": "昨天"}, "批示日期", "YYYY-MM-DD", id="date-words"),
    pytest.param("紧急信息问题", 0, {"日期": "3月1日"}, "日期", "YYYY-MM-DD", id="date-chinese"),
    pytest.param("紧急信息问题", 0, {"日期": 2024}, "日期", "2024", id="date-a-bare-number"),
    pytest.param("报送", 0, {"报送时间": "2024-03-01 25:00"}, "报送时间", "2024-03-01 25:00", id="time-hour-25"),
    pytest.param("报送", 0, {"报送时间": "2024-03-01 9点"}, "报送时间", "YYYY-MM-DD HH:MM", id="time-words"),
    pytest.param("专约", 0, {"截止时间": "下周五"}, "截止时间", "YYYY-MM-DD HH:MM", id="deadline-words"),
    pytest.param("报送", 0, {"报送时间": "1900-01-01 09:00"}, "报送时间", "1900", id="time-out-of-range"),
    pytest.param("报送", 1, {"联合报送单位": "南岗区"}, "联合报送单位", "本单位", id="joint-is-own-unit"),
    pytest.param("报送", 1, {"联合报送单位": "五常市、南岗区"}, "联合报送单位", "本单位", id="joint-includes-own-unit"),
    pytest.param("报送", 0, {"标题": ""}, "标题", "不能为空", id="empty-title"),
    pytest.param("报送", 0, {"信息编号": None}, "信息编号", "不能为空", id="empty-ledger-no"),
    pytest.param("报送", 0, {"报送时间": "  "}, "报送时间", "不能为空", id="empty-time"),
    pytest.param("报送", 0, {"信息类型": ""}, "信息类型", "不能为空", id="empty-info-type"),
    pytest.param("单位", 0, {"序列": ""}, "序列", "不能为空", id="empty-sequence"),
    pytest.param("专约", 0, {"对象单位": " 、 "}, "对象单位", "不能为空", id="empty-targets"),
    pytest.param("专约", 0, {"截止时间": None}, "截止时间", "不能为空", id="empty-deadline"),
    pytest.param("采用", 0, {"采用日期": ""}, "采用日期", "不能为空", id="empty-adoption-date"),
    pytest.param("批示", 0, {"批示类型": None}, "批示类型", "不能为空", id="empty-instruction-kind"),
    pytest.param("紧急信息问题", 0, {"问题类型": ""}, "问题类型", "不能为空", id="empty-failure-kind"),
    pytest.param("基础工作", 0, {"年度": None}, "年度", "不能为空", id="empty-year"),
    pytest.param("基础工作", 0, {"第2项": None}, "第2项", "不能为空", id="empty-basic-item"),
    pytest.param("报送", 0, {"标题": "长" * 301}, "标题", "300", id="title-too-long"),
    pytest.param("单位", 3, {"单位名称": "局" * 101}, "单位名称", "100", id="unit-name-too-long"),
]


@pytest.mark.parametrize("sheet, index, cells, column, words", BAD_VALUES)
def test_one_bad_cell_refuses_the_whole_workbook(sheet, index, cells, column, words):
    errors = rejected(changed(sheet, index, **cells))
    assert (sheet, index + 2, column) in where(errors), errors
    message = next(e.message for e in errors if (e.sheet, e.row, e.column) == (sheet, index + 2, column))
    assert words in message


DUPLICATE_KEYS = [
    pytest.param("单位", 1, "单位名称", id="unit-name"),
    pytest.param("专约", 0, "专约编号", id="request-code"),
    pytest.param("报送", 2, "信息编号", id="ledger-no"),
    pytest.param("采用", 0, "采用层级", id="adoption-item-and-level"),
    pytest.param("批示", 0, "批示日期", id="instruction-key"),
    pytest.param("紧急信息问题", 0, "问题类型", id="failure-key"),
    pytest.param("基础工作", 0, "年度", id="basic-work-unit-and-year"),
]


@pytest.mark.parametrize("sheet, index, column", DUPLICATE_KEYS)
def test_a_duplicate_key_within_a_sheet_is_refused_naming_both_rows(sheet, index, column):
    errors = rejected(duplicated(sheet, index))
    row = len(BASE[sheet]) + 2
    assert (sheet, row, column) in where(errors), errors
    assert f"第{index + 2}行" in next(e.message for e in errors if e.row == row)


def test_an_item_adopted_twice_at_the_same_level_under_different_types_is_a_duplicate():
    sheets = copy.deepcopy(BASE)
    sheets["采用"].append({"信息编号": "A1", "采用层级": "市", "采用类型": "紧急重要", "采用日期": "2024-04-05"})
    assert ("采用", 4, "采用层级") in where(rejected(sheets))


def test_the_same_leader_may_instruct_an_item_twice_on_different_days():
    sheets = copy.deepcopy(BASE)
    sheets["批示"].append(dict(BASE["批示"][0], 批示日期="2024-03-06"))
    import_ledger(ledger_file(sheets))
    assert LeaderInstruction.objects.count() == 2


def test_a_missing_required_column_is_reported_on_the_header_row():
    sheets = copy.deepcopy(BASE)
    for row in sheets["报送"]:
        del row["标题"]
    errors = rejected(sheets)
    assert ("报送", 1, "标题") in where(errors)


def test_every_problem_in_every_sheet_is_listed_at_once():
    sheets = copy.deepcopy(BASE)
    sheets["单位"][2]["序列"] = "乡镇"
    sheets["报送"][1]["信息类型"] = "综合"
    sheets["报送"][2]["报送时间"] = "明天"
    sheets["采用"][1]["采用类型"] = "大型调研"
    sheets["基础工作"][0]["第1项"] = 6
    errors = rejected(sheets)
    assert {
        ("单位", 4, "序列"),
        ("报送", 3, "信息类型"),
        ("报送", 4, "报送时间"),
        ("采用", 3, "采用类型"),
        ("基础工作", 2, "第1项"),
    } <= where(errors)


def test_a_refused_workbook_changes_no_fact_already_in_the_system():
    unit = make_unit(name="道里区", sequence="bureau", is_ranked=False)
    sheets = changed("报送", 2, 信息类型="综合")  # the 单位 sheet would make 道里区 a ranked district
    rejected(sheets)
    unit.refresh_from_db()
    assert (unit.sequence, unit.is_ranked) == ("bureau", False)


def test_errors_read_as_sheet_row_column_and_message():
    errors = rejected(changed("报送", 1, 信息类型="综合"))
    assert any(str(e).startswith("报送 第3行 信息类型：") for e in errors)


# ---------------------------------------------------------------- the command


def test_the_command_exits_with_an_error_listing_the_problems(tmp_path):
    path = write_ledger(tmp_path / "bad.xlsx", changed("采用", 1, 采用类型="小型调研"))
    before = counts()
    stderr = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_ledger", str(path), stderr=stderr)
    assert counts() == before
    assert "采用\t第3行\t采用类型\t" in stderr.getvalue()


def test_the_command_prints_the_summary_of_a_valid_workbook(tmp_path):
    path = write_ledger(tmp_path / "good.xlsx", BASE)
    stdout = StringIO()
    call_command("import_ledger", str(path), stdout=stdout)
    assert "报送：新增 3，更新 0，未变 0" in stdout.getvalue()
    assert "台账导入完成" in stdout.getvalue()


def test_the_command_refuses_a_file_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_ledger", str(tmp_path / "missing.xlsx"))


def test_the_command_run_as_a_process_exits_1_with_messages_on_stderr(tmp_path):
    # A file that is no workbook is refused before any query, so the process needs no migrated database;
    # the row-by-row messages of a real workbook are checked in-process above.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    path = tmp_path / "bad.xlsx"
    path.write_text("不是工作簿")
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    done = subprocess.run([*manage, "import_ledger", str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "文件不是有效的 xlsx 工作簿" in done.stderr
    assert "未导入任何数据" in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "unused.sqlite3").exists()


def test_a_wrong_row_is_reported_once_not_again_by_every_row_that_names_it():
    sheets = copy.deepcopy(BASE)
    sheets["单位"][0]["序列"] = "乡镇"  # 道里区
    sheets["专约"][0]["截止时间"] = "月底"  # ZY1
    sheets["报送"][2]["信息类型"] = "综合"  # A3
    errors = rejected(sheets)
    assert where(errors) == {("单位", 2, "序列"), ("专约", 2, "截止时间"), ("报送", 4, "信息类型")}


def test_at_most_a_thousand_problems_are_listed_and_the_rest_counted(tmp_path):
    sheets = copy.deepcopy(BASE)
    sheets["紧急信息问题"] = [{"单位名称": "道里区", "日期": "2024-04-01", "问题类型": "错报"} for _ in range(1200)]
    with pytest.raises(LedgerInvalid) as caught:
        import_ledger(ledger_file(sheets))
    assert (len(caught.value.errors), caught.value.total) == (1000, 1200)
    stderr = StringIO()
    with pytest.raises(CommandError, match="1200 个问题"):
        call_command("import_ledger", str(write_ledger(tmp_path / "many.xlsx", sheets)), stderr=stderr)
    assert "另有 200 个问题未列出" in stderr.getvalue()
