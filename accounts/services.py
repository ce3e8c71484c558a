"""Writes on accounts and their roles, each recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from audit import services as audit
from audit.locking import update_versioned
from audit.models import EventKind

# The fields an account's audit records show (never the password).
ACCOUNT_FIELDS = ("username", "first_name", "email", "notice_digest", "role", "unit", "is_active")


@transaction.atomic
def create_account(values: dict[str, Any], password: str, *, user) -> User:
    # The administrator chose the password: only its owner should know one, so it is changed at the first login.
    account = User(**values, must_change_password=True)
    account.set_password(password)
    account.save()
    audit.record_created(account, ACCOUNT_FIELDS, user=user)
    return account


def update_account(account: User, values: dict[str, Any], *, user, version: int) -> User:
    """Save the account unless someone saved it since `version` was read (then StaleEdit)."""
    return update_versioned(User.objects.select_related("unit"), account.pk, version, values, ACCOUNT_FIELDS, user=user)


def update_own_contact(account: User, values: dict[str, Any], *, version: int) -> User:
    """A user sets their own e-mail address and digest choice (通知设置); StaleEdit if the account moved on."""
    return update_versioned(User.objects.all(), account.pk, version, values, ACCOUNT_FIELDS, user=account)


@transaction.atomic
def set_password(account: User, password: str, *, user) -> None:
    """An administrator sets a new password, which its owner must change at the next login; the record says so
    without any trace of the password."""
    current = User.objects.select_for_update().get(pk=account.pk)
    current.set_password(password)
    current.must_change_password = True
    current.version += 1
    current.save(update_fields=["password", "must_change_password", "version"])
    audit.record(EventKind.PASSWORD_CHANGED, current, user=user, summary=f"重设账号“{current.username}”的密码")


@transaction.atomic
def change_own_password(account: User, password: str) -> None:
    """A user changes their own password (the form checked the old one)."""
    account.set_password(password)
    account.must_change_password = False
    account.version += 1
    account.save(update_fields=["password", "must_change_password", "version"])
    audit.record(EventKind.PASSWORD_CHANGED, account, user=account, summary=f"“{account.username}”修改了自己的密码")


@transaction.atomic
def set_active(account: User, active: bool, *, user) -> User:
    # A button, not a form: whatever version the row has now (locked first, so no save slips in between).
    current = User.objects.select_for_update().get(pk=account.pk)
    return update_versioned(User.objects.all(), account.pk, current.version, {"is_active": active}, ACCOUNT_FIELDS, user=user)
