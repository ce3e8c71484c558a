"""One date format, in Beijing time, everywhere a person reads a date: 2026年11月28日 16:33 (core/dates.cn_date)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from core.dates import cn_date
from tests.factories import make_request, make_submission, shanghai

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_formats_a_date_itself():
    # Django's own `date`/`time` filters follow the server's settings; every page goes through cn_date instead.
    found = [f"{path.relative_to(ROOT)}: {m.group()}" for path in (ROOT / "templates").rglob("*.html")
             for m in re.finditer(r"\|(?:date|time)\b[^}]*", path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_format_at_each_precision():
    utc = dt.datetime(2026, 11, 28, 8, 33, 5, tzinfo=dt.UTC)  # 16:33:05 in Beijing
    assert [cn_date(utc, p) for p in ("month", "day", "minute", "second")] == [
        "2026年11月", "2026年11月28日", "2026年11月28日 16:33", "2026年11月28日 16:33:05"]
    assert cn_date(dt.date(2026, 1, 5)) == "2026年1月5日"


@pytest.mark.django_db
def test_pages_show_times_in_the_one_format_whatever_the_server_zone(settings, client_for, unit_a):
    settings.TIME_ZONE = "UTC"
    item = make_submission(unit_a, submitted_at=shanghai(2026, 11, 28, 0, 30))  # 2026-11-27 16:30 UTC
    make_request([unit_a], deadline=shanghai(2026, 12, 1, 17, 0))
    client = client_for("admin")
    assert "2026年11月28日 00:30" in client.get(reverse("submissions:list")).content.decode()
    assert "2026年11月28日 00:30" in client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "2026年12月1日 17:00" in client.get(reverse("submissions:request_list")).content.decode()
