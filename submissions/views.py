from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models
from django.db.models import Count, F, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from audit.locking import StaleEdit
from core import confirm
from core.access import login_required, staff_required
from core.assessment import RequestOutcome
from core.dates import cn_date
from core.links import query_without_page, url_by_id
from submissions import forms, services
from submissions.access import (
    can_edit_item,
    can_report,
    can_withdraw_item,
    check_reads_failures,
    check_settles_joint,
    get_failure_for_user,
    get_request_for_user,
    get_submission_for_user,
    visible_pending_joints,
    visible_requests,
    visible_submissions,
)
from submissions.models import (
    ALLOWED_ADOPTION_TYPES,
    Adoption,
    JointUnit,
    LeaderInstruction,
    SpecialRequest,
    Submission,
    UrgentFailure,
    earliest_answer,
)
from units.models import Unit
from units.versioning import cached

PAGE_SIZE = 50
DUPLICATE_MESSAGE = "该表单已经提交过，没有重复保存。"


def _to_first(request: HttpRequest, model: type[models.Model], pk: int | None) -> HttpResponse:
    """Where a repeated POST of a create form lands: the row the first POST created."""
    messages.info(request, DUPLICATE_MESSAGE)
    if model is Submission and pk:
        return redirect("submissions:detail", pk=pk)
    if model is SpecialRequest and pk:
        return redirect("submissions:request_detail", pk=pk)
    return redirect({SpecialRequest: "submissions:request_list", UrgentFailure: "submissions:failure_list"}.get(
        model, "submissions:list"))


def _repeated_post(request: HttpRequest, form, model: type[models.Model]) -> HttpResponse | None:
    """A create form POSTed again (double click, browser retry) goes to what the first POST created."""
    if request.method != "POST":
        return None
    pk = services.created_with(request.POST.get(form.add_prefix("form_token")), model)
    return _to_first(request, model, pk) if pk else None


# --- items ---------------------------------------------------------------------------------------------


class ItemPaginator(Paginator):
    """Items 50 at a time out of 300,000, fast at any page number.

    The count of a filter is kept until a write changes it: a write touching other units only (reporting,
    adoptions: units.versioning.touching) leaves the count of an officer's items or of a unit filter as it was.
    A page's rows are read in one query by their ids, found in a subquery: an OFFSET over the (submitted_at, id)
    index alone that does not read the rows it skips. `rows` reads them from that subquery."""

    def __init__(self, object_list, per_page: int, key: str, units: set[int] | None,
                 rows: Callable[[models.QuerySet], list]) -> None:
        super().__init__(object_list, per_page)
        self.key, self.units, self.rows = key, units, rows

    @cached_property
    def count(self) -> int:
        def count() -> int:
            return Paginator.count.func(self)

        def update(kept: int, changed: set[int]) -> int:
            return kept if self.units is not None and changed.isdisjoint(self.units) else count()

        return cached(self.key, count, update)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(self.object_list.values("pk")[bottom:top]), number, self)


# What a row of the items list shows (the item_row tag), its unit's name without its unit.
ITEM_ROW_FIELDS = ("ledger_no", "title", "info_type", "submitted_at", "special_request", "is_invalid", "desk_state",
                   "desk_note")


def item_rows(ids: models.QuerySet) -> list[Submission]:
    """The items of a list page, newest first, with what their rows show (the item_row tag): their columns, their
    joint units and adoptions (three queries), and their links, reversed once."""
    items = list(Submission.objects.filter(pk__in=ids).only(*ITEM_ROW_FIELDS).annotate(unit_name=F("unit__name")))
    pks = [item.pk for item in items]
    joints: dict[int, list[dict]] = defaultdict(list)
    for joint in JointUnit.objects.filter(submission__in=pks).values("submission", "unit__name", "confirmed").order_by("pk"):
        joints[joint["submission"]].append(joint)
    adoptions = Adoption.objects.by_item(pks)
    detail = url_by_id("submissions:detail")
    for item in items:
        item.joints, item.adoption_list, item.url = joints[item.pk], adoptions[item.pk], detail(item.pk)
    return items


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    filters = forms.ItemFilterForm(request.GET or None, user=request.user)
    items = filters.apply(visible_submissions(request.user)) if request.GET else visible_submissions(request.user)
    query = query_without_page(request)
    scope = "all" if request.user.can_read_all else request.user.unit_id
    # The units whose writes can change the count: the officer's own (nothing else is visible), or a filter's.
    unit = filters.cleaned_data.get("unit") if request.GET and request.user.can_read_all else None
    units = {unit.pk} if unit else None if request.user.can_read_all else {request.user.unit_id}
    paginator = ItemPaginator(items, PAGE_SIZE, f"item-count:{scope}:{query}", units, item_rows)
    return render(request, "submissions/item_list.html", {
        "filters": filters, "page": paginator.get_page(request.GET.get("page")), "query": query,
        "can_report": can_report(request.user),
    })


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not can_report(request.user):
        raise PermissionDenied("只读账号不能报送信息。")
    form = forms.ItemForm(request.POST or None, user=request.user, initial={"special_request": request.GET.get("request")})
    if repeated := _repeated_post(request, form, Submission):
        return repeated
    if request.method == "POST" and form.is_valid():
        try:
            item = services.report_item(form.to_input(), user=request.user, token=form.cleaned_data["form_token"])
        except services.AlreadySubmitted as repeat:
            return _to_first(request, Submission, repeat.object_id)
        messages.success(request, f"信息已报送，编号 {item.ledger_no}。")
        return redirect("submissions:detail", pk=item.pk)
    return render(request, "submissions/item_form.html", {"form": form})


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    if not can_edit_item(request.user, item):
        raise PermissionDenied("该信息已由办公厅处理，不能再修改。")
    form = forms.ItemForm(request.POST or None, instance=item, user=request.user)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_item(item, form.to_input(), user=request.user, version=form.cleaned_data["version"])
        except StaleEdit as stale:
            current = stale.current
            form.refuse_stale(stale)
        else:
            messages.success(request, "修改已保存。")
            return redirect("submissions:detail", pk=item.pk)
    return render(request, "submissions/item_form.html", {"form": form, "item": item, "current": current})


def _render_item(request: HttpRequest, item: Submission, status: int = 200, **forms_: object) -> HttpResponse:
    staff = request.user.is_office_staff
    joints = list(item.joint_units.select_related("unit").order_by("unit__name"))
    for joint in joints:
        joint.can_settle = not joint.confirmed and (staff or joint.unit_id == request.user.unit_id)
    context = {
        "item": item,
        "joints": joints,
        "has_pending": any(not joint.confirmed for joint in joints),
        "history": services.history_of(item),
        "staff": staff,
        "can_edit": can_edit_item(request.user, item),
        "can_withdraw": can_withdraw_item(request.user, item),
    }
    if staff:
        context.update({
            "adoption_form": forms_.get("adoption_form") or forms.AdoptionCreateForm(submission=item, prefix="adoption"),
            "instruction_form": forms_.get("instruction_form")
            or forms.InstructionCreateForm(submission=item, prefix="instruction"),
            "invalidate_form": forms_.get("invalidate_form") or forms.InvalidateForm(),
            "allowed_types": _allowed_types(),
        })
    return render(request, "submissions/item_detail.html", context, status=status)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_item(request, get_submission_for_user(request.user, pk))


@staff_required
@require_POST
def item_invalidate(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    form = forms.InvalidateForm(request.POST)
    if not form.is_valid():
        return _render_item(request, item, status=400, invalidate_form=form)
    services.mark_invalid(item, form.cleaned_data["reason"], user=request.user)
    messages.success(request, "已标记为无效，该信息不再计入报送。")
    return redirect("submissions:detail", pk=item.pk)


@login_required
@require_POST
def item_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    if not can_withdraw_item(request.user, item):
        raise PermissionDenied("只有待处理的本单位信息可以撤回。")
    if not confirm.is_confirmed(request):
        return confirm.ask(request, title=f"撤回“{item.title}”", action="确认撤回", danger=True,
                           back_url=reverse("submissions:detail", args=[item.pk]), lines=[
                               "该信息将标记为无效（报送单位撤回），不再计入报送，也不再等待办公厅处理。",
                               "撤回后本单位不能自行恢复；如需再报，请重新报送。",
                           ])
    try:
        services.withdraw_item(item, user=request.user)
    except ValueError as refused:  # the office decided on it a moment ago
        messages.error(request, str(refused))
    else:
        messages.success(request, "信息已撤回，不再计入报送。")
    return redirect("submissions:detail", pk=item.pk)


@staff_required
@require_POST
def item_restore(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    services.restore_item(item, user=request.user)
    messages.success(request, "已恢复为有效信息。")
    return redirect("submissions:detail", pk=item.pk)


# --- joint units: confirmed or declined by the unit named (RULES.md decision 10) ------------------------------


@login_required
def joint_list(request: HttpRequest) -> HttpResponse:
    """Joint units awaiting confirmation: an officer confirms or declines those named to their unit."""
    pending = visible_pending_joints(request.user).select_related("submission__unit", "unit")
    page = Paginator(pending.order_by("-submission__submitted_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for joint in page:
        joint.can_settle = request.user.is_office_staff or joint.unit_id == request.user.unit_id
    return render(request, "submissions/joint_list.html", {"page": page})


def _settle_joint(request: HttpRequest, pk: int, unit_pk: int, settle: Callable, done: str) -> HttpResponse:
    check_settles_joint(request.user, pk, unit_pk)
    try:
        joint = settle(pk, unit_pk, user=request.user)
    except services.JointRefused as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, done.format(unit=joint.unit.name))
    # A unit that declined no longer sees the item.
    if visible_submissions(request.user).filter(pk=pk).exists():
        return redirect("submissions:detail", pk=pk)
    return redirect("submissions:joint_list")


@login_required
@require_POST
def joint_confirm(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    return _settle_joint(request, pk, unit_pk, services.confirm_joint, "已确认{unit}为联合报送单位，该信息同时计入{unit}。")


@login_required
@require_POST
def joint_decline(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    return _settle_joint(request, pk, unit_pk, services.decline_joint, "已拒绝，{unit}不再是该信息的联合报送单位。")


# --- adoptions and instructions, on the item's page --------------------------------------------------------


@dataclass(frozen=True)
class ItemFact:
    """How the views handle one kind of fact recorded on an item."""

    model: type[models.Model]
    related: str  # the item's related manager
    create_form: type
    edit_form: type
    form_key: str  # its context name on the item page
    name: str  # Chinese name in messages
    conflict: str  # what a database constraint race means to the user


ADOPTION = ItemFact(Adoption, "adoptions", forms.AdoptionCreateForm, forms.AdoptionForm, "adoption_form", "采用",
                    "该信息在这一层级已有采用记录，每个层级只能采用一次。")
INSTRUCTION = ItemFact(LeaderInstruction, "instructions", forms.InstructionCreateForm, forms.InstructionForm,
                       "instruction_form", "批示", "该信息已有相同的批示，不能重复录入。")


def _create_on_item(request: HttpRequest, pk: int, kind: ItemFact) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    # Prefixed: the item page holds the adoption and the instruction form, both with a "level" field.
    form = kind.create_form(request.POST, submission=item, prefix=kind.form_key.removesuffix("_form"))
    if _repeated_post(request, form, kind.model):
        return _to_first(request, Submission, item.pk)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form._meta.fields}
        try:
            services.create_fact(kind.model, {"submission": item, **fields}, user=request.user,
                                 token=form.cleaned_data["form_token"])
        except services.AlreadySubmitted:
            return _to_first(request, Submission, item.pk)
        except IntegrityError:
            form.add_error(None, kind.conflict)
        else:
            messages.success(request, f"{kind.name}已记录。")
            return redirect("submissions:detail", pk=item.pk)
    return _render_item(request, item, status=400, **{kind.form_key: form})


def _edit_on_item(request: HttpRequest, pk: int, fact_pk: int, kind: ItemFact) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    fact = get_object_or_404(getattr(item, kind.related).select_related("created_by"), pk=fact_pk)
    form = kind.edit_form(request.POST or None, instance=fact, submission=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_fact(fact, {name: form.cleaned_data[name] for name in form._meta.fields}, user=request.user,
                                 version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except IntegrityError:
            form.add_error(None, kind.conflict)
        else:
            messages.success(request, f"{kind.name}已修改。")
            return redirect("submissions:detail", pk=item.pk)
    history = services.history_of(fact)
    return render(request, "submissions/fact_form.html", {"form": form, "item": item, "fact": fact, "kind": kind,
                                                           "history": history, "allowed_types": _allowed_types()})


def _delete_on_item(request: HttpRequest, pk: int, fact_pk: int, kind: ItemFact) -> HttpResponse:
    item = get_submission_for_user(request.user, pk)
    fact = get_object_or_404(getattr(item, kind.related), pk=fact_pk)
    if not confirm.is_confirmed(request):
        return confirm.ask(request, title=f"删除{kind.name}", action="确认删除", danger=True, lines=[
            f"删除{item.unit.name}信息《{item.title}》的{kind.name}：{fact}。",
            "删除后相关单位的得分随之重新计算；删除记录保留在变更历史中。",
        ], back_url=reverse("submissions:detail", args=[item.pk]))
    services.delete_fact(fact, user=request.user)
    messages.success(request, f"{kind.name}已删除，删除记录保留在变更历史中。")
    return redirect("submissions:detail", pk=item.pk)


def _allowed_types() -> dict[str, list[str]]:
    return {level: list(types) for level, types in ALLOWED_ADOPTION_TYPES.items()}


@staff_required
@require_POST
def adoption_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create_on_item(request, pk, ADOPTION)


@staff_required
def adoption_edit(request: HttpRequest, pk: int, fact_pk: int) -> HttpResponse:
    return _edit_on_item(request, pk, fact_pk, ADOPTION)


@staff_required
@require_POST
def adoption_delete(request: HttpRequest, pk: int, fact_pk: int) -> HttpResponse:
    return _delete_on_item(request, pk, fact_pk, ADOPTION)


@staff_required
@require_POST
def instruction_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create_on_item(request, pk, INSTRUCTION)


@staff_required
def instruction_edit(request: HttpRequest, pk: int, fact_pk: int) -> HttpResponse:
    return _edit_on_item(request, pk, fact_pk, INSTRUCTION)


@staff_required
@require_POST
def instruction_delete(request: HttpRequest, pk: int, fact_pk: int) -> HttpResponse:
    return _delete_on_item(request, pk, fact_pk, INSTRUCTION)


# --- special requests ----------------------------------------------------------------------------------


def _count_answers(requests: list[SpecialRequest]) -> None:
    """Each request's targets and targets that answered (a valid own or confirmed joint item naming it,
    decision 5), for a page of requests in two queries: the targets counted per request, and the targets' answering
    (request, unit) pairs, each once (a UNION). A subquery per target in the list's query made PostgreSQL work out
    an answer per (request, target) pair for every joined row: 17 s for 24 requests of 50 targets; one per target
    of the page (EXISTS over the joint units) 144 ms for 1,200 targets; fetching every target and every answer to
    intersect them here, 3,500 rows for 24 requests."""
    ids = [req.pk for req in requests]
    sent = SpecialRequest.targets.through.objects.filter(specialrequest__in=ids)
    targets = dict(sent.values_list("specialrequest").annotate(n=Count("unit")).order_by())
    own = Submission.objects.counted().filter(special_request__in=ids, special_request__targets=F("unit"))
    joint = JointUnit.objects.counted().filter(submission__special_request__in=ids,
                                               submission__special_request__targets=F("unit"))
    # Without the items' ordering, which would add their times to the pairs: a row per answer.
    pairs = own.values_list("special_request_id", "unit_id").order_by().union(
        joint.values_list("submission__special_request_id", "unit_id"))
    answered = Counter(req for req, _ in pairs)
    for req in requests:
        req.target_count, req.answered_count = targets.get(req.pk, 0), answered[req.pk]


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    requests = visible_requests(request.user).order_by("-deadline", "-id").only("code", "title", "deadline")
    if request.user.is_officer:
        requests = requests.annotate(my_answer=earliest_answer(OuterRef("pk"), request.user.unit_id))
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    now, detail = timezone.now(), url_by_id("submissions:request_detail")
    for req in page:
        req.url, req.deadline_text, req.is_open = detail(req.pk), cn_date(req.deadline, "minute"), req.deadline >= now
        if request.user.is_officer:
            req.my_outcome = services.outcome(req.deadline, req.my_answer, now)
    if not request.user.is_officer:
        _count_answers(page.object_list)
    return render(request, "submissions/request_list.html", {"page": page, "create_url": reverse("submissions:create")})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_request_for_user(request.user, pk)
    now = timezone.now()
    targets = Unit.objects.filter(special_requests=req)
    if request.user.is_officer:
        targets = targets.filter(pk=request.user.unit_id)  # another unit's answer is not an officer's business
    answers = services.first_answers(req)
    rows = [(unit, answers.get(unit.pk), services.outcome(req.deadline, answers.get(unit.pk), now))
            for unit in targets.in_office_order()]
    totals = [(key, sum(1 for row in rows if row[2] == key)) for key in RequestOutcome]
    return render(request, "submissions/request_detail.html", {
        "req": req, "rows": rows, "totals": totals, "is_open": req.deadline >= now,
        "history": services.history_of(req) if request.user.can_read_all else [],
        "can_answer": request.user.is_officer and req.deadline >= now,
    })


@staff_required
def request_create(request: HttpRequest) -> HttpResponse:
    return _save_request(request, None, forms.RequestCreateForm(request.POST or None))


@staff_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_request_for_user(request.user, pk)
    return _save_request(request, req, forms.RequestForm(request.POST or None, instance=req))


def _save_request(request: HttpRequest, req, form: forms.RequestForm) -> HttpResponse:
    if req is None and (repeated := _repeated_post(request, form, SpecialRequest)):
        return repeated
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_request(req, form.fields_to_save(), form.cleaned_data["all_targets"], user=request.user,
                                          token=form.cleaned_data.get("form_token"), version=form.cleaned_data.get("version"))
        except services.AlreadySubmitted as repeat:
            return _to_first(request, SpecialRequest, repeat.object_id)
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except IntegrityError:
            form.add_error("code", "专约编号已被使用。")
        else:
            messages.success(request, f"专约 {saved.code} 已保存，对象单位 {len(form.cleaned_data['all_targets'])} 个。")
            return redirect("submissions:request_detail", pk=saved.pk)
    return render(request, "submissions/request_form.html", {"form": form, "req": req})


# --- urgent-information failures --------------------------------------------------------------------------


@login_required
def failure_list(request: HttpRequest) -> HttpResponse:
    check_reads_failures(request.user)
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    filters = forms.FailureFilterForm(data)
    failures = filters.apply(UrgentFailure.objects.select_related("unit", "created_by"))
    page = Paginator(failures, PAGE_SIZE).get_page(request.GET.get("page"))
    data.pop("page", None)
    return render(request, "submissions/failure_list.html", {"filters": filters, "page": page, "query": data.urlencode()})


@staff_required
def failure_create(request: HttpRequest) -> HttpResponse:
    form = forms.FailureCreateForm(request.POST or None)
    if repeated := _repeated_post(request, form, UrgentFailure):
        return repeated
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form._meta.fields}
        try:
            services.create_fact(UrgentFailure, fields, user=request.user, token=form.cleaned_data["form_token"])
        except services.AlreadySubmitted:
            return _to_first(request, UrgentFailure, None)
        except IntegrityError:
            form.add_error("kind", "该单位在这一天已记录过同类问题。")
        else:
            messages.success(request, "紧急信息问题已记录。")
            return redirect("submissions:failure_list")
    return render(request, "submissions/failure_form.html", {"form": form})


@login_required
def failure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The failure's page: staff correct it; a viewer reads it and its history (officers never see it)."""
    failure = get_failure_for_user(request.user, pk)
    read_only = not request.user.is_office_staff
    if read_only and request.method == "POST":
        raise PermissionDenied("只读账号不能修改记录。")
    form = forms.FailureForm(request.POST or None, instance=failure)
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_fact(failure, {name: form.cleaned_data[name] for name in form._meta.fields}, user=request.user,
                                 version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except IntegrityError:
            form.add_error("kind", "该单位在这一天已记录过同类问题。")
        else:
            messages.success(request, "紧急信息问题已修改。")
            return redirect("submissions:failure_list")
    return render(request, "submissions/failure_form.html", {"form": form, "failure": failure, "read_only": read_only,
                                                              "history": services.history_of(failure)})


@staff_required
@require_POST
def failure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    failure = get_failure_for_user(request.user, pk)
    if not confirm.is_confirmed(request):
        return confirm.ask(request, title="删除紧急信息问题", action="确认删除", danger=True, lines=[
            f"删除{failure.unit.name}{cn_date(failure.occurred_on)}的{failure.get_kind_display()}记录。",
            "删除后该单位的扣分随之取消；删除记录保留在变更历史中。",
        ], back_url=reverse("submissions:failure_list"))
    services.delete_fact(failure, user=request.user)
    messages.success(request, "紧急信息问题已删除，删除记录保留在变更历史中。")
    return redirect("submissions:failure_list")
