from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from audit.locking import StaleEdit
from core import confirm
from core.access import admin_required, login_required, staff_required
from core.assessment import YEARS
from core.links import query_without_page
from core.list_return import list_return, this_list
from exports import CONTENT_TYPES, download, render_xlsx
from scoring import basic_work, imports, planner, ranking_tables, rulesets
from scoring.exports import period_title, ranking_reports
from scoring.forms import (
    AssignRuleSetForm,
    BasicListFilterForm,
    BasicWorkForm,
    LedgerUploadForm,
    PeriodForm,
    RuleSetCopyForm,
    RuleSetParamsForm,
)
from scoring.models import AssessmentYear, ImportJob, ImportStatus, RuleSet
from scoring.scorecard import build_scorecard
from scoring.services import compute_scores, rules_for_year
from submissions.models import Submission
from units.access import get_unit_for_user, visible_units
from units.models import UNITS_PER_PAGE, Unit
from units.versioning import cached, cached_for_unit


def _period(request: HttpRequest, year: int | None = None) -> tuple[PeriodForm, int, int]:
    form = PeriodForm(request.GET)
    year, through = form.period(year)
    return form, year, through


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """The year so far per sequence; an officer sees only their own unit's row (nothing is published yet)."""
    form, year, through = _period(request)
    user = request.user
    if request.GET.get("format") == "xlsx":
        if not user.can_read_all:
            raise PermissionDenied("单位信息员不能下载全部单位的考核排名。")
        content = cached(f"ranking-xlsx:{year}:{through}", lambda: render_xlsx(ranking_reports(compute_scores(year, through))))
        return download(content, f"{year}年1-{through}月考核排名.xlsx")
    if user.can_read_all:
        # A thousand rows, the same for every reader: rendered once per state of the data, after a write from the
        # rendering before it.
        tables = cached(f"ranking:{year}:{through}", lambda: ranking_tables.all_units(compute_scores(year, through)),
                        lambda before, _: ranking_tables.all_units(compute_scores(year, through), before))
        report, html = tables.report, tables.html or "<p class=\"text-muted\">没有可显示的单位。</p>"
    else:
        report = compute_scores(year, through)
        html = ranking_tables.own_row(report, request.user.unit_id)
    return render(request, "scoring/ranking.html", {
        "form": form, "report": report, "tables": mark_safe(html), "title": period_title(report),  # noqa: S308
        "years": Submission.objects.years(timezone.localdate().year, year),
    })


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise Http404("没有该考核年度。")


@login_required
def scorecard(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    _check_year(year)
    unit = get_unit_for_user(request.user, pk)
    form, year, through = _period(request, year)
    report = compute_scores(year, through)
    return render(request, "scoring/scorecard.html", {
        "form": form, "card": build_scorecard(report, unit), "sections": _unit_sections(year, through, unit),
        "title": period_title(report), "plan": planner.plan_of(report, unit.pk),
    })


def _unit_sections(year: int, through: int, unit: Unit) -> SafeString:
    """The scorecard's sections listing the unit's facts, rendered once per state of the unit's facts: a write
    touching other units only (units.versioning.touching) leaves them as they were. They show the unit's own
    facts and scores, which no other unit's facts change; its rank, tier and planner do, and are rendered from
    the assessment at each view."""

    def compute() -> SafeString:
        card = build_scorecard(compute_scores(year, through), unit)
        return mark_safe(render_to_string("scoring/_scorecard_sections.html", {"card": card}))  # noqa: S308

    return cached_for_unit(f"scorecard:{year}:{through}:{unit.pk}", unit.pk, compute)


def _year(request: HttpRequest) -> int:
    try:
        return max(YEARS.start, min(YEARS[-1], int(request.GET.get("year", ""))))
    except ValueError:
        return timezone.localdate().year


@login_required
def basic_list(request: HttpRequest) -> HttpResponse:
    """A page of the units the user may read with their entries of the year; the count of pending self-checks is
    over every unit."""
    year, units = _year(request), visible_units(request.user)
    filters = BasicListFilterForm(request.GET, user=request.user)
    page = Paginator(filters.apply(units, year).pks_in_office_order(), UNITS_PER_PAGE).get_page(request.GET.get("page"))
    rows = basic_work.entries_for(units.filter(pk__in=page.object_list).in_office_order(), year)
    pending = basic_work.pending_self_checks(units, year).count() if request.user.is_office_staff else 0
    query = query_without_page(request)
    return render(request, "scoring/basic_list.html", {
        "year": year, "filters": filters, "page": page, "rows": rows, "query": query, "pending": pending,
        "years": Submission.objects.years(timezone.localdate().year, year), "here": this_list(request),
    })


def _ask_basic(request: HttpRequest, unit, year: int, form: BasicWorkForm) -> HttpResponse:
    verb = "确认提交自查结果" if request.user.is_officer else "确认保存为确认结果"
    return confirm.ask(request, title=f"{unit.name}{year}年度基础工作考核", lines=form.summary(), action=verb, revise=True)


@login_required
def basic_unit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Staff enter or confirm the entry that counts; an officer enters the unit's self-check; viewers read."""
    _check_year(year)
    user = request.user
    unit = get_unit_for_user(user, pk)
    back = list_return(request, f"{reverse('scoring:basic_list')}?year={year}")
    row = basic_work.entry_row(unit, year)
    if not (user.is_office_staff or user.is_officer):
        form = None
        if request.method == "POST":
            raise PermissionDenied("只读用户不能修改基础工作考核。")
    else:
        # The office starts from a pending self-check (to confirm it) or from its own entry (to correct it).
        source = row.self_check if user.is_officer or row.self_check_pending else row.confirmed
        initial = basic_work.initial_values(source or row.confirmed)
        rules = rules_for_year(year).rules()
        written = row.self_check if user.is_officer else row.confirmed
        form = BasicWorkForm(request.POST or None, initial=initial, rules=rules, self_check=user.is_officer,
                             version=basic_work.version_of(written))
        if request.method == "POST" and form.is_valid() and confirm.REVISE_FIELD not in request.POST:
            if not confirm.is_confirmed(request):
                return _ask_basic(request, unit, year, form)
            save = basic_work.save_self_check if user.is_officer else basic_work.save_confirmed
            try:
                save(unit, year, form.cleaned_data, user, form.cleaned_data["version"])
            except StaleEdit as stale:
                form.refuse_stale(stale)
            else:
                messages.success(request, f"已提交{unit.name}{year}年度基础工作自查结果，待办公厅确认。" if user.is_officer
                                 else f"已确认{unit.name}{year}年度基础工作考核结果。")
                # Back to the page of the list the entry was opened from; opened otherwise, the entry as saved.
                return redirect(back.url if back.carried else reverse("scoring:basic_unit", args=[unit.pk, year]))
    return render(request, "scoring/basic_unit.html", {"unit": unit, "year": year, "row": row, "form": form, "back": back})


@staff_required
def import_ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerUploadForm(request.POST, request.FILES) if request.method == "POST" else LedgerUploadForm()
    if request.method == "POST" and form.is_valid():
        job = imports.start_import(form.cleaned_data["file"], request)
        messages.success(request, f"已上传“{job.file_name}”，正在后台导入。")
        return redirect("scoring:import_job", pk=job.pk)
    return render(request, "scoring/import.html", {"form": form})


def _get_import_job(pk: int) -> ImportJob:
    # Only office staff reach the import views, and they see every import of the office.
    imports.fail_dead_jobs()
    try:
        return ImportJob.objects.select_related("user").get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("没有找到该导入记录。") from None


@staff_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_import_job(pk)
    return render(request, "scoring/import_job.html", {"job": job, "view": imports.job_view(job, timezone.now())})


@staff_required
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page that the page's script fetches again while the job runs."""
    job = _get_import_job(pk)
    return render(request, "scoring/_import_job_status.html", {"job": job, "view": imports.job_view(job, timezone.now())})


@staff_required
@require_POST
def import_job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_import_job(pk)
    if imports.cancel_import(job):
        messages.success(request, "已取消导入，不会写入任何数据。")
    else:
        messages.error(request, "该导入已开始写入或已结束，不能再取消。")
    return redirect("scoring:import_job", pk=job.pk)


@staff_required
@require_POST
def import_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_import_job(pk)
    if job.status not in (ImportStatus.FAILED, ImportStatus.CANCELLED):
        messages.error(request, "只有未导入或已取消的导入可以重新导入。")
        return redirect("scoring:import_job", pk=job.pk)
    again = imports.retry_import(job, request)
    messages.success(request, f"已重新排队导入“{again.file_name}”。")
    return redirect("scoring:import_job", pk=again.pk)


@staff_required
def import_job_problems(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_import_job(pk)
    if not job.problems:
        raise Http404("该导入没有问题清单。")
    return download(render_xlsx([imports.problems_report(job)]), f"ledger-problems-{job.pk}.xlsx")


@staff_required
def import_job_file(request: HttpRequest, pk: int) -> FileResponse:
    job = _get_import_job(pk)
    try:
        source = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("原始文件已不存在。") from None
    return FileResponse(source, as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[".xlsx"])


@staff_required
def import_history(request: HttpRequest) -> HttpResponse:
    imports.fail_dead_jobs()
    page = Paginator(ImportJob.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(job, imports.job_view(job, now)) for job in page]
    return render(request, "scoring/import_history.html", {"page": page, "rows": rows})


def _get_rule_set(pk: int) -> RuleSet:
    # Only administrators reach the rule-set views, and they may see every rule set.
    try:
        return RuleSet.objects.select_related("based_on", "created_by").get(pk=pk)
    except RuleSet.DoesNotExist:
        raise Http404("没有找到该考核规则。") from None


@admin_required
def ruleset_list(request: HttpRequest) -> HttpResponse:
    rule_sets = RuleSet.objects.select_related("based_on").prefetch_related("years")
    return render(request, "scoring/ruleset_list.html", {"rule_sets": rule_sets, "default_name": rulesets.DEFAULT_RULE_SET_NAME})


@admin_required
def ruleset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _get_rule_set(pk)
    return render(request, "scoring/ruleset_detail.html", {
        "rule_set": rule_set, "sections": rulesets.sections(rule_set.params), "editable": rulesets.is_editable(rule_set),
        "years": rule_set.years.all(),
    })


@admin_required
def ruleset_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_rule_set(pk)
    form = RuleSetCopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copy = rulesets.copy_rule_set(source, form.cleaned_data["name"], form.cleaned_data["description"], request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已复制为新版本“{copy.name}”，请修改需要调整的数值。")
            return redirect("scoring:ruleset_edit", pk=copy.pk)
    return render(request, "scoring/ruleset_copy.html", {"source": source, "form": form})


@admin_required
def ruleset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _get_rule_set(pk)
    if not rulesets.is_editable(rule_set):
        messages.error(request, "该规则已用于考核年度（或为2008年默认规则），不能直接修改，请复制为新版本后修改。")
        return redirect("scoring:ruleset_detail", pk=rule_set.pk)
    form = RuleSetParamsForm(request.POST or None, rule_set=rule_set)
    if request.method == "POST" and form.is_valid():
        try:
            rulesets.update_rule_set(rule_set, form.params, user=request.user, version=form.cleaned_data["version"])
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存考核规则“{rule_set.name}”。")
            return redirect("scoring:ruleset_detail", pk=rule_set.pk)
    return render(request, "scoring/ruleset_edit.html", {"rule_set": rule_set, "form": form})


@admin_required
def year_list(request: HttpRequest) -> HttpResponse:
    years = AssessmentYear.objects.select_related("rule_set")
    form = AssignRuleSetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        year, rule_set = form.cleaned_data["year"], form.cleaned_data["rule_set"]
        rulesets.assign_rule_set(year, rule_set, user=request.user)
        messages.success(request, f"{year}年度已改用考核规则“{rule_set.name}”。")
        return redirect("scoring:year_list")
    return render(request, "scoring/year_list.html", {"years": years, "form": form,
                                                      "default_name": rulesets.DEFAULT_RULE_SET_NAME})

