"""Template helpers of the facts' pages."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.dates import cn_date
from core.links import url_by_id
from submissions.models import DeskState, InfoType, Level

register = template.Library()


@register.filter
def bs(field: forms.BoundField) -> str:
    """Render a form field's widget with Bootstrap's classes (and the error state)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
        return field.as_widget()
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def points(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


FATE_BADGES = {DeskState.ADOPTED: "text-bg-success", DeskState.RETURNED: "text-bg-warning",
               DeskState.PENDING: "text-bg-light border"}


@register.simple_tag
def fate(item, adoptions) -> SafeString:
    """An item's fate on the editorial desk: its badge (an adopted item's with its city carriers' issues) and the
    editors' note on a returned or rejected one. A tag rather than an included template: it is on every row of the
    items list, where the include cost a fifth of the rows' rendering."""
    if not item.desk_state:
        return SafeString("")
    issues = ""
    if item.desk_state == DeskState.ADOPTED:
        issues = format_html_join("", "（《{}》{}）", ((adoption.carrier, adoption.issue_no) for adoption in adoptions
                                                      if adoption.carrier and adoption.level == Level.CITY))
    html = format_html('<span class="badge {}">{}{}</span>', FATE_BADGES.get(item.desk_state, "text-bg-secondary"),
                       DeskState(item.desk_state).label, issues)
    if item.desk_note and item.desk_state in (DeskState.RETURNED, DeskState.REJECTED):
        html += format_html('<div class="small text-muted">意见：{}</div>', item.desk_note)
    return html


INFO_TYPES, LEVELS = dict(InfoType.choices), dict(Level.choices)


@register.simple_tag
def item_row(item) -> SafeString:
    """A row of the items list, from what `submissions.views.item_rows` read for it. Written here rather than in
    item_list.html: fifty rows of template lookups and tags were the larger part of the page's CPU; and as an
    f-string, at a third of format_html's cost. Every text from the database goes through `escape`; the rest are
    this module's labels, the item's link (its id) and its time."""
    joints = "".join(f'<br><small class="text-muted">联合：{escape(joint["unit__name"])}'
                     f'{"" if joint["confirmed"] else "（待确认）"}</small>' for joint in item.joints)
    adoptions = "".join(f'<span class="badge text-bg-success">{LEVELS[adoption.level]}</span> '
                        for adoption in item.adoption_list)
    special = ' <span class="badge text-bg-info">专约</span>' if item.special_request_id else ""
    return SafeString(f"""<tr{' class="text-muted"' if item.is_invalid else ""}>
    <td class="text-nowrap" data-label="信息编号">{escape(item.ledger_no)}</td>
    <td data-label="报送单位">{escape(item.unit_name)}{joints}</td>
    <td class="card-title-cell" data-label="标题"><a href="{item.url}">{escape(item.title)}</a>{special}</td>
    <td class="text-nowrap" data-label="类型">{INFO_TYPES[item.info_type]}</td>
    <td class="text-nowrap" data-label="报送时间">{cn_date(item.submitted_at, "minute")}</td>
    <td class="text-nowrap" data-label="采用">{adoptions}</td>
    <td data-label="采编">{fate(item, item.adoption_list)}</td>
    <td data-label="状态">{'<span class="badge text-bg-secondary">无效</span>' if item.is_invalid else "有效"}</td>
  </tr>""")


ADOPTED_BADGE = ' <span class="badge text-bg-success">已采用</span>'
ANSWER_BADGE = ' <span class="badge text-bg-info">专约答复</span>'


@register.simple_tag
def duplicate_rows(items) -> SafeString:
    """The rows of a group on the duplicates page (`submissions.duplicates.month_groups` read their columns): the
    first item offered as the one to keep, each to merge, with the version the page showed (a change since refuses
    the merge). Written here like `item_row`: a page holds up to a thousand rows (50 groups of 20), at a tenth of
    the template's cost. Every text from the database goes through `escape`."""
    detail = url_by_id("submissions:detail")
    rows = []
    for n, item in enumerate(items):
        ledger_no = escape(item.ledger_no)
        rows.append(f"""<tr><td><input class="form-check-input" type="radio" name="main" value="{item.pk}" \
aria-label="保留{ledger_no}为主信息"{" checked" if n == 0 else ""}></td>
<td><input class="form-check-input" type="checkbox" name="items" value="{item.pk}" aria-label="合并{ledger_no}" checked>\
<input type="hidden" name="version_{item.pk}" value="{item.version}"></td><td class="text-nowrap">{ledger_no}</td>
<td><a href="{detail(item.pk)}">{escape(item.title)}</a>{ADOPTED_BADGE if item.adopted else ""}\
{ANSWER_BADGE if item.special_request_id else ""}</td><td>{escape(item.unit_name)}</td>\
<td class="text-nowrap">{cn_date(item.submitted_at, "minute")}</td></tr>
""")
    return SafeString("".join(rows))
