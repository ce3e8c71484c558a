from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import lockout, services
from accounts.forms import AccountCreateForm, AccountEditForm, AccountFilterForm, LockReleaseForm
from accounts.models import User
from audit.locking import StaleEdit
from core import confirm
from core.access import admin_required
from core.links import query_without_page
from core.list_return import ListReturn, list_return, this_list

PAGE_SIZE = 50


def _back(request: HttpRequest) -> ListReturn:
    return list_return(request, reverse("accounts:list"))


def _get_account(pk: int) -> User:
    # Only administrators reach account pages (admin_required), and they may manage every account.
    try:
        return User.objects.select_related("unit").get(pk=pk)
    except User.DoesNotExist:
        raise Http404("没有找到该账号。") from None


@admin_required
def account_list(request: HttpRequest) -> HttpResponse:
    filters = AccountFilterForm(request.GET)
    accounts = filters.filter(User.objects.select_related("unit")).order_by("-is_active", "role", "username")
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return render(request, "accounts/account_list.html", {
        "filters": filters, "page": page, "query": query, "here": this_list(request),
    })


@admin_required
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.create_account(form.model_values(), form.cleaned_data["password1"], user=request.user)
        messages.success(request, f"已新增账号“{account.username}”（{account.get_role_display()}），首次登录须修改密码。")
        return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "back": _back(request)})


@admin_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account, back = _get_account(pk), _back(request)
    form = AccountEditForm(request.POST or None, instance=account, editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.update_account(account, form.model_values(), user=request.user,
                                              version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            messages.success(request, f"已保存账号“{account.username}”。")
            return redirect(back.url)
    return render(request, "accounts/account_form.html", {"form": form, "account": account, "back": back})


@admin_required
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    account, back = _get_account(pk), _back(request)
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_password(account, form.cleaned_data["new_password1"], user=request.user)
        messages.success(request, f"已重设账号“{account.username}”的密码，该账号下次登录须修改密码。")
        return redirect(back.url)
    return render(request, "accounts/account_form.html", {"form": form, "account": account, "password": True, "back": back})


@admin_required
@require_POST
def account_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    account, back = _get_account(pk), _back(request)
    if account.pk == request.user.pk:
        messages.error(request, "不能停用自己的账号。")
        return redirect(back.url)
    if not active and not confirm.is_confirmed(request):
        unit = f"（{account.unit.name}）" if account.unit else ""
        return confirm.ask(request, title=f"停用账号“{account.username}”", action="确认停用", danger=True, lines=[
            f"停用{account.get_role_display()}账号“{account.username}”{unit}，停用后不能再登录。",
            "该账号录入的数据保留，可随时重新启用。",
        ], back_url=back.url)
    services.set_active(account, active, user=request.user)
    messages.success(request, f"已{'启用' if active else '停用'}账号“{account.username}”。")
    return redirect(back.url)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Every user changes their own password here, with the old one (PasswordChangeRequiredMiddleware sends
    a user whose password an administrator set here first)."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # stay logged in here; other sessions of the user end
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@admin_required
def lock_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/lock_list.html", {
        "locks": lockout.active_locks(), "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": lockout.cool_off_minutes(),
    })


@admin_required
@require_POST
def lock_release(request: HttpRequest) -> HttpResponse:
    form = LockReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "要解除的锁定无效。")
        return redirect("accounts:locks")
    username, address = form.cleaned_data["username"], form.cleaned_data["ip_address"]
    if not confirm.is_confirmed(request):
        return confirm.ask(request, title=f"解除“{username}”的登录锁定", action="确认解除锁定", danger=True,
                           back_url=reverse("accounts:locks"), lines=[
                               f"用户名“{username}”从 {address} 的登录失败记录将被清除，可立即再次尝试登录。",
                               "如果这些失败登录不是本人所为（有人在猜密码），请先核实再解除。",
                           ])
    if lockout.lift_lock(username, address):
        messages.success(request, f"已解除“{username}”从 {address} 登录的锁定。")
    else:
        messages.info(request, "该锁定已过期或已被解除。")
    return redirect("accounts:locks")
