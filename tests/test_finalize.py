"""Finalizing a year (RULES.md decisions 7 and 13, INTERFACES.md finalize_year / export_awards)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from awards.models import YearResult
from awards.services import AwardsRefused, current_year, finalize_year
from awards.standings import standings
from scoring.models import BasicWorkStatus
from tests.factories import (
    make_adoption,
    make_basic_work,
    make_scored_unit,
    make_submission,
    make_unit,
    shanghai,
)
from units.models import Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024


def test_the_current_year_is_in_shanghai_time():
    assert current_year() == dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year


def test_decision7_refused_while_ranked_units_lack_confirmed_basic_work_and_lists_them():
    make_scored_unit(Sequence.DISTRICT, 1, name="道里区")
    missing = make_unit(sequence=Sequence.DISTRICT, name="南岗区")
    self_check_only = make_unit(sequence=Sequence.BUREAU, name="市教育局")
    make_basic_work(self_check_only, year=YEAR, status=BasicWorkStatus.SELF_CHECK)
    make_basic_work(make_unit(name="市统计局"), year=YEAR - 1)  # last year's entry does not count
    make_unit(name="某大学", is_ranked=False)  # assessed by reference: not required
    make_unit(name="已撤销单位", is_active=False)

    with pytest.raises(AwardsRefused) as refused:
        finalize_year(YEAR)

    assert refused.value.units == [missing.name, "市教育局", "市统计局"]
    assert "基础工作" in refused.value.message
    assert YearResult.objects.count() == 0


def test_refused_for_a_year_that_has_not_ended():
    for year in (current_year(), current_year() + 1):
        make_scored_unit(Sequence.DISTRICT, 1, year=year)
        with pytest.raises(AwardsRefused, match="尚未结束"):
            finalize_year(year)
    assert YearResult.objects.count() == 0


def test_refused_for_a_year_with_no_data():
    make_scored_unit(Sequence.DISTRICT, 1, year=YEAR)
    with pytest.raises(AwardsRefused, match="没有报送信息"):
        finalize_year(2019)
    assert YearResult.objects.count() == 0


def test_refused_when_there_are_no_units_at_all():
    with pytest.raises(AwardsRefused, match="没有报送信息或考核单位"):
        finalize_year(YEAR)


def test_version_1_needs_no_reason_and_a_later_version_requires_one():
    make_scored_unit(Sequence.DISTRICT, 2)
    first = finalize_year(YEAR)
    assert (first.version, first.reason, first.rule_set_name) == (1, "", "2008")

    with pytest.raises(AwardsRefused, match="须填写原因"):
        finalize_year(YEAR, reason="   ")
    assert YearResult.objects.count() == 1

    second = finalize_year(YEAR, reason="更正采用记录")
    assert (second.version, second.reason) == (2, "更正采用记录")


def test_decision13_later_fact_corrections_never_change_a_finalized_version():
    unit = make_scored_unit(Sequence.DISTRICT, 2)
    first = finalize_year(YEAR)
    frozen = first.data
    total = standings(frozen)[0].total

    item = make_submission(unit, submitted_at=shanghai(YEAR, 6, 1))
    make_adoption(item, level="province", adoption_type="general", adopted_on=dt.date(YEAR, 6, 2))
    unit.name = "改名后的区"
    unit.save()

    first.refresh_from_db()
    assert first.data == frozen
    assert standings(first.data)[0].name != "改名后的区"
    second = finalize_year(YEAR, reason="补录省采用")
    assert standings(second.data)[0].total > total
    assert standings(second.data)[0].name == "改名后的区"
    assert YearResult.objects.get(year=YEAR, version=1).data == frozen


def test_snapshot_holds_the_score_report_and_what_the_award_pages_need():
    unit = make_scored_unit(Sequence.COUNTY, 3, name="尚志市")
    result = finalize_year(YEAR)
    row = result.data["units"][0]
    assert result.data["year"] == YEAR and result.data["rule_set"] == "2008" and result.data["through"] == f"{YEAR}-12"
    assert {"unit", "sequence", "ranked", "basic", "reporting", "adoption", "instruction", "total", "rank", "tier",
            "tie_flag"} <= set(row)
    assert (row["unit_id"], row["sequence_label"], row["barred"]) == (unit.pk, "县(市)政府", False)
    assert result.data["tier_places"]["county"] == [3, 7]
    assert result.data["award_targets"] == {"organizer": 20, "officer": 60, "research": 20}


def test_command_finalize_year_refusal_lists_units_and_writes_nothing():
    make_unit(sequence=Sequence.DISTRICT, name="道外区")
    make_scored_unit(Sequence.DISTRICT, 1)
    with pytest.raises(CommandError) as refused:
        call_command("finalize_year", "--year", str(YEAR))
    assert "基础工作" in str(refused.value) and "道外区" in str(refused.value)
    assert YearResult.objects.count() == 0


def test_command_finalize_year_versions_and_reason():
    make_scored_unit(Sequence.DISTRICT, 1)
    out = io.StringIO()
    call_command("finalize_year", "--year", str(YEAR), stdout=out)
    assert "第1版" in out.getvalue()
    with pytest.raises(CommandError, match="须填写原因"):
        call_command("finalize_year", "--year", str(YEAR))
    call_command("finalize_year", "--year", str(YEAR), "--reason", "复核更正", stdout=out)
    assert list(YearResult.objects.filter(year=YEAR).values_list("version", "reason").order_by("version")) == [
        (1, ""), (2, "复核更正"),
    ]


def test_command_exit_code_is_non_zero_on_refusal():
    import subprocess
    import sys

    # A fresh process against an empty database file would need migrations; the refusal of a year that has
    # not ended comes before any query, so it shows the exit code on its own.
    proc = subprocess.run(
        [sys.executable, "manage.py", "finalize_year", "--year", str(current_year())],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    assert "尚未结束" in proc.stderr


def test_command_export_awards_refuses_an_unfinalized_year(tmp_path):
    make_scored_unit(Sequence.DISTRICT, 1)
    target = tmp_path / "awards.xlsx"
    with pytest.raises(CommandError, match="尚未确定"):
        call_command("export_awards", "--year", str(YEAR), "--output", str(target))
    assert not target.exists()
