"""Template helpers of the facts' pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from submissions.models import DeskState, Level

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
