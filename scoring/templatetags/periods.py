"""`{{ through|period_label }}`: the period a total covers, written the same on every page."""

from django import template

from scoring.exports import period_label as label

register = template.Library()


@register.filter
def period_label(through: int) -> str:
    return label(int(through))
