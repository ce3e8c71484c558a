"""The office's start page: its work queue, and the city-wide picture of the year.

Every count is one aggregate query whatever the number of units and items; the picture (two grouped queries
over the year's facts) is computed once per state of the data (`units.versioning.cached`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone

from awards.models import YearResult
from bulletins.models import BulletinVersion
from core.assessment import TIME_ZONE, Period
from core.charts import BarChart, bar_chart
from core.dates import cn_date
from scoring import basic_work
from scoring.models import ImportJob
from submissions.models import Adoption, SpecialRequest, Submission, UrgentFailure, earliest_answer
from units.models import Sequence, Unit
from units.versioning import cached

DUE_DAYS = 3
RECENT_IMPORTS = 5
SILENT_SHOWN = 20  # unit names named per due request; the request's page lists them all
MONTH_LABELS = [f"{m}月" for m in range(1, 13)]


@dataclass(frozen=True)
class Task:
    """One line of the work queue: what needs doing, how many, and the list where it is done."""

    label: str
    count: int
    url: str
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (text, note, link)
    todo: bool = True  # a count of things to do (red when any wait, else green), not a figure to know (blue)
    pending: bool | None = None  # whether any wait, when the count does not say (due requests all answered)

    @property
    def waiting(self) -> bool:
        return self.todo and (self.count > 0 if self.pending is None else self.pending)


def _filtered(url: str, **query: object) -> str:
    return f"{url}?{urlencode(query)}"


def _due_requests(now: dt.datetime) -> Task:
    """Special requests whose deadline falls within the next three days, with the target units not answered yet
    (RULES.md decision 5: a valid own or confirmed joint item naming the request)."""
    due = list(SpecialRequest.objects.filter(deadline__gte=now, deadline__lt=now + dt.timedelta(days=DUE_DAYS))
               .order_by("deadline", "id").values_list("pk", "code", "title", "deadline"))
    targets = SpecialRequest.targets.through.objects.filter(specialrequest_id__in=[pk for pk, *_ in due])
    silent: dict[int, list[str]] = {}
    for request_id, name in (
        targets.annotate(first=earliest_answer(OuterRef("specialrequest_id"), OuterRef("unit_id")))
        .filter(first__isnull=True).order_by("unit__display_order", "unit__name").values_list("specialrequest_id", "unit__name")
    ):
        silent.setdefault(request_id, []).append(name)
    return Task(f"{DUE_DAYS}天内截止的专约", len(due), reverse("submissions:request_list"), [
        (f"{code} {title}", f"{cn_date(deadline, 'minute')}截止；{_silent_text(silent.get(pk, []))}",
         reverse("submissions:request_detail", args=[pk]))
        for pk, code, title, deadline in due
    ], pending=bool(silent))


def _silent_text(names: list[str]) -> str:
    if not names:
        return "对象单位均已报送"
    shown = "、".join(names[:SILENT_SHOWN]) + (f"等{len(names)}个单位" if len(names) > SILENT_SHOWN else "")
    return f"未报送{len(names)}个单位：{shown}"


def _items_received(today: dt.date) -> list[Task]:
    month = Period.month(today.year, today.month)
    day_start = dt.datetime.combine(today, dt.time(), tzinfo=TIME_ZONE)
    counts = Submission.objects.filter(submitted_at__gte=month.start, submitted_at__lt=month.end).aggregate(
        month=Count("id"), today=Count("id", filter=Q(submitted_at__gte=day_start)),
    )
    items = reverse("submissions:list")
    return [Task("今日收到信息", counts["today"], _filtered(items, day=f"{today:%Y-%m-%d}"), todo=False),
            Task("本月收到信息", counts["month"], _filtered(items, month=f"{today:%Y-%m}"), todo=False)]


def _unpublished_months(today: dt.date) -> Task:
    """Months that are over and have no published bulletin, in the year of the last month that is over."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    published = set(BulletinVersion.objects.filter(month__year=last.year).values_list("month", flat=True).distinct())
    waiting = [dt.date(last.year, m, 1) for m in range(1, last.month + 1) if dt.date(last.year, m, 1) not in published]
    url = _filtered(reverse("bulletins:list"), year=last.year)
    return Task("已结束未发布通报的月份", len(waiting), url,
                [(cn_date(m, "month"), "", reverse("bulletins:preview", args=[f"{m:%Y-%m}"])) for m in waiting])


def _basic_work_missing(year: int) -> Task:
    count = basic_work.not_assessed(Unit.objects.all(), year).count()
    return Task(f"{year}年基础工作未确认的单位", count,
                _filtered(reverse("scoring:basic_list"), year=year, state="not_assessed"))


def _failures(today: dt.date) -> Task:
    count = UrgentFailure.objects.filter(occurred_on__gte=today.replace(day=1), occurred_on__lte=today).count()
    return Task("本月记录的紧急信息问题", count, _filtered(reverse("submissions:failure_list"), month=f"{today:%Y-%m}"))


def work_queue(now: dt.datetime) -> list[Task]:
    """What the office has to do now, each with its count and list: six queries at most."""
    today = timezone.localdate(now)
    return [
        _due_requests(now),
        *_items_received(today),
        _unpublished_months(today),
        _basic_work_missing(today.year),
        _failures(today),
    ]


def recent_imports() -> list[ImportJob]:
    return list(ImportJob.objects.select_related("user").order_by("-created_at", "-id")[:RECENT_IMPORTS])


def _per_sequence(rows, months: int) -> dict[str, list[int | None]]:
    """{sequence label: a count per month} from (sequence, month, count) rows; every sequence shown, months
    still to come without a bar."""
    counts: dict[str, list[int | None]] = {sequence.label: [0] * months + [None] * (12 - months) for sequence in Sequence}
    for sequence, month, n in rows:
        if sequence in Sequence.values and month <= months:
            counts[Sequence(sequence).label][month - 1] += n
    return counts


def _picture(year: int, months: int) -> list[BarChart]:
    period = Period(year)
    items = (Submission.objects.counted().filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
             .values_list("unit__sequence", ExtractMonth("submitted_at", tzinfo=TIME_ZONE))
             .annotate(n=Count("id")).order_by())
    adoptions = (Adoption.objects.dated_between(period.start_date, period.end_date)
                 .values_list("unit__sequence", ExtractMonth("adopted_on")).annotate(n=Count("id")).order_by())
    return [
        bar_chart(f"{year}年全市各月报送信息（条，按序列）", MONTH_LABELS, _per_sequence(items, months)),
        bar_chart(f"{year}年全市各月被采用（次，按序列）", MONTH_LABELS, _per_sequence(adoptions, months)),
    ]


def city_picture(year: int) -> list[BarChart]:
    """Items (valid ones) and adoptions per month of the year, stacked by sequence; once per data version."""
    today = timezone.localdate()
    months = today.month if year == today.year else 12
    return cached(f"office-picture:{year}:{months}", lambda: _picture(year, months))


def latest_result() -> YearResult | None:
    """The latest finalized year-end result (the newest version of the newest year), without its data."""
    return YearResult.objects.defer("data").order_by("-year", "-version").first()
