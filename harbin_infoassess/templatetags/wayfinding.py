"""`{% breadcrumb_trail %}`: the trail of the page being rendered (harbin_infoassess/breadcrumbs.py)."""

from django import template
from django.http import QueryDict

from harbin_infoassess.breadcrumbs import breadcrumbs

register = template.Library()


@register.inclusion_tag("_breadcrumbs.html", takes_context=True)
def breadcrumb_trail(context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)  # absent on a page answered before authentication (413)
    if match is None or user is None or not user.is_authenticated:
        return {"crumbs": []}
    return {"crumbs": breadcrumbs(match.view_name, match.kwargs, context)}


@register.filter
def page_numbers(page) -> list:
    """The page numbers around the current one, with the first and last, elided with … between."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def query_pairs(query: str) -> list[tuple[str, str]]:
    """A list's filters (its query string without the page) as hidden fields of the jump box."""
    return [(name, value) for name, values in QueryDict(query or "").lists() if name != "page" for value in values]
