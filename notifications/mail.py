"""Notices by e-mail, where e-mail is configured (`EMAIL_HOST`): one message per notice, or one digest a day for
those who chose 每日汇总. Sent by the task worker after the write's commit (`deliver_mail`) and by every run of
`send_reminders`, which also retries what a failing mail server left; never inside a write's transaction."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.assessment import TIME_ZONE
from core.dates import cn_date
from notifications.models import Notice, SentReminder

log = logging.getLogger(__name__)

# Notices older than this are not mailed any more (an address added later does not bring a flood of old news).
MAIL_WITHIN = dt.timedelta(days=2)
# The daily digest goes out with the first run at or after this hour, Beijing time.
DIGEST_HOUR = 8
SUBJECT = "【政务信息工作考核】"
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def mail_enabled() -> bool:
    return bool(settings.EMAIL_HOST)


def _line(notice) -> str:
    link = f"\n{settings.SITE_URL.rstrip('/')}{notice.link}" if notice.link and settings.SITE_URL else ""
    return f"{cn_date(notice.created_at, 'minute')} {notice.get_kind_display()}：{notice.text}{link}"


def _pending(now: dt.datetime, digest: bool):
    return (Notice.objects.filter(mailed_at__isnull=True, created_at__gte=now - MAIL_WITHIN,
                                  recipient__is_active=True, recipient__notice_digest=digest)
            .exclude(recipient__email="").select_related("recipient").order_by("id"))


def mail_pending(now: dt.datetime | None = None) -> int:
    """Mail each recent notice not mailed yet to its recipient (those without a digest); returns how many."""
    if not mail_enabled():
        return 0
    now = now or timezone.now()
    sent = 0
    with get_connection() as connection:
        for notice in _pending(now, digest=False)[:1000]:
            # Claimed first, so a second worker running at the same time skips it.
            if not Notice.objects.filter(pk=notice.pk, mailed_at__isnull=True).update(mailed_at=now):
                continue
            message = EmailMessage(SUBJECT + notice.get_kind_display(), _line(notice), to=[notice.recipient.email],
                                   connection=connection)
            try:
                message.send()
            except MAIL_ERRORS:
                Notice.objects.filter(pk=notice.pk).update(mailed_at=None)  # the next run tries again
                log.exception("mail to user %s failed", notice.recipient_id)
                break
            sent += 1
    return sent


def mail_digests(now: dt.datetime | None = None) -> int:
    """One message a day to each person who chose the digest, with their notices not mailed yet; returns how many."""
    now = now or timezone.now()
    local = timezone.localtime(now, TIME_ZONE)
    if not mail_enabled() or local.hour < DIGEST_HOUR:
        return 0
    by_user: dict[int, list] = {}
    for notice in _pending(now, digest=True):
        by_user.setdefault(notice.recipient_id, []).append(notice)
    sent = 0
    for user_id, notices in by_user.items():
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=f"digest:{user_id}:{local.date().isoformat()}", sent_at=now)
                Notice.objects.filter(pk__in=[n.pk for n in notices]).update(mailed_at=now)
                body = "\n\n".join(_line(n) for n in notices)
                EmailMessage(f"{SUBJECT}{cn_date(local.date())}消息汇总（{len(notices)}条）", body,
                             to=[notices[0].recipient.email]).send()
        except IntegrityError:
            continue  # today's digest went out already (its key is taken)
        except MAIL_ERRORS:
            log.exception("digest mail to user %s failed", user_id)  # rolled back: the next run tries again
            break
        sent += 1
    return sent
