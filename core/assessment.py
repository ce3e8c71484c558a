"""The terms every app shares, below all of them: award tiers and special-request outcomes.

Each value's Chinese label is written here once; pages, exports and commands read it from here.
"""

from __future__ import annotations

import datetime as dt

from django.db import models


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
