"""Role checks done on the server, for every view (issue: accounts and roles)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from units.models import Unit


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


# What an auditor may open: the audit trail and the reports (read-only); the write views among them check
# their own roles, which an auditor has none of.
AUDITOR_PAGES = ("home", "login", "logout", "audit:", "scoring:ranking", "scoring:scorecard", "bulletins:", "awards:")


def auditor_may_open(view_name: str) -> bool:
    """`view_name` as "namespace:name"; an entry ending in ":" allows the whole namespace."""
    return any(view_name == page or (page.endswith(":") and view_name.startswith(page)) for page in AUDITOR_PAGES)


def visible_units(user) -> QuerySet[Unit]:
    """Units whose data the user may read: all for office roles and viewers, their own for an officer."""
    if user.can_read_all:
        return Unit.objects.all()
    return Unit.objects.filter(pk=user.unit_id)


def get_unit_for_user(user, pk: int) -> Unit:
    """A unit the user may read, or 404 (another unit's page does not exist for an officer)."""
    try:
        return visible_units(user).get(pk=pk)
    except Unit.DoesNotExist:
        raise Http404("没有找到该单位。") from None
