"""The office's page of likely duplicates across units (issue 16) and the merge of a group into one joint item."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.locking import StaleEdit
from core import confirm
from core.access import staff_required
from core.assessment import parse_year_month
from submissions import forms, services
from submissions.duplicates import month_groups
from submissions.models import Submission
from units.versioning import cached


def _month(request: HttpRequest, text: str | None) -> tuple[int, int]:
    if text:
        try:
            return parse_year_month(text)
        except ValueError as bad:
            messages.error(request, str(bad))
    today = timezone.localdate()
    return today.year, today.month


GROUPS_PER_PAGE = 50
# A group's items offered for one merge: a larger group (titles chained by similarity) shows its first ones, and
# the others with the kept item after that merge.
GROUP_ROWS = 20


def _page_number(request: HttpRequest, text: str | None, last: int | None = None) -> int:
    """The page asked for: a bad number shows the first page, one past the end the last (`last` given: the page
    asks, with a message; else the merge's way back, quietly)."""
    if not text:
        return 1
    try:
        number = int(text) if text.isascii() and text.isdigit() else 0
    except ValueError:  # more digits than Python converts
        number = 2**63
    if last is None:
        return max(number, 1)
    if number < 1:
        messages.error(request, "页码应为正整数，已显示第 1 页。")
        return 1
    if number > last:
        messages.error(request, f"共 {last} 页，已显示最后一页。")
        return last
    return number


def _page_of(year: int, month: int, page: int = 1) -> str:
    return reverse("submissions:duplicates") + f"?month={year}-{month:02d}" + (f"&page={page}" if page > 1 else "")


@staff_required
def duplicates(request: HttpRequest) -> HttpResponse:
    year, month = _month(request, request.GET.get("month"))
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    following = (year, month + 1) if month < 12 else (year + 1, 1)
    # Grouping a month of a large city (25,000 items) takes up to a second: once per state of the data.
    groups = cached(f"duplicates:{year}:{month}", lambda: month_groups(year, month))
    paginator = Paginator(groups, GROUPS_PER_PAGE)
    page = paginator.page(_page_number(request, request.GET.get("page"), paginator.num_pages))
    return render(request, "submissions/duplicates.html", {
        "year": year, "month": month, "page": page, "query": f"month={year}-{month:02d}",
        "groups": [(page.start_index() + n, group, group[:GROUP_ROWS]) for n, group in enumerate(page)],
        "items": sum(len(group) for group in groups),
        "previous": f"{previous[0]}-{previous[1]:02d}", "following": f"{following[0]}-{following[1]:02d}",
    })


def _merge_lines(main: Submission, others: list[Submission]) -> list[str]:
    units = "、".join(sorted({o.unit.name for o in others if o.unit_id != main.unit_id}))
    joined = (f"{units}成为其已确认的联合报送单位，按规则（决定10）平分该信息的采用和批示得分。" if units
              else "所选信息都是同一单位报送的，只保留主信息。")
    return [
        f"保留主信息：{main.ledger_no}《{main.title}》（{main.unit.name}）。",
        joined,
        *(f"{o.ledger_no}《{o.title}》（{o.unit.name}）标记为无效：重复报送，已并入{main.ledger_no}。" for o in others),
        "合并后各单位的报送条数和得分随之重新计算；撤销需逐条恢复有效并移除联合报送单位。",
    ]


@staff_required
@require_POST
def duplicate_merge(request: HttpRequest) -> HttpResponse:
    form = forms.MergeDuplicatesForm(request.POST)
    back = _page_of(*_month(request, request.POST.get("month")), _page_number(request, request.POST.get("page")))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    data = form.cleaned_data
    items = Submission.objects.select_related("unit").in_bulk(data["items"])
    if len(items) != len(data["items"]):
        messages.error(request, "所选信息已不存在，请刷新页面。")
        return redirect(back)
    main, others = items[data["main"]], [items[pk] for pk in data["items"] if pk != data["main"]]
    try:
        services.check_mergeable(main, others)
        if not confirm.is_confirmed(request):
            return confirm.ask(request, title="合并为联合报送信息", lines=_merge_lines(main, others), action="确认合并",
                               back_url=back, danger=True)
        services.merge_as_joint(main.pk, [o.pk for o in others], data["versions"], user=request.user)
    except services.MergeRefused as refused:
        messages.error(request, str(refused))
        return redirect(back)
    except StaleEdit as stale:
        messages.error(request, stale.message)
        return redirect(back)
    messages.success(request, f"已将 {len(others)} 条重复信息并入{main.ledger_no}，联合报送单位已确认。")
    return redirect("submissions:detail", pk=main.pk)
