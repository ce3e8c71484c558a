"""Dates as the office writes them, in Beijing time: 2026年11月28日 16:33, 2026年11月28日, 2026年11月.

`cn_date` for Python; the same as the template filter `{{ value|cn_date:"minute" }}` (a built-in of every
template, see settings.TEMPLATES).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from core.assessment import TIME_ZONE

register = template.Library()


@register.filter
def cn_date(value: dt.date | dt.datetime | None, precision: str = "day") -> str:
    """`precision` is "month", "day", "minute" or "second" (the audit trail); a time is shown in the assessment's
    time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, TIME_ZONE)
    text = f"{value.year}年{value.month}月"
    if precision != "month":
        text += f"{value.day}日"
    if precision in ("minute", "second"):
        text += f" {value.hour:02d}:{value.minute:02d}"
    if precision == "second":
        text += f":{value.second:02d}"
    return text
