"""The terms, dates and downloads every app shares (core/, exports.download)."""

from __future__ import annotations

import argparse
import datetime as dt
from urllib.parse import quote

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

from core import cli
from core.assessment import TIME_ZONE, YEARS, Period, RequestOutcome, Tier, parse_year_month
from core.dates import cn_date
from exports import download
from submissions.models import FailureKind

UTC = dt.UTC


def test_a_late_request_answer_and_a_late_urgent_report_are_two_things():
    assert RequestOutcome.LATE.label == "逾期报送"
    assert FailureKind.LATE.label == "迟报"
    assert [o.label for o in RequestOutcome] == ["按时报送", "逾期报送", "未报送（未截止）", "未报送"]
    assert [t.label for t in Tier] == ["标兵单位", "先进单位"]


def test_chinese_dates_are_in_beijing_time():
    evening_utc = dt.datetime(2026, 11, 30, 16, 33, tzinfo=UTC)  # 00:33 on 1 December in Beijing (UTC+8)
    assert cn_date(evening_utc, "minute") == "2026年12月1日 00:33"
    assert cn_date(evening_utc) == "2026年12月1日"
    assert cn_date(evening_utc, "month") == "2026年12月"
    with timezone.override("UTC"):  # whatever zone a request activates
        assert cn_date(evening_utc, "minute") == "2026年12月1日 00:33"
    assert cn_date(dt.date(2026, 3, 8)) == "2026年3月8日"
    assert cn_date(dt.date(2026, 3, 8), "month") == "2026年3月"
    assert cn_date(None) == ""


def test_the_template_filter_is_the_same_function_and_needs_no_load():
    moment = dt.datetime(2026, 11, 28, 8, 33, tzinfo=UTC)
    html = Template('{{ t|cn_date:"minute" }}|{{ t|cn_date }}|{{ d|cn_date:"month" }}|{{ n|cn_date|default:"—" }}').render(
        Context({"t": moment, "d": dt.date(2024, 3, 1), "n": None})
    )
    assert html == "2026年11月28日 16:33|2026年11月28日|2024年3月|—"


def test_a_download_names_a_chinese_file_in_utf8():
    name = "2024年度标兵单位名单（第1版）.csv"
    response = download(b"a,b\r\n", name)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert response.content == b"a,b\r\n"


def test_a_download_with_a_plain_name_keeps_it_plain():
    response = download(b"PK", "ranking-2024-12.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="ranking-2024-12.xlsx"'


def test_one_time_zone_for_the_site_and_the_periods():
    assert settings.TIME_ZONE == TIME_ZONE.key == "Asia/Shanghai"
    assert Period(2024, 3).start.isoformat() == "2024-01-01T00:00:00+08:00"
    assert Period(2024, 3).end.isoformat() == "2024-04-01T00:00:00+08:00"


def test_one_year_range_for_months_and_the_commands_year():
    assert (YEARS.start, YEARS[-1]) == (2008, 2100)
    assert parse_year_month(" 2008-01 ") == (2008, 1) and parse_year_month("2100-12") == (2100, 12)
    for text in ("2007-12", "2101-01", "2024-13"):
        with pytest.raises(ValueError, match="不存在"):
            parse_year_month(text)
    assert cli.year("2008") == 2008
    for text in ("2007", "2101", "24"):
        with pytest.raises(argparse.ArgumentTypeError, match="无效"):
            cli.year(text)
