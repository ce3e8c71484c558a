from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from core.dates import cn_date
from core.links import query_without_page
from exports import Report, render_xlsx

PAGE_SIZE = 50
# An export is for reading, not for copying the whole table: narrow the filter for more.
EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["时间（北京时间）", "用户", "地址", "事件", "对象", "单位", "摘要", "变更（原值 → 新值）"]


def audit_reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Administrators and auditors only (`User.reads_audit`)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not getattr(request.user, "reads_audit", False):
            raise PermissionDenied("只有管理员和审计员可以查看审计日志。")
        return view(request, *args, **kwargs)

    return wrapped


def changes_text(event: AuditEvent) -> str:
    return "\n".join(f"{label}：{values[0] or '（空）'} → {values[1] or '（空）'}" for label, values in event.changes.items())


def _rows(events: QuerySet[AuditEvent]) -> Iterator[list[object]]:
    for e in events.iterator(chunk_size=2000):
        yield [cn_date(e.at, "second"), e.username or "系统", e.address or "",
               e.get_kind_display(), e.object_repr, e.unit_name, e.summary, changes_text(e)]


@audit_reader_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = AuditFilterForm(request.GET)
    if not filters.is_valid():
        return render(request, "audit/list.html", {"filters": filters, "events": []}, status=400)
    events = filters.apply(AuditEvent.objects.all())
    if request.GET.get("format") == "xlsx":
        report = Report("审计日志", HEADER, _rows(events[:EXPORT_LIMIT]), sheet_name="审计日志", landscape=True,
                        subtitle=f"导出时间 {cn_date(timezone.now(), 'minute')}（最多 {EXPORT_LIMIT} 条）",
                        widths=(20, 14, 16, 10, 30, 18, 40, 50))
        response = HttpResponse(render_xlsx([report]), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    number = filters.cleaned_data["page"] or 1
    # One row past the page tells whether there is a next one: no COUNT over a table of millions.
    rows = list(events[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    query = query_without_page(request)
    return render(request, "audit/list.html", {
        "filters": filters, "events": rows[:PAGE_SIZE], "number": number, "has_next": len(rows) > PAGE_SIZE,
        "query": query,
    })
