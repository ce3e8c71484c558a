"""Year-end award pages.

Access: everyone logged in reads the finalized lists (officers too: they are the published commendation);
office staff also see the provisional ranking and review page read-only and flag special contributions;
only the administrator finalizes a year and picks individual awards.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap

from awards import services
from awards.eligibility import eligible, eligible_index, mark_picked, picked_candidates, picked_ids, stale_picks
from awards.exports import LISTS, award_report, award_workbook, workbook_filename
from awards.forms import CandidateListForm, ContributionForm, FinalizeForm, PickForm
from awards.models import AwardKind, SpecialContribution, YearResult
from awards.standings import by_sequence
from core import confirm
from core.access import admin_required, staff_required
from core.assessment import YEARS
from exports import download, render_csv
from submissions.models import Submission
from units.models import Sequence
from units.versioning import cached

TARGET_TOLERANCE = 0.25  # a pick count further than this from the target warns (decision 12)
# Candidates a page: a large year has tens of thousands of research items, hundreds of people.
PAGE_SIZE = 50
FIRST_PAGE = {"q": "", "show": "", "page": None}  # an award's candidates as the year page shows them
FROZEN_TIMEOUT = 7 * 24 * 3600  # a finalized version never changes: its rendered parts are kept a week


def get_year_result(year: int, version: str | None = None) -> YearResult:
    """A finalized version of the year (the latest unless one is asked for), or 404; without its snapshot, which
    only the views that read it load (`_frozen`, the downloads)."""
    results = YearResult.objects.filter(year=year).defer("data").select_related("finalized_by")
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


def _frozen(result: YearResult) -> dict:
    """What a finalized version shows everyone alike, its tiers rendered, and its award targets: made once (the
    version never changes) and kept in the cache, so a view reads neither its snapshot nor its thousand units."""

    def make() -> dict:
        data = YearResult.objects.values_list("data", flat=True).get(pk=result.pk)
        tiers = render_to_string("awards/_tiers.html", {"blocks": by_sequence(data)})
        return {"tiers": tiers, "targets": data.get("award_targets", {})}

    # The finalizing time too: after a restore from backup an id may name another version.
    return cache.get_or_set(f"award-result:{result.pk}-{result.finalized_at.timestamp()}", make, FROZEN_TIMEOUT)


def _mark_own(request: HttpRequest, html: str) -> SafeString:
    """An officer's own unit marked, by its data-unit, in tiers rendered once for everyone (by the template engine,
    escaped there)."""
    if request.user.is_officer and request.user.unit_id:
        row = f'<tr data-unit="{request.user.unit_id}" class="'
        html = html.replace(row, f"{row}own-unit ")
    return mark_safe(html)  # noqa: S308


def _summary(result: YearResult, targets: dict) -> tuple[list[dict], dict[str, set[int]]]:
    """Each individual award's eligible picks counted against its target (decision 12); and the year's picks."""
    chosen, places = picked_ids(result.year), eligible_index(result)
    sections = []
    for kind in AwardKind.values:
        count, target = len(chosen[kind] & places[kind].keys()), targets.get(kind, 0)
        sections.append({"kind": kind, "label": AwardKind(kind).label, "count": count, "target": target,
                         "far_from_target": abs(count - target) > target * TARGET_TOLERANCE})
    return sections, chosen


def _listing(result: YearResult, kind: str, chosen: set[int], state: dict, strict: bool) -> dict:
    """A page of one award's candidates (all, or the picked only), those a search names, and the address of its
    other pages; `strict`: a page past the last is a 404 (an address), else the last page (after unpicking the
    last of a page)."""
    rows = picked_candidates(result, kind, chosen) if state["show"] == "picked" else eligible(result)[kind]
    if q := state["q"]:
        rows = [c for c in rows if q in c.name or q in c.unit or q in c.reason]
    paginator = Paginator(rows, PAGE_SIZE)
    try:
        page = paginator.page(state["page"] or 1) if strict else paginator.get_page(state["page"])
    except InvalidPage:
        raise Http404("没有该页。") from None
    page.object_list = mark_picked(page.object_list, chosen)
    url = reverse("awards:candidates", args=[result.year, kind])
    query = urlencode({name: state[name] for name in ("q", "show") if state[name]})
    return {"page": page, "q": state["q"], "show": state["show"], "link": f"{url}?{query}{'&' if query else ''}page="}


def _sections(request: HttpRequest, result: YearResult, targets: dict, listed: str | None = None,
              state: dict = FIRST_PAGE, strict: bool = False) -> list[dict]:
    """The individual awards: to the administrator, a page of each one's candidates (the `listed` award's page as
    `state` asks, the others' first page); to everyone else, each one's picks."""
    sections, chosen = _summary(result, targets)
    for section in sections:
        kind = section["kind"]
        if request.user.is_office_admin:
            asked = kind == listed
            section |= _listing(result, kind, chosen[kind], state if asked else FIRST_PAGE, strict and asked)
        else:
            section["picked"] = picked_candidates(result, kind, chosen[kind])
    return sections


def _year_context(request: HttpRequest, result: YearResult, contribution_form: ContributionForm | None = None) -> dict:
    versions = list(YearResult.objects.filter(year=result.year).defer("data").select_related("finalized_by").order_by("-version"))
    frozen = _frozen(result)
    context = {"result": result, "tiers": _mark_own(request, frozen["tiers"]), "versions": versions, "lists": LISTS}
    context["is_latest"] = result.version == versions[0].version
    if context["is_latest"]:
        # Individual awards go by the latest version's tiers; older versions show their unit lists only.
        context["sections"] = _sections(request, result, frozen["targets"])
        if request.user.is_office_admin:
            context["stale"] = stale_picks(result)
        if request.user.is_office_staff:
            context["contributions"] = SpecialContribution.objects.filter(year=result.year).select_related("person__unit")
            context["contribution_form"] = contribution_form or ContributionForm()
    return context


@login_required
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    result = get_year_result(year, request.GET.get("version"))
    return render(request, "awards/year.html", _year_context(request, result))


@admin_required
@vary_on_headers("HX-Request")
def candidates(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    """A page of one award's candidates, searched: what the award's part of the year page loads in place (htmx)
    when the administrator turns a page or searches, or, without JavaScript, a page of its own."""
    if kind not in AwardKind.values:
        raise Http404("没有该奖项。")
    result = get_year_result(year)  # the latest version: candidates go by its tiers
    form = CandidateListForm(request.GET)
    if not form.is_valid():
        raise Http404("查找条件不正确。")
    sections = _sections(request, result, _frozen(result)["targets"], kind, form.cleaned_data, strict=True)
    section = next(s for s in sections if s["kind"] == kind)
    if request.htmx:
        return render(request, "awards/_section.html", {"result": result, "section": section})
    return render(request, "awards/candidates.html", {
        "result": result, "sections": sections, "section": section, "candidates_title": f"{section['label']}候选",
    })


def _provisional(year: int) -> dict:
    """The ranking finalizing would freeze now, with its tiers rendered: once per state of the data."""

    def make() -> dict:
        snapshot = services.build_snapshot(year)
        blocks = by_sequence(snapshot)
        return {"rule_set": snapshot["rule_set"], "unit_count": len(snapshot["units"]), "blocks": blocks,
                "tiers": render_to_string("awards/_tiers.html", {"blocks": blocks, "review_year": year})}

    return cached(f"award-provisional:{year}", make)


def _review_context(year: int, form: FinalizeForm) -> dict:
    try:
        services.check_finalizable(year)
        refusal = None
    except services.AwardsRefused as refused:
        refusal = refused
    provisional = _provisional(year)
    return {
        "year": year, "form": form, "refusal": refusal, "rule_set": provisional["rule_set"],
        "tiers": mark_safe(provisional["tiers"]),  # noqa: S308 -- rendered by the template engine, escaped there
        "flagged": [s for block in provisional["blocks"] for s in block.flagged],
        "latest": YearResult.objects.filter(year=year).defer("data").order_by("-version").first(),
        "unit_count": provisional["unit_count"],
    }


@staff_required
def review(request: HttpRequest, year: int) -> HttpResponse:
    """The provisional ranking with every tie across a boundary, before the administrator finalizes."""
    _check_year(year)
    return render(request, "awards/review.html", _review_context(year, FinalizeForm()))


@staff_required
@vary_on_headers("HX-Request")
def review_sequence(request: HttpRequest, year: int, sequence: str) -> HttpResponse:
    """A sequence's units without a tier in the provisional ranking: the rows the review page's fold loads when
    opened (htmx), or, without JavaScript, a page of its own."""
    _check_year(year)
    if sequence not in Sequence.values:
        raise Http404("没有该序列。")
    block = next(b for b in _provisional(year)["blocks"] if b.sequence == sequence)

    def make() -> str:
        return render_to_string("awards/_tier_table.html", {"rows": block.others, "empty": "本序列没有未获等次的单位。"})

    rows = mark_safe(cached(f"award-provisional-others:{year}:{sequence}", make))  # noqa: S308 -- as the tiers
    if request.htmx:
        return HttpResponse(rows)
    return render(request, "awards/review_sequence.html", {
        "year": year, "rows": rows, "sequence_title": f"{block.label}序列未获等次的单位",
    })


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
    provisional = _provisional(year)
    blocks = provisional["blocks"]
    lines = [
        f"确定{year}年度考核结果第{version}版（考核规则：{provisional['rule_set']}）。",
        f"{provisional['unit_count']}个单位的全年得分、名次和等次将被固定，评选优秀组织者等以此为准：",
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
    listing = CandidateListForm(request.POST)  # the page of candidates the form was on
    state = listing.cleaned_data if listing.is_valid() else FIRST_PAGE
    if not request.htmx:
        (messages.success if status == 200 else messages.error)(request, message)
        return redirect(_back_url(year, request.POST.get("kind"), state))
    return _picked_in_place(request, result, form, state, message, status)


def _back_url(year: int, kind: str | None, state: dict) -> str:
    """Without JavaScript, back to where the form was: the year page, or the page of candidates it showed."""
    if kind not in AwardKind.values:
        return f"{_year_url(year)}#picking"
    if not state["q"] and not state["show"] and (state["page"] or 1) == 1:
        return f"{_year_url(year)}#{kind}"  # the year page shows each award's first page
    query = urlencode({name: value for name, value in state.items() if value})
    return f"{reverse('awards:candidates', args=[year, kind])}?{query}#{kind}"


def _picked_in_place(request: HttpRequest, result: YearResult, form: PickForm, state: dict, message: str,
                     status: int) -> HttpResponse:
    """The award's section (the request's target) with the page of candidates the form was on and, out of band,
    the counts with the message. A refusal swaps only the counts and the message: the ticks stay as they were."""
    kind = form.cleaned_data.get("kind") if form.is_valid() else None
    targets = _frozen(result)["targets"]
    sections = _sections(request, result, targets, kind, state) if status == 200 else _summary(result, targets)[0]
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
