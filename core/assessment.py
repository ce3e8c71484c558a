"""The terms every app shares, below all of them: the assessment's time zone, years and periods, award tiers
and special-request outcomes.

Each is defined here once (each label too); the apps, the settings (TIME_ZONE) and the commands read it from here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models

# RULES.md decision 1: times count in Beijing time. settings.TIME_ZONE is this zone.
TIME_ZONE = ZoneInfo("Asia/Shanghai")
# The years an assessment can be about: the measures date from 2008.
YEARS = range(2008, 2101)


@dataclass(frozen=True)
class Period:
    """January 1 of `year` to the end of month `through`, in Beijing time (RULES.md decision 1)."""

    year: int
    through: int = 12
    first: int = 1  # a single month's period (the bulletin) starts later

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year=year, through=month, first=month)

    @property
    def months(self) -> int:
        return self.through - self.first + 1

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.year, self.first, 1)

    @property
    def end_date(self) -> dt.date:
        return dt.date(self.year, self.through, calendar.monthrange(self.year, self.through)[1])

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.first, 1, tzinfo=TIME_ZONE)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end_date + dt.timedelta(days=1), dt.time(), tzinfo=TIME_ZONE)

    def months_assessed(self, assessed_from: dt.date | None) -> int:
        """Months of the period a unit is assessed for: from its "assessed from" month on (decision 3)."""
        if assessed_from is None or (assessed_from.year, assessed_from.month) <= (self.year, self.first):
            return self.months
        if assessed_from.year > self.year:
            return 0
        return max(0, self.through - assessed_from.month + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.through:02d}"


def parse_year_month(text: str) -> tuple[int, int]:
    """`YYYY-MM` as (year, month), or ValueError with a message for the user."""
    parts = text.strip().split("-") if isinstance(text, str) else []
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"月份“{text}”格式不正确，应为 YYYY-MM，例如 2024-03。")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year not in YEARS:
        raise ValueError(f"月份“{text}”不存在。")
    return year, month


class Tier(models.TextChoices):
    """The two award tiers (RULES.md Art. 10)."""

    MODEL = "model", "标兵单位"
    ADVANCED = "advanced", "先进单位"


class RequestOutcome(models.TextChoices):
    """A target unit's state for a special request (RULES.md decision 5).

    Scoring knows on time, late and missing; pending is shown while an unanswered request is still open.
    "Late" here is 逾期报送: 迟报 (late report) is the urgent-information failure, a different thing.
    """

    ON_TIME = "on_time", "按时报送"
    LATE = "late", "逾期报送"
    PENDING = "pending", "未报送（未截止）"
    MISSING = "missing", "未报送"


def request_outcome(first_answer: dt.datetime | None, deadline: dt.datetime) -> RequestOutcome:
    """Decision 5: on time when the earliest valid answer is at or before the deadline, late after it."""
    if first_answer is None:
        return RequestOutcome.MISSING
    return RequestOutcome.ON_TIME if first_answer <= deadline else RequestOutcome.LATE
