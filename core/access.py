"""Role checks done on the server, for every view (issue: accounts and roles).

They read only the role properties of `accounts.User`, so every app can use them, units' pages too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def _role_required(check: Callable[[object], bool]) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied("您没有权限执行此操作。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Office staff and administrators: record and correct facts, publish.
staff_required = _role_required(lambda user: user.is_office_staff)
# Administrators only: rule sets, finalizing the year, picking awards.
admin_required = _role_required(lambda user: user.is_office_admin)


# What an auditor may open: the audit trail and the reports (read-only), and their own password; the write views
# among them check their own roles, which an auditor has none of.
AUDITOR_PAGES = (
    "home", "login", "logout", "password_change", "audit:", "scoring:ranking", "scoring:scorecard", "bulletins:", "awards:",
    "notifications:",
)


def auditor_may_open(view_name: str) -> bool:
    """`view_name` as "namespace:name"; an entry ending in ":" allows the whole namespace."""
    return any(view_name == page or (page.endswith(":") and view_name.startswith(page)) for page in AUDITOR_PAGES)
