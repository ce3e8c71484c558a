from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.locking import StaleEdit
from core import confirm
from core.access import staff_required
from core.links import query_without_page
from core.list_return import ListReturn, list_return, this_list
from units import services
from units.access import get_unit_for_user, visible_units
from units.forms import PersonForm, UnitFilterForm, UnitForm
from units.models import UNITS_PER_PAGE, Person, PersonRole, Sequence, Unit
from units.sections import sections_for


def _get_person_for_user(user, pk: int) -> Person:
    """A person of a unit the user may read, or 404."""
    try:
        return Person.objects.select_related("unit").get(pk=pk, unit__in=visible_units(user))
    except Person.DoesNotExist:
        raise Http404("没有找到该人员。") from None


def _back(request: HttpRequest) -> ListReturn:
    """The page of the unit list the user came from: a unit's pages carry it on, back to its detail page."""
    return list_return(request, reverse("units:list"))


def _detail(unit_pk: int, back: ListReturn) -> str:
    return reverse("units:detail", args=[unit_pk]) + back.query


CHOICES_SHOWN = 20


def _choices_query(request: HttpRequest) -> str:
    # A NUL cannot be in a name, and PostgreSQL refuses it in a query.
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


@login_required
def unit_choices(request: HttpRequest) -> JsonResponse:
    """Names of the units that contain `q`, for a unit input's suggestions (core.unit_search): with `active=1` the
    active units, which every form naming other units (joint units, a request's targets) offers to any user;
    otherwise the units the user may read (an officer: their own)."""
    query = _choices_query(request)
    units = Unit.objects.active() if request.GET.get("active") == "1" else visible_units(request.user)
    units = units.filter(name__icontains=query).order_by("name")
    return JsonResponse({"names": list(units.values_list("name", flat=True)[:CHOICES_SHOWN])})


@staff_required
def officer_choices(request: HttpRequest) -> JsonResponse:
    """Active information officers whose name or unit's name contains `q`, as 姓名（单位）: the suggestions of the
    award page's 信息员 (the office's; an officer has no business with other units' people)."""
    query = _choices_query(request)
    people = (Person.objects.filter(role=PersonRole.INFORMATION_OFFICER, is_active=True)
              .filter(Q(name__icontains=query) | Q(unit__name__icontains=query))
              .select_related("unit").order_by("unit__name", "name")[:CHOICES_SHOWN])
    return JsonResponse({"names": [person.name_with_unit for person in people]})


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    if request.user.is_officer:
        # An officer has one unit: the list of all units is not theirs to read.
        return redirect("units:detail", pk=request.user.unit_id)
    filters = UnitFilterForm(request.GET)
    units = filters.filter(Unit.objects.all())
    page = Paginator(units.pks_in_office_order(), UNITS_PER_PAGE).get_page(request.GET.get("page"))
    rows = Unit.objects.filter(pk__in=page.object_list).annotate(
        people_count=Count("people", filter=Q(people__is_active=True)),
    )
    # A page's groups by sequence, each headed with the number of its units over every page.
    counts = dict(units.order_by().values_list("sequence").annotate(Count("pk")))
    groups = [
        (Sequence(sequence).label, counts[sequence], list(members))
        for sequence, members in groupby(rows.in_office_order(), key=lambda unit: unit.sequence)
    ]
    query = query_without_page(request)
    return render(request, "units/list.html", {
        "filters": filters, "page": page, "groups": groups, "query": query, "here": this_list(request),
    })


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    people = list(unit.people.order_by("-is_active", "role", "name"))
    chain = [(role.label, [p for p in people if p.role == role]) for role in PersonRole]
    # The administrator manages the unit's officer accounts from here.
    accounts = list(unit.accounts.order_by("username")) if request.user.is_office_admin else []
    return render(request, "units/detail.html", {
        "unit": unit, "chain": chain, "accounts": accounts, "sections": sections_for(request, unit), "back": _back(request),
    })


@staff_required
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = services.create_unit(form.model_values(), user=request.user)
        messages.success(request, f"已新增单位“{unit.name}”。")
        return redirect("units:detail", pk=unit.pk)
    return render(request, "units/unit_form.html", {"form": form})


@staff_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit, back = get_unit_for_user(request.user, pk), _back(request)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.update_unit(unit, form.model_values(), user=request.user, version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            messages.success(request, f"已保存单位“{unit.name}”。")
            return redirect(_detail(unit.pk, back))
    return render(request, "units/unit_form.html", {"form": form, "unit": unit, "back": back})


@staff_required
@require_POST
def unit_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    unit, back = get_unit_for_user(request.user, pk), _back(request)
    if not active and not confirm.is_confirmed(request):
        officers = unit.accounts.filter(is_active=True).count()
        return confirm.ask(request, title=f"停用单位“{unit.name}”", action="确认停用", danger=True, lines=[
            f"停用后，“{unit.name}”的{officers}个信息员账号不能再登录，已登录的将被退出。",
            "该单位的历史信息、得分和通报仍然保留，可随时重新启用。",
        ], back_url=_detail(unit.pk, back))
    accounts = services.set_unit_active(unit, active, user=request.user)
    if active:
        messages.success(request, f"已启用单位“{unit.name}”。")
    else:
        messages.success(request, f"已停用单位“{unit.name}”，其 {accounts} 个信息员账号不能再登录。历史数据仍保留。")
    return redirect(_detail(unit.pk, back))


@staff_required
def person_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit, back = get_unit_for_user(request.user, unit_pk), _back(request)
    form = PersonForm(request.POST or None, instance=Person(unit=unit))
    if request.method == "POST" and form.is_valid():
        person = services.create_person({"unit": unit, **form.model_values()}, user=request.user)
        messages.success(request, f"已为“{unit.name}”添加{person.get_role_display()}{person.name}。")
        return redirect(_detail(unit.pk, back))
    return render(request, "units/person_form.html", {"form": form, "unit": unit, "back": back})


@staff_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person, back = _get_person_for_user(request.user, pk), _back(request)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.update_person(person, form.model_values(), user=request.user, version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            messages.success(request, f"已保存{person.name}的信息。")
            return redirect(_detail(person.unit_id, back))
    return render(request, "units/person_form.html", {"form": form, "unit": person.unit, "person": person, "back": back})


@staff_required
@require_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person, back = _get_person_for_user(request.user, pk), _back(request)
    if not confirm.is_confirmed(request):
        return confirm.ask(request, title=f"删除{person.name}", action="确认删除", danger=True, lines=[
            f"删除“{person.unit.name}”的{person.get_role_display()}{person.name}及其联系方式。",
            "删除后不能恢复；如只是离岗，请改为在编辑中取消“在岗”。",
        ], back_url=_detail(person.unit_id, back))
    if services.delete_person(person, user=request.user):
        messages.success(request, f"已删除{person.name}。")
    else:
        messages.error(request, f"{person.name}已列入评比记录，不能删除；如已离岗，请在编辑中取消“在岗”。")
    return redirect(_detail(person.unit_id, back))
