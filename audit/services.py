"""Writing and reading the audit trail.

`record` is called inside the writer's transaction, so a change and its record commit or roll back
together. Who and from where come from the request when given, else from the request being served
(`audit.middleware` keeps it), else the change is the system's (a command).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from audit.context import current_request
from audit.models import AuditEvent, EventKind
from core.dates import cn_date

BATCH = 2000
# A unit's own records concern the unit itself (every other object names its unit by `unit_id`).
UNIT_MODEL = "units.Unit"
# How long records are kept at least (等保 2.0 level 2 asks for six months).
MIN_RETENTION = dt.timedelta(days=180)
_FROM_REQUEST = object()


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit trail, the request log and the login lockout (django-axes): behind our
    TLS proxy the one it appended to X-Forwarded-For (the last entry; earlier ones come from the client and can be
    forged), else the socket's. Never anything but a valid address: it is stored in address columns."""
    if request is None:
        return None
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.BEHIND_TLS_PROXY:
        candidates.insert(0, request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip())
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def event(kind: str, obj: models.Model | None = None, *, request: HttpRequest | None = None, user: Any = _FROM_REQUEST,
          summary: str = "", changes: dict | None = None, unit: models.Model | None = None,
          parent: models.Model | None = None, username: str | None = None) -> AuditEvent:
    """An unsaved record of `obj`; `user=None` is the system, by default the request's user; `unit` by default
    the object's own (a unit, or the unit it names)."""
    request = request or current_request.get()
    if user is _FROM_REQUEST:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if unit is None and obj is not None:
        unit = obj if obj._meta.label == UNIT_MODEL else (obj.unit if getattr(obj, "unit_id", None) else None)
    represented = str(obj) if obj is not None else ""
    return AuditEvent(
        at=timezone.now(), user=user, username=username if username is not None else (user.get_username() if user else ""),
        address=client_address(request), kind=kind,
        model=obj._meta.label if obj is not None else "", object_id=obj.pk if obj is not None else None,
        object_repr=represented[:300],
        parent_model=parent._meta.label if parent is not None else "", parent_id=parent.pk if parent is not None else None,
        unit_id=unit.pk if unit is not None else None, unit_name=unit.name if unit is not None else "",
        summary=(summary or represented)[:300], changes=changes or {},
    )


def record(kind: str, obj: models.Model | None = None, **kwargs: Any) -> AuditEvent:
    """Record one event (see `event` for the arguments)."""
    entry = event(kind, obj, **kwargs)
    entry.save()
    return entry


def record_many(events: Iterable[AuditEvent]) -> int:
    """Store records in batches as they come (a ledger import makes one per row: a million at most)."""
    events, count = iter(events), 0
    while batch := list(islice(events, BATCH)):
        AuditEvent.objects.bulk_create(batch)
        count += len(batch)
    return count


def record_security_event(request: HttpRequest | None, kind: str, username: str = "", summary: str = "") -> AuditEvent:
    """A login, failed login, lockout, logout, password change or refusal; `username` is the name tried or used.

    Public for the receivers of other libraries' signals (django-axes' `user_locked_out`, a password change).
    """
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated and username and user.get_username() != username:
        user = None  # a name tried while someone else is logged in belongs to nobody known
    return record(kind, request=request, user=user, username=username or None, summary=summary or EventKind(kind).label)


# --- before and after -------------------------------------------------------------------------------------


def display(obj: models.Model, name: str) -> str:
    """A field's value as the pages show it."""
    return display_value(obj._meta.get_field(name), getattr(obj, name))


def display_value(field: models.Field, value: Any) -> str:
    if value is None:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return cn_date(value, "minute")
    if isinstance(value, dt.date):
        return cn_date(value)
    return str(value)


def snapshot(obj: models.Model, fields: Sequence[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The object as its history shows it: field label -> displayed value."""
    values = {str(obj._meta.get_field(name).verbose_name): display(obj, name) for name in fields}
    return {**values, **(extra or {})}


def diff(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    labels = dict.fromkeys([*before, *after])
    return {k: [before.get(k, ""), after.get(k, "")] for k in labels if before.get(k, "") != after.get(k, "")}


def record_created(obj: models.Model, shown: Sequence[str], **kwargs: Any) -> AuditEvent:
    """A new row, with the `shown` fields as its "after"."""
    return record(EventKind.CREATE, obj, changes=diff({}, snapshot(obj, shown)), **kwargs)


def record_deleted(obj: models.Model, shown: Sequence[str], **kwargs: Any) -> AuditEvent:
    """A row about to be deleted, with the `shown` fields as its "before"."""
    return record(EventKind.DELETE, obj, changes=diff(snapshot(obj, shown), {}), **kwargs)


# --- reading ----------------------------------------------------------------------------------------------


def history_of(obj: models.Model, with_children: bool = False) -> models.QuerySet[AuditEvent]:
    """An object's history, newest first; `with_children`: also that of the objects it is the parent of."""
    own = Q(model=obj._meta.label, object_id=obj.pk)
    if with_children:
        own |= Q(parent_model=obj._meta.label, parent_id=obj.pk)
    return AuditEvent.objects.filter(own)


def last_change(obj: models.Model) -> AuditEvent | None:
    return history_of(obj).first()


@transaction.atomic
def prune(before: dt.datetime) -> int:
    """Delete the records older than `before`; refuses a cut-off inside the minimum retention."""
    kept_from = timezone.now() - MIN_RETENTION
    if before > kept_from:
        kept = timezone.localtime(kept_from)
        raise ValueError(f"审计记录至少保留{MIN_RETENTION.days}天，不能删除{cn_date(kept, 'minute')}之后的记录。")
    # The plain manager: the default one refuses every delete (records cannot be deleted through the system).
    deleted = AuditEvent._base_manager.filter(at__lt=before)._raw_delete(AuditEvent._base_manager.db)
    record(EventKind.PRUNE, user=None, summary=f"清理{cn_date(before, 'minute')}之前的审计记录 {deleted} 条")
    return deleted
