"""Logins, logouts and failed logins, from Django's own auth signals (whichever page or backend logs in); and
the changes made on Django's admin site, from the admin's own log."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_save
from django.dispatch import receiver

from audit.models import EventKind
from audit.services import record, record_security_event


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    record(EventKind.LOGIN, request=request, user=user, summary="登录成功")


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    record(EventKind.LOGOUT, request=request, user=user, summary="退出登录")


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django masks the password in `credentials`; the username tried is kept even when no such user exists.
    username = str(credentials.get("username", ""))[:150]
    record_security_event(request, EventKind.LOGIN_FAILED, username, f"登录失败（用户名：{username}）")


ADMIN_KINDS = {ADDITION: EventKind.CREATE, CHANGE: EventKind.UPDATE, DELETION: EventKind.DELETE}


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_change")
def _admin_change(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    # The admin logs a deletion before it deletes, so the object is still there to be named.
    if not created:
        return
    try:
        obj = instance.get_edited_object()
    except (ObjectDoesNotExist, AttributeError):
        obj = None
    message = instance.get_change_message() or ADMIN_KINDS[instance.action_flag].label
    record(ADMIN_KINDS[instance.action_flag], obj, user=instance.user, summary=f"管理后台：{instance.object_repr} {message}")
