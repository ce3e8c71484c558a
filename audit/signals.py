"""Logins, logouts and failed logins, from Django's own auth signals (whichever page or backend logs in)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
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
