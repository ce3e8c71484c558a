"""Template helpers of the facts' pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms, template

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
