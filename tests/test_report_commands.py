"""The report commands of INTERFACES.md: arguments, formats and refusals in Chinese."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from scoring.services import compute_scores, scores_json
from tests.factories import make_basic_work, make_submission, make_unit, shanghai

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def year_2024():
    unit = make_unit(name="道里区", sequence="district")
    make_basic_work(unit, year=2024)
    make_submission(unit, submitted_at=shanghai(2024, 2, 3))
    make_submission(unit, submitted_at=shanghai(2024, 8, 3))
    return unit


def test_scores_json_is_the_service_report(year_2024):
    assert json.loads(run("scores", "--year", "2024")) == json.loads(json.dumps(scores_json(compute_scores(2024))))
    through = json.loads(run("scores", "--year", "2024", "--through", "2024-06"))
    assert through["through"] == "2024-06"
    assert through["units"][0]["reporting"]["quota"] == round(15 * 1 / 90, 2)


def test_scores_table_lists_every_unit(year_2024):
    lines = run("scores", "--year", "2024", "--format", "table").splitlines()
    assert lines[0].startswith("序列\t单位")
    assert lines[1].split("\t")[1] == "道里区"


def test_scores_xlsx_is_the_ranking_workbook(year_2024, tmp_path):
    path = tmp_path / "scores.xlsx"
    run("scores", "--year", "2024", "--format", "xlsx", "--output", str(path))
    workbook = load_workbook(path)
    cells = [c for ws in workbook for row in ws.iter_rows(values_only=True) for c in row]
    assert "道里区" in cells


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "24"], "年度"),
        (["--year", "abc"], "年度"),
        (["--year", "2024", "--through", "2023-05"], "不在 2024 年内"),
        (["--year", "2024", "--through", "2024-13"], "不存在"),
        (["--year", "2024", "--format", "pdf"], "格式"),
        (["--year", "2024", "--format", "xlsx"], "--output"),
        (["--year", "2024", "--output", "/nonexistent/dir/x.json"], "无法写入"),
    ],
)
def test_scores_refuses_bad_arguments_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        run("scores", *args)


def test_bulletin_xlsx_needs_an_output_and_writes_a_workbook(year_2024, tmp_path):
    with pytest.raises(CommandError, match="--output"):
        run("bulletin", "--month", "2024-02", "--format", "xlsx")
    path = tmp_path / "bulletin.xlsx"
    run("bulletin", "--month", "2024-02", "--format", "xlsx", "--output", str(path))
    cells = [c for ws in load_workbook(path) for row in ws.iter_rows(values_only=True) for c in row]
    assert "道里区" in cells


def test_export_awards_refuses_a_bad_year_and_an_unwritable_file(year_2024):
    with pytest.raises(CommandError, match="年度"):
        run("export_awards", "--year", "twenty", "--output", "x.xlsx")
    run("finalize_year", "--year", "2024")
    with pytest.raises(CommandError, match="无法写入"):
        run("export_awards", "--year", "2024", "--output", "/nonexistent/dir/awards.xlsx")
