from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import admin_required
from accounts.forms import AccountCreateForm, AccountEditForm, AccountFilterForm
from accounts.models import User
from audit.locking import StaleEdit
from bulletins.panels import home_panel as bulletin_panel
from submissions.panels import home_panel as submission_panel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Each app contributes its own panel to the start page (open requests, the latest bulletin place...).
    panels = [p for p in (submission_panel(request), bulletin_panel(request)) if p]
    return render(request, "accounts/home.html", {"panels": panels})


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
    return render(request, "accounts/account_list.html", {"filters": filters, "accounts": accounts})


@admin_required
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.create_account(form.model_values(), form.cleaned_data["password1"], user=request.user)
        messages.success(request, f"已新增账号“{account.username}”（{account.get_role_display()}）。")
        return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form})


@admin_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_account(pk)
    form = AccountEditForm(request.POST or None, instance=account, editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.update_account(account, form.model_values(), user=request.user,
                                              version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            messages.success(request, f"已保存账号“{account.username}”。")
            return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "account": account})


@admin_required
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_account(pk)
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_password(account, form.cleaned_data["new_password1"], user=request.user)
        messages.success(request, f"已重设账号“{account.username}”的密码。")
        return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "account": account, "password": True})


@admin_required
@require_POST
def account_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    account = _get_account(pk)
    if account.pk == request.user.pk:
        messages.error(request, "不能停用自己的账号。")
        return redirect("accounts:list")
    services.set_active(account, active, user=request.user)
    messages.success(request, f"已{'启用' if active else '停用'}账号“{account.username}”。")
    return redirect("accounts:list")
