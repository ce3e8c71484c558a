"""Security events in the log (logger "security"): sign-in, failed sign-in, sign-out; refusals are logged by the 403
handler (operations.views.permission_denied)."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

security_log = logging.getLogger("security")


@receiver(user_logged_in, dispatch_uid="security_log_login")
def log_login(sender, request, user, **kwargs) -> None:
    security_log.info("login: %s", user.get_username(), extra={"user": user.get_username()})


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def log_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # Only the name that was tried: the credentials dict also holds the password (Django masks it, but why risk it).
    security_log.warning("login failed: %s", credentials.get("username", ""))


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def log_logout(sender, request, user, **kwargs) -> None:
    name = user.get_username() if user else ""
    security_log.info("logout: %s", name, extra={"user": name or None})
