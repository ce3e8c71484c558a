"""Notices (站内消息): written by the services that perform the events, inside their transactions.

`notify` and `send` are the ways to send: the notices are one INSERT whatever the number of recipients, and the
recipients' unread counts (the header's bell, `User.unread_notices`) go up by them in one UPDATE, so a bulletin to
every unit's officers costs a constant number of queries. Mail goes out after the commit, from
the task worker (notifications.mail): a failing mail server never undoes the write.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Role, User
from notifications.mail import mail_enabled
from notifications.models import Notice
from notifications.tasks import deliver_mail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One notice to each of `recipients` (user ids)."""

    recipients: tuple[int, ...]
    kind: str
    text: str
    link: str = ""


# --- who a notice concerns ------------------------------------------------------------------------------------


def officers_of(unit_ids: Iterable[int] | None) -> models.QuerySet[User]:
    """The information officers (active accounts) of these units, and nobody else's; None: of every unit."""
    officers = User.objects.filter(is_active=True, role=Role.OFFICER, is_superuser=False)
    return officers if unit_ids is None else officers.filter(unit_id__in=list(unit_ids))


def officer_ids_by_unit(unit_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Each unit's officers' ids, in one query (reminders to many units)."""
    found: dict[int, list[int]] = defaultdict(list)
    for pk, unit_id in officers_of(unit_ids).values_list("pk", "unit_id"):
        found[unit_id].append(pk)
    return {unit_id: tuple(ids) for unit_id, ids in found.items()}


def office_people() -> models.QuerySet[User]:
    """Office staff and administrators (active accounts)."""
    return User.objects.filter(is_active=True).filter(Q(role__in=[Role.ADMIN, Role.STAFF]) | Q(is_superuser=True))


# --- sending ----------------------------------------------------------------------------------------------------


def notify(recipients: models.QuerySet[User] | Iterable[int], kind: str, text: str, link: str = "") -> int:
    """One notice to each recipient (a queryset of users or their ids); returns how many were written.

    A queryset is written by the database itself (INSERT ... SELECT, then one UPDATE of the same users' counts):
    four statements with the savepoint, whether it names one officer or every unit's."""
    if not isinstance(recipients, models.QuerySet):
        return send([Message(tuple(recipients), kind, text, link)])
    users = recipients.order_by().values("pk")
    with transaction.atomic():
        written = _insert_for(users, kind, text[:500], link)
        if written:
            User.objects.filter(pk__in=users).update(unread_notices=F("unread_notices") + 1)
    if written and mail_enabled():
        transaction.on_commit(_queue_mail)
    return written


def _insert_for(users: models.QuerySet, kind: str, text: str, link: str) -> int:
    try:
        select, params = users.query.sql_with_params()
    except EmptyResultSet:  # e.g. no units at all
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notice._meta.db_table} (recipient_id, kind, text, link, created_at) "
            f"SELECT u.*, %s, %s, %s, %s FROM ({select}) u",
            [kind, text, link, now, *params],
        )
        return cursor.rowcount


def notify_units(unit_ids: Iterable[int], kind: str, text: str, link: str = "") -> int:
    return notify(officers_of(unit_ids), kind, text, link)


def send(messages: Iterable[Message]) -> int:
    """Write every message's notices in one INSERT (batched by the database's parameter limit) and add them to the
    recipients' unread counts in one UPDATE (one per distinct number of notices a recipient gets), in the caller's
    transaction. Counts change by exact amounts under the rows' locks, so concurrent writes add up."""
    now = timezone.now()
    notices = [Notice(recipient_id=pk, kind=m.kind, text=m.text[:500], link=m.link, created_at=now)
               for m in messages for pk in dict.fromkeys(m.recipients)]
    if not notices:
        return 0
    added = Counter(n.recipient_id for n in notices)
    with transaction.atomic():
        Notice.objects.bulk_create(notices)
        for count in sorted(set(added.values())):
            users = sorted(pk for pk, n in added.items() if n == count)  # in id order: concurrent writers lock alike
            User.objects.filter(pk__in=users).update(unread_notices=F("unread_notices") + count)
    if mail_enabled():
        transaction.on_commit(_queue_mail)
    return len(notices)


def recount_unread() -> int:
    """Set every user's unread count from their notices where it is wrong (`repair_derived`, after changes made
    outside the system); returns how many were wrong."""
    unread = (Notice.objects.unread().filter(recipient=OuterRef("pk")).order_by()
              .values("recipient").annotate(n=Count("id")).values("n"))
    actual = Coalesce(Subquery(unread), 0)
    wrong = list(User.objects.annotate(actual=actual).exclude(unread_notices=F("actual")).values_list("pk", flat=True))
    User.objects.filter(pk__in=wrong).update(unread_notices=actual)
    return len(wrong)


def _queue_mail() -> None:
    try:
        deliver_mail.enqueue()
    except Exception:  # after the commit: the write stands; the next send_reminders run mails what is left
        log.exception("could not queue the notices' mail")


# --- the reader's own state (not audited: it changes nothing but the reader's own notices) ----------------------


def _less_unread(user_id: int, count: int) -> None:
    if count:
        User.objects.filter(pk=user_id).update(unread_notices=Greatest(F("unread_notices") - count, 0))


def mark_read(notice: Notice) -> None:
    with transaction.atomic():
        marked = Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
        _less_unread(notice.recipient_id, marked)


def mark_all_read(user: User) -> int:
    with transaction.atomic():
        marked = Notice.objects.unread().filter(recipient=user).update(read_at=timezone.now())
        _less_unread(user.pk, marked)
    return marked
