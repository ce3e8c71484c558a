"""`{% breadcrumb_trail %}`: the trail of the page being rendered (harbin_infoassess/breadcrumbs.py)."""

from django import template

from harbin_infoassess.breadcrumbs import breadcrumbs

register = template.Library()


@register.inclusion_tag("_breadcrumbs.html", takes_context=True)
def breadcrumb_trail(context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or not request.user.is_authenticated:
        return {"crumbs": []}
    return {"crumbs": breadcrumbs(match.view_name, match.kwargs, context.flatten())}
