from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.access import auditor_may_open


class ActiveUnitMiddleware:
    """An officer whose unit was deactivated is logged out at the next request: they can no longer act."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_officer and not user.unit.is_active:
            logout(request)
            messages.error(request, "您所在的单位已停用，账号不能再使用。")
            return redirect("login")
        return self.get_response(request)


class AuditorScopeMiddleware:
    """An auditor sees only the audit trail and the reports: every other page is refused, whatever its own check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        if request.user.is_authenticated and request.user.is_auditor:
            if not auditor_may_open(request.resolver_match.view_name):
                raise PermissionDenied("审计员只能查看审计日志和考核报表。")
        return None
