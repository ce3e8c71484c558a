from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.locking import StaleEdit
from core.access import admin_required, login_required, staff_required
from core.links import query_without_page
from editorial import forms, services
from editorial.access import check_reads_desk, get_carrier, get_desk_item, get_entry, get_issue_for_user, get_item
from editorial.document import issue_docx
from editorial.models import Carrier, Decision, DecisionAction, Issue, IssueItem, IssueStatus
from submissions.models import JointUnit, Submission
from submissions.services import history_of

PAGE_SIZE = 50


def _joint_prefetch() -> Prefetch:
    return Prefetch("joint_units", queryset=JointUnit.objects.select_related("unit"))


def _saved(request: HttpRequest, form: django_forms.BaseForm, write: Callable[[dict], str]) -> bool:
    """Every desk form's save: with a valid form, `write(cleaned_data)` and its message; a refusal (DeskError)
    or a stale save (StaleEdit: what was typed is kept) goes onto the form instead, and False comes back."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        message = write(form.cleaned_data)
    except StaleEdit as stale:
        form.refuse_stale(stale)
        return False
    except services.DeskError as refused:
        form.add_error(None, str(refused))
        return False
    messages.success(request, message)
    return True


# --- the inbox and decisions -------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    check_reads_desk(request.user)
    filters = forms.InboxFilterForm(request.GET)
    items = filters.apply(Submission.objects.all()).select_related("unit").prefetch_related(_joint_prefetch())
    page = Paginator(items.order_by("submitted_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return render(request, "editorial/inbox.html", {"filters": filters, "page": page, "query": query})


def _render_review(request: HttpRequest, item: Submission, form: forms.DecisionForm | None = None,
                   status: int = 200) -> HttpResponse:
    return render(request, "editorial/review.html", {
        "item": item,
        "joint_units": [j.unit for j in item.joint_units.select_related("unit")],
        "form": form or forms.DecisionForm(initial={"version": item.version}),
        "decisions": Decision.objects.filter(submission=item).select_related("user", "issue__carrier"),
        "entries": item.issue_entries.select_related("issue__carrier"),
        "history": history_of(item),
    }, status=status)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, get_desk_item(request.user, pk))


@staff_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_desk_item(request.user, pk)
    form = forms.DecisionForm(request.POST)

    def write(data: dict) -> str:
        services.decide(item, data["action"], user=request.user, version=data["version"], comment=data["comment"],
                        issue=data["issue"], adoption_type=data["adoption_type"])
        return f"已处理：{DecisionAction(data['action']).label}。"

    if _saved(request, form, write):
        return redirect("editorial:inbox")
    item.refresh_from_db()
    return _render_review(request, item, form, status=400)


# --- carriers ----------------------------------------------------------------------------------------------


@login_required
def carrier_list(request: HttpRequest) -> HttpResponse:
    check_reads_desk(request.user)
    return render(request, "editorial/carrier_list.html", {"carriers": Carrier.objects.all()})


@admin_required
def carrier_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    carrier = get_carrier(pk) if pk else None
    form = forms.CarrierForm(request.POST or None, instance=carrier)

    def write(data: dict) -> str:
        values = form.model_values()
        saved = (services.update_carrier(carrier, values, user=request.user, version=data["version"]) if carrier
                 else services.create_carrier(values, user=request.user))
        return f"刊物{saved}已保存。"

    if _saved(request, form, write):
        return redirect("editorial:carrier_list")
    return render(request, "editorial/carrier_form.html", {"form": form, "carrier": carrier})


@admin_required
@require_POST
def carrier_sync(request: HttpRequest) -> HttpResponse:
    added = services.carriers_from_adoptions()
    text = f"已从采用记录补充 {added} 种刊物，请核对其层级和采用类型。" if added else "采用记录中的刊物都已在列表中。"
    messages.success(request, text)
    return redirect("editorial:carrier_list")


# --- issues ------------------------------------------------------------------------------------------------


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    check_reads_desk(request.user)
    issues = Issue.objects.select_related("carrier").order_by("status", "-issued_on", "-id")
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "editorial/issue_list.html", {"page": page, "new_form": forms.NewIssueForm()})


@staff_required
@require_POST
def issue_create(request: HttpRequest) -> HttpResponse:
    form = forms.NewIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("editorial:issue_list")
    issue = services.start_issue(form.cleaned_data["carrier"], user=request.user)
    messages.success(request, f"已新建{issue.carrier}的草稿。")
    return redirect("editorial:issue_detail", pk=issue.pk)


def _entries(issue: Issue) -> list[IssueItem]:
    # An issue names the joint units that count: those confirmed (RULES.md decision 10).
    joint = JointUnit.objects.confirmed().select_related("unit")
    return list(issue.entries.select_related("submission__unit", "adoption")
                .prefetch_related(Prefetch("submission__joint_units", queryset=joint)))


def _render_issue(request: HttpRequest, issue: Issue, status: int = 200, **forms_) -> HttpResponse:
    editable = issue.is_draft and request.user.is_office_staff
    return render(request, "editorial/issue_detail.html", {
        "issue": issue, "entries": _entries(issue), "editable": editable, "staff": request.user.is_office_staff,
        "issue_form": forms_.get("issue_form") or (forms.IssueForm(instance=issue) if editable else None),
        "publish_form": forms_.get("publish_form") or forms.PublishForm(initial={"version": issue.version}),
        "withdraw_form": forms_.get("withdraw_form") or forms.WithdrawForm(),
        "forward_form": forms.ForwardForm(),
    }, status=status)


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_issue(request, get_issue_for_user(request.user, pk))


@staff_required
@require_POST
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    form = forms.IssueForm(request.POST, instance=issue)

    def write(data: dict) -> str:
        services.edit_issue(issue, form.model_values(), user=request.user, version=data["version"])
        return "已保存。"

    if _saved(request, form, write):
        return redirect("editorial:issue_detail", pk=issue.pk)
    issue.refresh_from_db()
    return _render_issue(request, issue, status=400, issue_form=form)


@staff_required
@require_POST
def issue_discard(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    try:
        services.discard_draft(issue, user=request.user)
    except services.DeskError as refused:
        messages.error(request, str(refused))
        return redirect("editorial:issue_detail", pk=issue.pk)
    messages.success(request, f"已删除{issue.carrier}的草稿，其中的信息回到待处理。")
    return redirect("editorial:issue_list")


@staff_required
def entry_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    entry = get_entry(issue, entry_pk)
    form = forms.EntryForm(request.POST or None, instance=entry)

    def write(data: dict) -> str:
        services.edit_entry(entry, form.model_values(), user=request.user, version=data["version"])
        return "刊发稿已保存，报送单位的原稿未改动。"

    if _saved(request, form, write):
        return redirect("editorial:issue_detail", pk=issue.pk)
    return render(request, "editorial/entry_form.html", {"issue": issue, "entry": entry, "form": form})


@staff_required
@require_POST
def entry_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    try:
        services.remove_entry(get_entry(issue, entry_pk), user=request.user)
    except services.DeskError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "已移出本期。")
    return redirect("editorial:issue_detail", pk=issue.pk)


@staff_required
@require_POST
def entry_move(request: HttpRequest, pk: int, entry_pk: int, direction: str) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    if direction not in ("up", "down"):
        raise Http404("没有这种调整方式。")
    try:
        services.move_entry(get_entry(issue, entry_pk), -1 if direction == "up" else 1, user=request.user)
    except services.DeskError as refused:
        messages.error(request, str(refused))
    return redirect("editorial:issue_detail", pk=issue.pk)


@staff_required
@require_POST
def issue_publish(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    form = forms.PublishForm(request.POST)

    def write(data: dict) -> str:
        published = services.publish_issue(issue, user=request.user, version=data["version"], issued_on=data["issued_on"])
        return f"{published}已刊发，{published.entries.count()} 条信息的采用已记录。"

    if _saved(request, form, write):
        return redirect("editorial:issue_detail", pk=issue.pk)
    return _render_issue(request, issue, status=400, publish_form=form)


@staff_required
@require_POST
def issue_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    form = forms.WithdrawForm(request.POST)

    def write(data: dict) -> str:
        services.withdraw_issue(issue, data["reason"], user=request.user)
        return f"{issue}已撤回，相应的采用记录已删除（保留在变更历史中）。"

    if _saved(request, form, write):
        return redirect("editorial:issue_detail", pk=issue.pk)
    return _render_issue(request, issue, status=400, withdraw_form=form)


@login_required
def issue_download(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    if issue.status != IssueStatus.PUBLISHED:
        messages.error(request, "只有已刊发的期可以下载。")
        return redirect("editorial:issue_detail", pk=issue.pk)
    response = HttpResponse(issue_docx(issue, _entries(issue)),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    filename = f"{issue.carrier.name}{issue.number_label}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- upward submission -------------------------------------------------------------------------------------


@staff_required
@require_POST
def entry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for_user(request.user, pk)
    form = forms.ForwardForm(request.POST)
    chosen = [e for e in _entries(issue) if str(e.pk) in request.POST.getlist("entries")]
    if not form.is_valid() or not chosen:
        errors = [e for errs in form.errors.values() for e in errs] or ["请勾选要报送省政府的信息。"]
        messages.error(request, "；".join(errors))
    else:
        n = services.forward_entries(chosen, form.cleaned_data["forwarded_on"])
        messages.success(request, f"已标记 {n} 条信息报送省政府。")
    return redirect("editorial:issue_detail", pk=issue.pk)


@login_required
def forwarded(request: HttpRequest) -> HttpResponse:
    check_reads_desk(request.user)
    entries = (IssueItem.objects.filter(forwarded_on__isnull=False)
               .select_related("issue__carrier", "submission__unit").prefetch_related("submission__adoptions")
               .order_by("-forwarded_on", "-id"))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "editorial/forwarded.html", {"page": page})


def _record_adoption(request: HttpRequest, item: Submission, form: forms.CarrierAdoptionForm, back: str,
                     context: dict) -> HttpResponse:
    def write(data: dict) -> str:
        services.record_adoption(item, data["carrier"], adoption_type=data["adoption_type"],
                                 adopted_on=data["adopted_on"], issue_no=data["issue_no"], user=request.user)
        return f"已记录{data['carrier']}采用。"

    if _saved(request, form, write):
        return redirect(back)
    return render(request, "editorial/adoption_form.html", {"item": item, "form": form, "back": back, **context})


@staff_required
def upward_adoption(request: HttpRequest, entry_pk: int) -> HttpResponse:
    try:
        entry = IssueItem.objects.select_related("submission__unit", "issue__carrier").get(
            pk=entry_pk, forwarded_on__isnull=False)
    except IssueItem.DoesNotExist:
        raise Http404("没有找到该报送省政府的信息。") from None
    form = forms.CarrierAdoptionForm(request.POST or None, item=entry.submission, upward=True)
    return _record_adoption(request, entry.submission, form, reverse("editorial:forwarded"), {"entry": entry})


@staff_required
def item_adoption(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item(pk)
    form = forms.CarrierAdoptionForm(request.POST or None, item=item)
    return _record_adoption(request, item, form, reverse("submissions:detail", args=[item.pk]), {})
