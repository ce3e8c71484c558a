from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.services import update_own_contact
from audit.locking import StaleEdit
from notifications import services
from notifications.forms import ContactForm
from notifications.mail import mail_enabled
from notifications.models import Notice

PAGE_SIZE = 50


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """The user's own notices, unread first."""
    notices = Notice.objects.filter(recipient=request.user).unread_first()
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notice_list.html", {"page": page})


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's own notices read (another's is 404); with `open`, go on to what it is about."""
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    services.mark_read(notice)
    if "open" in request.POST and url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()}):
        return redirect(notice.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(request.user)
    messages.success(request, f"已将 {marked} 条消息标为已读。" if marked else "没有未读消息。")
    return redirect("notifications:list")


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    """The user's own e-mail address and whether they get one digest a day."""
    form = ContactForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            update_own_contact(request.user, form.model_values(), version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            messages.success(request, "已保存通知设置。")
            return redirect("notifications:list")
    return render(request, "notifications/contact.html", {"form": form, "mail_enabled": mail_enabled()})
