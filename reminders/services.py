"""Scheduled reminders (`manage.py send_reminders`, or the worker's `send_reminders_task`), each sent once.

Every reminder that is due has a key (what it is about and for whom); the keys sent are stored in
`notifications.SentReminder`, whose unique constraint makes a second sending impossible: a run inserts the keys it
sends in the same transaction as the notices, so a concurrent run either sees them or fails on the constraint,
rolls back and starts again (finding them taken). Safe to run every few minutes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bulletins.models import BulletinVersion
from core.assessment import TIME_ZONE, Period
from core.dates import cn_date
from notifications import services as notices
from notifications.mail import mail_digests, mail_pending
from notifications.models import NoticeKind, SentReminder
from scoring.services import rules_for_year
from submissions.models import MonthTally, SpecialRequest
from submissions.services import first_answers
from submissions.tallies import refresh_tallies
from units.models import Unit

# Deadline reminders to the units that have not answered: 3 days and 1 day before (issue 16).
DEADLINE_WINDOWS = (1, 3)
# The office hears of a request whose deadline passed with units unanswered, for requests due this recently.
OVERDUE_WITHIN = dt.timedelta(days=7)
# From this day of a month the office hears that last month's bulletin is not published yet.
UNPUBLISHED_FROM_DAY = 5
# From this day of a month a unit below its monthly quota hears how many items it still needs.
QUOTA_FROM_DAY = 20


@dataclass(frozen=True)
class Due:
    key: str
    message: notices.Message


@dataclass(frozen=True)
class Sent:
    reminders: int
    notices: int
    mails: int


def _deadline_reminders(now: dt.datetime) -> list[Due]:
    """Each target unit that has not answered an open request due within 3 days (then again within 1 day), unless
    the request was made after that window opened."""
    waiting = []
    soon = SpecialRequest.objects.filter(deadline__gt=now, deadline__lte=now + dt.timedelta(days=max(DEADLINE_WINDOWS)))
    for request in soon.prefetch_related("targets"):
        answered = first_answers(request)
        window = min(days for days in DEADLINE_WINDOWS if request.deadline - now <= dt.timedelta(days=days))
        if request.created_at > request.deadline - dt.timedelta(days=window):
            continue  # made inside the window: its own notice (专项约稿) just gave the deadline
        waiting += [(request, window, unit.pk) for unit in request.targets.all() if unit.pk not in answered]
    officers = notices.officer_ids_by_unit({unit_id for _, _, unit_id in waiting})
    return [
        Due(f"deadline{window}:{request.pk}:{unit_id}", notices.Message(
            officers.get(unit_id, ()), NoticeKind.DEADLINE,
            f"专项约稿“{request.title}”将于{cn_date(request.deadline, 'minute')}截止（不足{window}天），贵单位尚未报送。",
            reverse("submissions:request_detail", args=[request.pk])))
        for request, window, unit_id in waiting
    ]


def _office_reminders(now: dt.datetime) -> list[Due]:
    """For the office: requests past their deadline with units unanswered; last month's bulletin not published."""
    office = tuple(notices.office_people().values_list("pk", flat=True))
    due = []
    passed = SpecialRequest.objects.filter(deadline__lte=now, deadline__gt=now - OVERDUE_WITHIN)
    for request in passed.prefetch_related("targets"):
        answered = first_answers(request)
        missing = sorted(unit.name for unit in request.targets.all() if unit.pk not in answered)
        if missing:
            names = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
            due.append(Due(f"overdue:{request.pk}", notices.Message(
                office, NoticeKind.OVERDUE,
                f"专项约稿“{request.title}”已于{cn_date(request.deadline, 'minute')}截止，{len(missing)}个单位未报送：{names}。",
                reverse("submissions:request_detail", args=[request.pk]))))
    local = timezone.localtime(now, TIME_ZONE).date()
    last_month = (local.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if local.day >= UNPUBLISHED_FROM_DAY and not BulletinVersion.objects.of_month(last_month).exists():
        due.append(Due(f"unpublished:{last_month:%Y-%m}", notices.Message(
            office, NoticeKind.UNPUBLISHED, f"{cn_date(last_month, 'month')}已结束，采用通报尚未发布。",
            reverse("bulletins:preview", args=[f"{last_month:%Y-%m}"]))))
    return due


def items_still_needed(quota: Fraction, counted: int) -> int:
    """Items a unit still needs this month for its full monthly quota (RULES.md decision 3)."""
    return max(0, math.ceil(quota - counted))


def _number(value: Fraction) -> str:
    return str(int(value)) if value == int(value) else f"{float(value):.2f}"


def _quota_reminders(now: dt.datetime) -> list[Due]:
    """From the 20th: every unit assessed this month that is below its monthly quota, with how many it needs."""
    local = timezone.localtime(now, TIME_ZONE)
    if local.day < QUOTA_FROM_DAY:
        return []
    period = Period.month(local.year, local.month)
    rules = rules_for_year(local.year).rules()
    refresh_tallies()
    counted = dict(MonthTally.objects.filter(year=local.year, month=local.month).values_list("unit_id", "counted"))
    short = []
    for unit in Unit.objects.active():
        quota = rules.quota_for(unit.sequence, unit.is_central_provincial)
        need = items_still_needed(quota, counted.get(unit.pk, 0))
        if period.months_assessed(unit.assessed_from) and need:
            short.append((unit.pk, quota, counted.get(unit.pk, 0), need))
    officers = notices.officer_ids_by_unit(unit_id for unit_id, *_ in short)
    return [
        Due(f"quota:{unit_id}:{local:%Y-%m}", notices.Message(
            officers.get(unit_id, ()), NoticeKind.QUOTA,
            f"{local.month}月贵单位已报送{done}条信息，本月报送定额{_number(quota)}条，还需报送{need}条。",
            reverse("submissions:create")))
        for unit_id, quota, done, need in short
    ]


def due_reminders(now: dt.datetime) -> list[Due]:
    """Every reminder due at `now`, sent or not (the keys tell)."""
    return [*_deadline_reminders(now), *_office_reminders(now), *_quota_reminders(now)]


def _send_due(now: dt.datetime) -> tuple[int, int]:
    with transaction.atomic():
        due = [d for d in due_reminders(now) if d.message.recipients]
        taken = set(SentReminder.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True))
        new = [d for d in due if d.key not in taken]
        SentReminder.objects.bulk_create(SentReminder(key=d.key, sent_at=now) for d in new)
        return len(new), notices.send(d.message for d in new)


def send_reminders(now: dt.datetime | None = None) -> Sent:
    """Send every reminder due and not sent before, then mail the notices waiting for mail (and the daily digests)."""
    now = now or timezone.now()
    try:
        reminders, count = _send_due(now)
    except IntegrityError:
        # A concurrent run took some of the same keys first (PostgreSQL): its notices stand, ours were rolled back.
        reminders, count = _send_due(now)
    return Sent(reminders, count, mail_pending(now) + mail_digests(now))
