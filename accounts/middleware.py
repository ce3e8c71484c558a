from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from core.access import auditor_may_open

# Room for the form fields and multipart framing around a ledger workbook of the largest allowed size.
BODY_ENVELOPE_BYTES = 1024 * 1024
LOGIN_AT = "login_at"
RENEWED_AT = "renewed_at"


def body_size_limit() -> int:
    """The largest request body accepted (nginx's client_max_body_size must be at least this: README, Production)."""
    return settings.LEDGER_UPLOAD_MAX_BYTES + BODY_ENVELOPE_BYTES


class BodySizeLimitMiddleware:
    """Refuses an oversized request from its Content-Length before anything reads the body (even the login check)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body at all for a malformed length.
        if length > body_size_limit():
            page = render_to_string("413.html", {"limit_mb": settings.LEDGER_UPLOAD_MAX_BYTES // (1024 * 1024)})
            return HttpResponse(page, status=413)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; no-store on every page a logged-in user sees and every download,
    so neither the browser nor a proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        is_download = response.get("Content-Disposition", "").startswith("attachment")
        if is_download or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response


def remember_login_time(sender, request: HttpRequest, user, **kwargs) -> None:
    """On user_logged_in: the absolute session limit counts from here."""
    request.session[LOGIN_AT] = timezone.now().timestamp()


class SessionLimitMiddleware:
    """Ends a session idle for SESSION_COOKIE_AGE (Django drops it; here the user is told why) or older than
    SESSION_ABSOLUTE_SECONDS since login, whatever the user does. Activity renews the session's age by saving it,
    at most once every SESSION_RENEW_SECONDS: a save per request was one more write and commit on every page
    under load, and a minute of slack on a 30-minute limit changes nothing for the user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = timezone.now().timestamp()
        if request.user.is_authenticated:
            login_at = request.session.setdefault(LOGIN_AT, now)  # a session from before this limit existed
            if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
                messages.warning(request, f"您本次登录已超过 {hours:g} 小时，为安全起见已自动退出，请重新登录。")
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(RENEWED_AT, login_at) >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_AT] = now  # modified: the session is saved with a new age
        elif (request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.session.session_key is None
              and not request.session.modified):
            # Loading the session for request.user cleared its key: the browser sent a session the server no longer
            # has, so it expired while the user was idle (a session flushed because the password changed elsewhere
            # is marked modified). The view (login_required) sends them to the login page with `next`, where this
            # message shows.
            minutes = settings.SESSION_COOKIE_AGE // 60
            messages.warning(request, f"您已超过 {minutes} 分钟未操作，为安全起见已自动退出，请重新登录。")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user whose password an administrator set must choose their own before doing anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)


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
