"""Year-end award pages.

Access: everyone logged in reads the finalized lists (officers too: they are the published commendation);
office staff also see the provisional ranking and review page read-only and flag special contributions;
only the administrator finalizes a year and picks individual awards.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from awards import services
from awards.eligibility import Candidate, eligible, mark_picked, picked_ids, stale_picks
from awards.exports import LISTS, award_report, award_workbook, workbook_filename
from awards.forms import ContributionForm, FinalizeForm, PickForm
from awards.models import AwardKind, SpecialContribution, YearResult
from awards.standings import by_sequence, standings
from core import confirm
from core.access import admin_required, staff_required
from core.assessment import YEARS
from exports import download, render_csv
from submissions.models import Submission
from units.versioning import cached

TARGET_TOLERANCE = 0.25  # a pick count further than this from the target warns (decision 12)


def get_year_result(year: int, version: str | None = None) -> YearResult:
    """A finalized version of the year (the latest unless one is asked for), or 404."""
    results = YearResult.objects.filter(year=year).select_related("finalized_by")
    if not version:
        result = results.order_by("-version").first()
    elif version.isascii() and version.isdigit() and len(version) <= 9:  # "²" is a digit to str.isdigit
        result = results.filter(version=int(version)).first()
    else:
        raise Http404("版本号不正确。")
    if result is None:
        raise Http404("该年度考核结果尚未确定。")
    return result


def _check_year(year: int) -> None:
    if not YEARS.start <= year <= services.current_year():
        raise Http404("没有该年度。")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    finalized = {
        row["year"]: row
        for row in YearResult.objects.values("year").annotate(versions=Count("id"), latest=Max("finalized_at")).order_by()
    }
    years = Submission.objects.years(*finalized, services.current_year())
    rows = [{"year": y, "finalized": finalized.get(y), "ended": y < services.current_year()} for y in years]
    return render(request, "awards/index.html", {"rows": rows})


def _award_section(kind: str, found: list[Candidate], targets: dict) -> dict:
    picked = [c for c in found if c.picked]
    target = targets.get(kind, 0)
    return {
        "kind": kind, "label": AwardKind(kind).label, "candidates": found, "picked": picked, "target": target,
        "far_from_target": abs(len(picked) - target) > target * TARGET_TOLERANCE,
    }


def _sections(result: YearResult, found: dict[str, list[Candidate]]) -> list[dict]:
    """Each individual award's candidates with the picks and the count against its target (decision 12)."""
    picked = picked_ids(result.year)
    targets = result.data.get("award_targets", {})
    return [_award_section(kind, mark_picked(found[kind], picked[kind]), targets) for kind in AwardKind.values]


def _year_context(request: HttpRequest, result: YearResult, contribution_form: ContributionForm | None = None) -> dict:
    versions = list(YearResult.objects.filter(year=result.year).select_related("finalized_by").order_by("-version"))
    context = {"result": result, "blocks": by_sequence(result.data), "versions": versions, "lists": LISTS}
    context["is_latest"] = result.version == versions[0].version
    if context["is_latest"]:
        # Individual awards go by the latest version's tiers; older versions show their unit lists only.
        found = eligible(result)
        context["sections"] = _sections(result, found)
        if request.user.is_office_admin:
            context["stale"] = stale_picks(result, found)
        if request.user.is_office_staff:
            context["contributions"] = SpecialContribution.objects.filter(year=result.year).select_related("person__unit")
            context["contribution_form"] = contribution_form or ContributionForm()
    return context


@login_required
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    result = get_year_result(year, request.GET.get("version"))
    return render(request, "awards/year.html", _year_context(request, result))


def _review_context(year: int, form: FinalizeForm) -> dict:
    try:
        services.check_finalizable(year)
        refusal = None
    except services.AwardsRefused as refused:
        refusal = refused
    snapshot = services.build_snapshot(year)
    blocks = by_sequence(snapshot)
    return {
        "year": year, "form": form, "refusal": refusal, "blocks": blocks, "rule_set": snapshot["rule_set"],
        "flagged": [s for block in blocks for s in block.flagged], "latest": services.latest_result(year),
        "unit_count": len(standings(snapshot)),
    }


@staff_required
def review(request: HttpRequest, year: int) -> HttpResponse:
    """The provisional ranking with every tie across a boundary, before the administrator finalizes."""
    _check_year(year)
    return render(request, "awards/review.html", _review_context(year, FinalizeForm()))


@admin_required
@require_POST
def finalize(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    form = FinalizeForm(request.POST)
    if form.is_valid():
        try:
            if not confirm.is_confirmed(request):
                return _ask_finalize(request, year, form.cleaned_data["reason"])
            result = services.finalize_year(year, user=request.user, reason=form.cleaned_data["reason"])
        except services.AwardsRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"已确定{year}年度考核结果（第{result.version}版）。")
            return redirect("awards:year", year=year)
    return render(request, "awards/review.html", _review_context(year, form), status=400)


def _ask_finalize(request: HttpRequest, year: int, reason: str) -> HttpResponse:
    services.check_finalizable(year)
    version = services.next_version(year, reason)
    snapshot = services.build_snapshot(year)
    blocks = by_sequence(snapshot)
    lines = [
        f"确定{year}年度考核结果第{version}版（考核规则：{snapshot['rule_set']}）。",
        f"{len(standings(snapshot))}个单位的全年得分、名次和等次将被固定，评选优秀组织者等以此为准：",
        *(f"{b.label}序列：标兵单位{len(b.model)}个，先进单位{len(b.advanced)}个。" for b in blocks if b.model or b.advanced),
        "确定后不能撤回；以后更正须填写原因，重新确定为新版本。",
        *([f"原因：{reason.strip()}"] if reason.strip() else []),
    ]
    flagged = sum(len(b.flagged) for b in blocks)
    return confirm.ask(
        request, title=f"确定{year}年度考核结果", lines=lines, action="确认无误，确定结果", danger=True,
        warning=f"有{flagged}个单位在等次分界处与相邻单位同分，请先核对。" if flagged else "",
        back_url=reverse("awards:review", args=[year]),
    )


@login_required
def workbook(request: HttpRequest, year: int) -> HttpResponse:
    """The award workbook (INTERFACES.md); `?layout=official` gives the lists as the office sends them."""
    layout = request.GET.get("layout", "")
    if layout not in ("", "official"):
        raise Http404("没有该格式的名单。")
    result = get_year_result(year, request.GET.get("version"))
    official = layout == "official"
    # Made once per state of the data and of the picks (which leave the data version alone: awards.apps).
    picks = sorted((kind, sorted(ids)) for kind, ids in picked_ids(year).items())
    stamp = hashlib.sha256(repr(picks).encode()).hexdigest()[:16]
    content = cached(f"award-workbook:{result.pk}:{official}:{stamp}", lambda: award_workbook(result, official))
    return download(content, workbook_filename(result, official))


@login_required
def list_csv(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    if slug not in LISTS:
        raise Http404("没有该名单。")
    result = get_year_result(year, request.GET.get("version"))
    return download(render_csv(award_report(result, slug)), f"{year}年度{LISTS[slug][1]}（第{result.version}版）.csv")


@admin_required
@require_POST
def pick(request: HttpRequest, year: int) -> HttpResponse:
    """Pick or unpick the ticked candidates of one award. In place (htmx): the award's section and the counts
    come back; without JavaScript: back to the page with a message."""
    result = get_year_result(year)  # picks follow a finalized result: 404 before there is one
    form = PickForm(request.POST)
    status = 200
    if not form.is_valid():
        message = (form.errors.get("version") or form.errors.get("target") or ["评选请求不完整，未保存。"])[0]
        status = 400
    else:
        kind, action = form.cleaned_data["kind"], form.cleaned_data["action"]
        label = AwardKind(kind).label
        try:
            changed = services.set_picks(year, kind, form.cleaned_data["target"], action == "pick",
                                         version=form.cleaned_data["version"], user=request.user)
        except services.AwardsRefused as refused:
            message, status = str(refused), 409 if isinstance(refused, services.StalePicks) else 400
        else:
            message = f"已{'评选' if action == 'pick' else '取消'}{changed}项{label}。" if changed else "所选对象均无变化。"
    if not request.htmx:
        (messages.success if status == 200 else messages.error)(request, message)
        anchor = request.POST.get("kind") if request.POST.get("kind") in AwardKind.values else "picking"
        return redirect(f"{_year_url(year)}#{anchor}")
    return _picked_in_place(request, result, form, message, status)


def _picked_in_place(request: HttpRequest, result: YearResult, form: PickForm, message: str, status: int) -> HttpResponse:
    """The award's section (the request's target) and, out of band, the counts with the message. A refusal
    swaps only the counts and the message: the ticks stay as they were."""
    sections = _sections(result, eligible(result))
    kind = form.cleaned_data.get("kind") if form.is_valid() else None
    context = {"result": result, "sections": sections, "message": message, "ok": status == 200,
               "section": next((s for s in sections if s.get("kind") == kind), None)}
    response = render(request, "awards/_picking.html", context, status=status)
    return response if status == 200 else reswap(response, "none")


def _year_url(year: int) -> str:
    return reverse("awards:year", kwargs={"year": year})


@staff_required
@require_POST
def contribution(request: HttpRequest, year: int) -> HttpResponse:
    """Flag an information officer for a special contribution in the year (or change the note)."""
    result = get_year_result(year)
    form = ContributionForm(request.POST)
    if form.is_valid():
        try:
            flag = services.flag_contribution(year, form.cleaned_data["person"], form.cleaned_data["note"], user=request.user)
        except services.AwardsRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"已将{flag.person.name}标记为特殊贡献信息员。")
            return redirect(f"{_year_url(year)}#officer")
    return render(request, "awards/year.html", _year_context(request, result, form), status=400)


@staff_required
@require_POST
def contribution_delete(request: HttpRequest, year: int, person_id: int) -> HttpResponse:
    if not services.unflag_contribution(year, person_id):
        raise Http404("没有该特殊贡献标记。")
    messages.success(request, "已取消特殊贡献标记。")
    return redirect(f"{_year_url(year)}#officer")
