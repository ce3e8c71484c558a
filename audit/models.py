from __future__ import annotations

from django.conf import settings
from django.db import models

from core.dates import cn_date


class EventKind(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账户锁定"
    LOGOUT = "logout", "退出"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    ACCESS_DENIED = "access_denied", "拒绝访问"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    INVALIDATE = "invalidate", "标记无效"
    RESTORE = "restore", "恢复有效"
    CONFIRM_JOINT = "confirm_joint", "确认联合报送"
    DECLINE_JOINT = "decline_joint", "拒绝联合报送"
    IMPORT = "import", "导入"
    PUBLISH = "publish", "发布"
    FINALIZE = "finalize", "定稿"
    PRUNE = "prune", "清理审计记录"


SECURITY_KINDS = (
    EventKind.LOGIN, EventKind.LOGIN_FAILED, EventKind.LOCKED_OUT, EventKind.LOGOUT,
    EventKind.PASSWORD_CHANGED, EventKind.ACCESS_DENIED,
)


class AuditRecordImmutable(Exception):
    """An attempt to change or delete an audit record through the system."""


class AuditEventQuerySet(models.QuerySet):
    def of_object(self, label: str, pk: int) -> AuditEventQuerySet:
        return self.filter(model=label, object_id=pk)

    def update(self, **kwargs) -> int:
        raise AuditRecordImmutable("审计记录不能修改。")

    def delete(self):
        raise AuditRecordImmutable("审计记录不能删除，过期记录只能用 prune_audit 命令清理。")


class AuditEvent(models.Model):
    """One security event or one change of one object: who, from where, when, what (before/after).

    Kept apart from the rows it describes: the user is a nullable reference plus the username as text, the
    object and its unit are plain labels and ids, so a record outlives its user, its object and its unit.
    """

    at = models.DateTimeField("时间", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField("用户名", max_length=150, blank=True)
    address = models.GenericIPAddressField("地址", null=True, blank=True)
    kind = models.CharField("事件", max_length=20, choices=EventKind.choices)
    # The object: its model label ("submissions.Submission"), id and what it showed as.
    model = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.BigIntegerField("对象编号", null=True, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    # The object it belongs to (an adoption's item), so the item's page shows its facts' history too.
    parent_model = models.CharField(max_length=100, blank=True)
    parent_id = models.BigIntegerField(null=True, blank=True)
    unit_id = models.BigIntegerField("单位编号", null=True, blank=True)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    # {label: [before, after]} as the pages show the values.
    changes = models.JSONField("变更内容", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [
            # The audit page without filters and with a time range (newest first, 50 a page); prune_audit.
            models.Index(fields=["at", "id"], name="audit_time_idx"),
            # Filtered by user (the username kept as text outlives the account).
            models.Index(fields=["username", "at", "id"], name="audit_user_idx"),
            # Filtered by unit.
            models.Index(fields=["unit_id", "at", "id"], name="audit_unit_idx"),
            # Filtered by kind of event (failed logins, refusals...).
            models.Index(fields=["kind", "at", "id"], name="audit_kind_idx"),
            # Filtered by object, and an object's own history on its page.
            models.Index(fields=["model", "object_id", "at", "id"], name="audit_object_idx"),
            # An item's page lists its adoptions' and instructions' history too.
            models.Index(fields=["parent_model", "parent_id"], name="audit_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"{cn_date(self.at, 'minute')} {self.username or '系统'} {self.get_kind_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditRecordImmutable("审计记录不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordImmutable("审计记录不能删除，过期记录只能用 prune_audit 命令清理。")
