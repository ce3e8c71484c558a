from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from audit.context import current_request
from audit.models import EventKind
from audit.services import record


class AuditMiddleware:
    """Keeps the request for the service layer's records, and records every refused access (403).

    Any 403 counts: a view's PermissionDenied, a CSRF refusal, a forbidden response returned directly.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                reason = getattr(request, "_audit_denied", "") or "没有权限"
                record(EventKind.ACCESS_DENIED, request=request,
                       summary=f"拒绝访问 {request.method} {request.get_full_path()[:200]}：{reason}")
            return response
        finally:
            current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            request._audit_denied = str(exception)[:80]
        return None
