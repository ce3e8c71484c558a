from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone


class NoticeKind(models.TextChoices):
    REQUEST = "request", "专项约稿"
    DEADLINE = "deadline", "约稿截止提醒"
    ADOPTED = "adopted", "信息采用"
    INSTRUCTED = "instructed", "领导批示"
    RETURNED = "returned", "退回修改"
    JOINT = "joint", "联合报送待确认"
    BULLETIN = "bulletin", "采用通报发布"
    FINALIZED = "finalized", "年度考核结果"
    QUOTA = "quota", "报送定额提醒"
    OVERDUE = "overdue", "约稿逾期未报"
    UNPUBLISHED = "unpublished", "通报待发布"


class NoticeQuerySet(models.QuerySet):
    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)

    def unread_first(self) -> NoticeQuerySet:
        unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=models.BooleanField())
        return self.order_by(unread.desc(), "-created_at", "-id")


class Notice(models.Model):
    """One message to one person (站内消息): what happened, and a link to it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE,
                                  related_name="notices")
    kind = models.CharField("类别", max_length=16, choices=NoticeKind.choices)
    text = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Set when mailed (or claimed for mailing); notices of people without an address are never mailed.
    mailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        constraints = [
            models.CheckConstraint(name="notice_kind_valid", condition=Q(kind__in=NoticeKind.values)),
        ]
        indexes = [
            # The list page (one person's notices, unread first) and the unread recount of a person.
            models.Index(fields=["recipient", "read_at", "created_at"], name="notice_recipient_idx"),
            # The mailing sweep: recent notices not mailed yet.
            models.Index(fields=["created_at"], name="notice_created_idx", condition=Q(mailed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.text


class SentReminder(models.Model):
    """A reminder (or a day's digest) already sent, by its key: the unique key makes sending it twice impossible,
    also for two runs of `send_reminders` at once."""

    key = models.CharField("提醒标识", max_length=120, unique=True)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "已发送提醒"
        verbose_name_plural = "已发送提醒"

    def __str__(self) -> str:
        return self.key
