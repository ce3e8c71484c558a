from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_POST
from django.views.decorators.vary import vary_on_headers

from bulletins.exports import notice_csv, notice_xlsx
from bulletins.forms import PublishForm
from bulletins.models import BulletinVersion
from bulletins.notice import Notice, build_notice, bulletin_number, notice_catalogue, notice_title, sequence_label
from bulletins.panels import own_place
from bulletins.preview_lines import with_rendered_lines
from bulletins.publishing import (
    BulletinRefused,
    VersionChanges,
    check_publishable,
    compare_versions,
    parse_month,
    publish_bulletin,
)
from bulletins.services import build_bulletin
from core import confirm
from core.access import login_required, staff_required
from core.assessment import YEARS
from core.dates import cn_date
from exports import download
from submissions.models import Submission
from units.models import Sequence
from units.versioning import cached

# Published versions and their files never change; kept a week, rendered again only if evicted.
FROZEN_TIMEOUT = 7 * 24 * 3600


def _month_or_404(text: str) -> dt.date:
    try:
        return parse_month(text)
    except BulletinRefused as refusal:
        raise Http404(str(refusal)) from None


def get_published_version(*, pk: int | None = None, month: dt.date | None = None, version: int | None = None) -> BulletinVersion:
    """A published version (by id, or a month's given or latest version), or 404. Every logged-in user reads them.
    Its snapshot is read when first used: a page or file already rendered does not need it."""
    versions = BulletinVersion.objects.headers()
    if pk is not None:
        found = versions.filter(pk=pk).first()
    elif version is not None:
        found = versions.of_month(month).filter(version=version).first()
    else:
        found = versions.latest_of_month(month)
    if found is None:
        raise Http404("没有找到该期已发布的通报。")
    return found


def _notice_of(version: BulletinVersion) -> Notice:
    return build_notice(
        version.data, number=version.number, issued_on=timezone.localdate(version.published_at), version=version.version,
    )


def _live_notice(month: dt.date) -> tuple[dict, Notice]:
    data = build_bulletin(month.year, month.month)
    return data, build_notice(data)


def _own_unit_id(request: HttpRequest) -> int | None:
    return request.user.unit_id if request.user.is_officer else None


def _year_shown(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return min(max(year, YEARS.start), today.year)


def _years_with_data(published: list[BulletinVersion], *shown: int) -> list[int]:
    """The years worth choosing: those with items or published bulletins, and the current and shown year."""
    return Submission.objects.years(*{v.month.year for v in published}, *shown)


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    published = BulletinVersion.objects.headers().latest_per_month()
    context: dict = {"published": published}
    if request.user.is_office_staff:
        # The office's working view: every month of a year so far, published or not.
        today = timezone.localdate()
        year = _year_shown(request, today)
        latest = {v.month: v for v in published}
        last_month = today.month if year == today.year else 12
        months = [dt.date(year, m, 1) for m in range(last_month, 0, -1)]
        context |= {
            "year": year,
            "years": _years_with_data(published, today.year, year),
            "months": [
                {"month": m, "param": f"{m:%Y-%m}", "label": cn_date(m, "month"), "latest": latest.get(m)} for m in months
            ],
        }
    return render(request, "bulletins/list.html", context)


def _shown(request: HttpRequest, pk: int | None = None, month: str | None = None,
           version: int | None = None) -> tuple[BulletinVersion, list[BulletinVersion]]:
    """The version a page URL names and its month's versions, without snapshots; read once per request."""
    if not hasattr(request, "bulletin_shown"):
        if pk is not None:
            shown = get_published_version(pk=pk)
        else:
            shown = get_published_version(month=_month_or_404(month), version=version)
        history = BulletinVersion.objects.headers().of_month(shown.month).select_related("published_by").order_by("version")
        request.bulletin_shown = shown, list(history)
    return request.bulletin_shown


def _etag(request: HttpRequest, *shown: object) -> str:
    # What a page of a published version shows (`shown`), its reader (own rows, menu), and the CSRF secret the
    # logout form's token is made from (made now if new).
    user = request.user
    get_token(request)
    seen = (*shown, user.pk, user.role, user.unit_id, request.META["CSRF_COOKIE"])
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:32]


def _version_etag(request: HttpRequest, **kwargs) -> str:
    # The version, the month's current version (history, "corrected" note) and the fold.
    version, history = _shown(request, **kwargs)
    return _etag(request, version.pk, history[-1].pk, "print" in request.GET)


def _version_modified(request: HttpRequest, **kwargs) -> dt.datetime:
    return _shown(request, **kwargs)[1][-1].published_at


def frozen(etag_func: Callable[..., str], last_modified_func: Callable[..., dt.datetime]) -> Callable:
    """A published version never changes: a repeat view is a 304 (private: the page names its reader)."""
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        conditional = condition(etag_func=etag_func, last_modified_func=last_modified_func)(view)
        return login_required(cache_control(private=True, no_cache=True)(conditional))
    return decorator


frozen_page = frozen(_version_etag, _version_modified)


@frozen_page
def bulletin_detail(request: HttpRequest, month: str) -> HttpResponse:
    return _render_version(request, *_shown(request, month=month))


@frozen_page
def bulletin_version(
    request: HttpRequest, pk: int | None = None, month: str | None = None, version: int | None = None,
) -> HttpResponse:
    return _render_version(request, *_shown(request, pk=pk, month=month, version=version))


def _frozen_key(version: BulletinVersion) -> str:
    # The publication time too: after a restore from backup an id may name another version.
    return f"{version.pk}-{version.published_at.timestamp()}"


def _frozen_html(version: BulletinVersion, unfolded: bool) -> str:
    """The version's correction note and notice, rendered once (it never changes) and kept in the cache."""

    def render() -> str:
        data = BulletinVersion.objects.values_list("data", flat=True).get(pk=version.pk)
        previous = BulletinVersion.objects.of_month(version.month).filter(version=version.version - 1).first()
        return render_to_string("bulletins/_frozen.html", {
            "version": version,
            "notice": build_notice(data, number=version.number, issued_on=timezone.localdate(version.published_at),
                                   version=version.version),
            "previous": previous,
            "changes": compare_versions(previous.data, data) if previous else None,
            "unfolded": unfolded,
        })

    return cache.get_or_set(f"bulletin-version:{_frozen_key(version)}:{unfolded}", render, FROZEN_TIMEOUT)


def _mark_own(request: HttpRequest, html: str, anchor: bool = False) -> SafeString:
    """The reader's own rows marked, by their data-unit, in a part rendered once for everyone (by the template
    engine, escaped there); `anchor`: the first one is the target of the page's "查看本单位所在行"."""
    if own := _own_unit_id(request):
        row = f'<tr data-unit="{own}"'
        if anchor:
            html = html.replace(f"{row}>", f'{row} class="own-unit" id="own-unit">', 1)
        html = html.replace(f"{row}>", f'{row} class="own-unit">')
    return mark_safe(html)  # noqa: S308


def _render_version(request: HttpRequest, version: BulletinVersion, history: list[BulletinVersion]) -> HttpResponse:
    unfolded = "print" in request.GET
    place = catalogue = None
    if own := _own_unit_id(request):
        # The reader's unit named first, above the tables (the row copied out at publication: one indexed read),
        # with a link that opens its sequence's catalogue when the unit had items adopted in the month.
        row = version.unit_rows.filter(unit_id=own).values_list("row", flat=True).first()
        place = own_place(row, version.month.month)
        if row and any(row["adopted"]["month"].values()):
            catalogue = f"catalogue-{row['sequence']}"
    return render(request, "bulletins/bulletin.html", {
        "own": place,
        "own_catalogue": catalogue,
        "version": version,
        "title": notice_title(version.month),
        "frozen": _mark_own(request, _frozen_html(version, unfolded), anchor=True),
        "history": history,
        "current": history[-1],
        "is_latest": version.version == history[-1].version,
        "unfolded": unfolded,
    })


def _catalogue_html(version: BulletinVersion, sequence: str) -> str:
    """A sequence's catalogue of adopted items in a published version ("" if it has none): rendered once, and kept
    like the rest of the frozen page."""

    def render() -> str:
        data = BulletinVersion.objects.values_list("data", flat=True).get(pk=version.pk)
        catalogue = notice_catalogue(data, sequence)
        return render_to_string("bulletins/_catalogue.html", {"catalogue": catalogue}) if catalogue else ""

    return cache.get_or_set(f"bulletin-catalogue:{_frozen_key(version)}:{sequence}", render, FROZEN_TIMEOUT)


def _catalogue_shown(request: HttpRequest, month: str, version: int, sequence: str) -> tuple[BulletinVersion, str]:
    """The version a catalogue URL names and that sequence's catalogue (read once per request), or 404."""
    if not hasattr(request, "bulletin_catalogue"):
        shown = get_published_version(month=_month_or_404(month), version=version)
        # Only a sequence there is: any other word would be a cache miss that reads the whole snapshot.
        html = _catalogue_html(shown, sequence) if sequence in Sequence.values else ""
        if not html:
            raise Http404("该期通报没有这个序列的被采用信息目录。")
        request.bulletin_catalogue = shown, html
    return request.bulletin_catalogue


def _catalogue_etag(request: HttpRequest, **kwargs) -> str:
    # The catalogue, and whether it is the rows of the page's fold (htmx) or a page of its own.
    version, _ = _catalogue_shown(request, **kwargs)
    return _etag(request, version.pk, kwargs["sequence"], bool(request.htmx))


def _catalogue_modified(request: HttpRequest, **kwargs) -> dt.datetime:
    return _catalogue_shown(request, **kwargs)[0].published_at


@vary_on_headers("HX-Request")
@frozen(_catalogue_etag, _catalogue_modified)
def bulletin_catalogue(request: HttpRequest, month: str, version: int, sequence: str) -> HttpResponse:
    """A sequence's catalogue of adopted items in a published version: the rows a folded catalogue of the bulletin
    page loads when opened (htmx), or, without JavaScript, a page of its own. Whoever may read the version may read
    it; the reader's own rows are marked."""
    shown, html = _catalogue_shown(request, month, version, sequence)
    rows = _mark_own(request, html)
    if request.htmx:
        return HttpResponse(rows)
    return render(request, "bulletins/catalogue.html", {
        "version": shown,
        "title": notice_title(shown.month),
        "catalogue_title": f"{sequence_label(sequence)}被采用信息目录",
        "rows": rows,
    })


@staff_required
def bulletin_preview(request: HttpRequest, month: str) -> HttpResponse:
    return _render_preview(request, _month_or_404(month), form=None)


def _render_preview(request: HttpRequest, month: dt.date, form: PublishForm | None) -> HttpResponse:
    latest = BulletinVersion.objects.headers().latest_of_month(month)
    form = form or PublishForm(published_version=latest.version if latest else None)

    def live() -> tuple[Notice, str, VersionChanges | None]:
        data, notice = _live_notice(month)
        changes = compare_versions(latest.data, data) if latest else None
        return notice, render_to_string("bulletins/_notice.html", {"notice": with_rendered_lines(notice)}), changes

    # Rendered once per state of the data (and published version), like the numbers themselves.
    notice, notice_html, changes = cached(f"bulletin-preview:{month:%Y-%m}:{latest.pk if latest else 0}", live)
    return render(request, "bulletins/preview.html", {
        "month": month,
        "month_param": f"{month:%Y-%m}",
        "notice": notice,
        "notice_html": mark_safe(notice_html),  # noqa: S308 -- rendered by the template engine, escaped there
        "latest": latest,
        "changes": changes,
        "form": form,
        "is_current_month": month == timezone.localdate().replace(day=1),
    }, status=400 if form.errors else 200)


@staff_required
@require_POST
def bulletin_publish(request: HttpRequest, month: str) -> HttpResponse:
    first = _month_or_404(month)
    latest = BulletinVersion.objects.headers().latest_of_month(first)
    form = PublishForm(request.POST, published_version=latest.version if latest else None)
    if form.is_valid():
        try:
            if not confirm.is_confirmed(request):
                data = check_publishable(first, latest, form.cleaned_data["reason"])
                return _ask_publish(request, first, latest, data, form.cleaned_data["reason"])
            version = publish_bulletin(first, request.user, form.cleaned_data["reason"])
        except BulletinRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.success(request, f"已发布{cn_date(first, 'month')}通报第{version.version}版（{version.number}）。")
            return redirect("bulletins:detail", month=version.month_param)
    return _render_preview(request, first, form)


def _ask_publish(request: HttpRequest, month: dt.date, latest: BulletinVersion | None, data: dict, reason: str):
    label, number = cn_date(month, "month"), (latest.version + 1 if latest else 1)
    silent = len(data["no_submission_units"])
    lines = [
        f"发布{label}政务信息采用情况通报第{number}版，文号{bulletin_number(month)}。",
        f"通报涉及{len(data['units'])}个单位，其中{silent}个单位本月未报送信息，将在通报中列出。",
        "发布后各单位即可看到，该版本的数字不再改变；以后更正只能发布新版本。",
        *([f"更正原因：{reason.strip()}"] if reason.strip() else []),
    ]
    unfinished = month == timezone.localdate().replace(day=1)
    return confirm.ask(
        request, title=f"发布{label}通报", lines=lines, action="确认发布", danger=True,
        warning=f"本月尚未结束：{label}的数据可能仍会变化，通常在月份结束后发布。" if unfinished else "",
        back_url=reverse("bulletins:preview", args=[f"{month:%Y-%m}"]),
    )


def _exported(request: HttpRequest, month_text: str, render_file, extension: str) -> tuple[bytes, str]:
    """The file an export link names (`?preview=1` live, for staff; `?version=N`; else the latest) and its name.
    A published version's file is made once."""
    month = _month_or_404(month_text)
    if "preview" in request.GET:
        if not request.user.is_office_staff:
            raise PermissionDenied("只有办公厅工作人员可以预览未发布的通报。")
        return render_file(_live_notice(month)[1]), f"{cn_date(month, 'month')}政务信息采用情况通报（预览）.{extension}"
    try:
        number = int(request.GET["version"]) if "version" in request.GET else None
    except ValueError:
        raise Http404("版本号不正确。") from None
    version = get_published_version(month=month, version=number)
    content = cache.get_or_set(f"bulletin-file:{_frozen_key(version)}:{extension}", lambda: render_file(_notice_of(version)),
                               FROZEN_TIMEOUT)
    return content, f"{cn_date(month, 'month')}政务信息采用情况通报（第{version.version}版）.{extension}"


@login_required
def export_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    return download(*_exported(request, month, notice_xlsx, "xlsx"))


@login_required
def export_csv(request: HttpRequest, month: str) -> HttpResponse:
    return download(*_exported(request, month, notice_csv, "csv"))
