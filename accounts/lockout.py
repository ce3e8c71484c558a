"""Login lockout by django-axes: the lockout page, and the locks administrators see and lift.

A lock is one username from one address (AXES_LOCKOUT_PARAMETERS) with AXES_FAILURE_LIMIT failures within
AXES_COOLOFF_TIME; it lifts AXES_COOLOFF_TIME after the last of them (attempts made while locked are not counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit import services as audit
from audit.models import EventKind
from audit.services import record_security_event


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lifts_at(last_failure: dt.datetime) -> dt.datetime:
    """When a lock whose last counted failure was at `last_failure` lifts, rounded up to the minute shown."""
    until = last_failure + settings.AXES_COOLOFF_TIME
    rounded = until.replace(second=0, microsecond=0)
    return rounded if rounded == until else rounded + dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Lock:
    username: str
    ip_address: str
    failures: int
    until: dt.datetime


def active_locks() -> list[Lock]:
    """Every username/address pair locked now, the latest first (one aggregate query)."""
    cool_off = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last", "username")
    )
    return [Lock(r["username"], r["ip_address"], r["failures"], lifts_at(r["last"])) for r in rows]


def lift_lock(username: str, ip_address: str) -> bool:
    """Forget the pair's failures, so it may log in again at once. False if it was not locked."""
    if not any(lock.username == username and lock.ip_address == ip_address for lock in active_locks()):
        return False
    AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
    audit.record(EventKind.UPDATE, summary=f"解除登录锁定：{username}（{ip_address}）",
                 changes={"登录锁定": [f"{username}（{ip_address}）已锁定", "已解除"]})
    return True


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """The page axes shows instead of logging in (AXES_LOCKOUT_CALLABLE)."""
    username = get_client_username(request, credentials) or ""
    last = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).aggregate(
        last=Max("attempt_time"))["last"] or timezone.now()
    context = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": cool_off_minutes(),
        "until": lifts_at(last),
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def record_lockout(sender, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs) -> None:
    """On axes' user_locked_out (the failure that locks, and each attempt while locked): into the audit trail."""
    record_security_event(request, EventKind.LOCKED_OUT, username or "", f"登录失败次数过多，已锁定（用户名：{username or ''}）")
