from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "办公厅管理员"
    STAFF = "staff", "办公厅工作人员"
    OFFICER = "officer", "单位信息员"
    VIEWER = "viewer", "只读领导"
    # Reads the audit trail and the reports (ranking, bulletins, awards); changes nothing (等保 2.0 level 2).
    AUDITOR = "auditor", "审计员"


class User(AbstractUser):
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(
        "units.Unit", verbose_name="所属单位", null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    # Optimistic locking of the account form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Set when an administrator sets or resets the password: only its owner should know a password.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    # The header's bell reads this copy (no query on any page); notifications.services changes it by the notices
    # written or read, in the same transaction; repair_derived recounts it.
    unread_notices = models.PositiveIntegerField("未读消息", default=0, editable=False)
    # Mail the notices once a day in one message instead of one message each (when e-mail is configured).
    notice_digest = models.BooleanField(
        "每日汇总", default=False, help_text="勾选后每天上午发送一封邮件汇总当天消息，而不是每条消息一封邮件。",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # An information officer acts for exactly one unit; office roles for none.
            models.CheckConstraint(
                name="officer_has_unit",
                condition=(
                    models.Q(role="officer", unit__isnull=False) | (~models.Q(role="officer") & models.Q(unit__isnull=True))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_office_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_office_staff(self) -> bool:
        """May record and correct facts and publish (administrators too)."""
        return self.is_office_admin or self.role == Role.STAFF

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER and not self.is_superuser

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR and not self.is_superuser

    @property
    def reads_audit(self) -> bool:
        """Administrators and auditors read the audit trail."""
        return self.is_office_admin or self.is_auditor

    @property
    def can_read_all(self) -> bool:
        """Office roles and viewers read every unit's data; officers only their own."""
        return not self.is_officer
