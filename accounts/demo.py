"""One demo account per role (demo only: every password is DEMO_PASSWORD)."""

from __future__ import annotations

from accounts.models import Role, User
from units.models import Unit

DEMO_PASSWORD = "demo12345"

# (username, name, role, unit name or None)
DEMO_ACCOUNTS: list[tuple[str, str, str, str | None]] = [
    ("admin", "办公厅管理员", Role.ADMIN, None),
    ("staff", "信息处工作人员", Role.STAFF, None),
    ("viewer", "办公厅领导", Role.VIEWER, None),
    ("auditor", "审计员", Role.AUDITOR, None),
    ("daoli", "道里区信息员", Role.OFFICER, "道里区"),
    ("nangang", "南岗区信息员", Role.OFFICER, "南岗区"),
]


def seed_accounts() -> list[User]:
    accounts = []
    for username, name, role, unit_name in DEMO_ACCOUNTS:
        unit = Unit.objects.get(name=unit_name) if unit_name else None
        is_admin = role == Role.ADMIN
        account, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": name, "role": role, "unit": unit, "is_active": True,
                # The demo administrator may also open Django's admin site.
                "is_staff": is_admin, "is_superuser": is_admin,
                # Demo only: the printed password stays, it is not one the user must replace.
                "must_change_password": False,
            },
        )
        # Reset on every run, so the printed credentials always work. set_password skips the password validators
        # on purpose: demo12345 would fail them.
        account.set_password(DEMO_PASSWORD)
        account.save(update_fields=["password"])
        accounts.append(account)
    return accounts
