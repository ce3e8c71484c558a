"""The main navigation: each role sees what it may use (the views check access again on the server)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from core.access import auditor_may_open
from harbin_infoassess.breadcrumbs import top_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # Who sees it: "all" logged-in users, "staff" (office staff and administrators), "admin", "readers" (all but
    # unit officers), "audit" (administrators and auditors). An auditor sees only the pages open to them.
    audience: str = "all"


NAV: tuple[NavItem, ...] = (
    NavItem("首页", "home"),
    NavItem("政务信息", "submissions:list"),
    NavItem("专约", "submissions:request_list"),
    NavItem("紧急信息问题", "submissions:failure_list", "readers"),
    NavItem("采编", "editorial:inbox", "readers"),
    # Officers are sent on to their own unit's page.
    NavItem("单位", "units:list"),
    NavItem("考核排名", "scoring:ranking"),
    NavItem("基础工作", "scoring:basic_list"),
    NavItem("台账导入", "scoring:import", "staff"),
    NavItem("考核规则", "scoring:ruleset_list", "admin"),
    NavItem("采用通报", "bulletins:list"),
    NavItem("年度评比", "awards:index"),
    NavItem("账号", "accounts:list", "admin"),
    NavItem("系统状态", "operations:status", "admin"),
    NavItem("审计日志", "audit:list", "audit"),
)


def _visible(item: NavItem, user) -> bool:
    return {
        "all": True,
        "staff": user.is_office_staff,
        "admin": user.is_office_admin,
        "readers": user.can_read_all,
        "audit": user.reads_audit,
    }[item.audience] and (not user.is_auditor or auditor_may_open(item.url_name))


@cache
def _urls(script_prefix: str) -> dict[str, str]:
    """The menu's URLs under a script prefix (which `reverse` reads), reversed once: the menu is on every page."""
    return {item.url_name: reverse(item.url_name) for item in NAV}


def navigation(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    # The menu entry at the top of the page's breadcrumb trail is lit (breadcrumbs.py); a page outside that table
    # lights the entry whose URL is the deepest one containing it.
    match = getattr(request, "resolver_match", None)
    top = top_of(match.view_name if match else None)
    urls = _urls(get_script_prefix())
    items = [{"label": item.label, "url": urls[item.url_name], "name": item.url_name} for item in NAV if _visible(item, user)]
    active = next((entry for entry in items if entry["name"] == top), None)
    if top is None:
        containing = [entry for entry in items
                      if request.path == entry["url"] or (entry["url"] != "/" and request.path.startswith(entry["url"]))]
        active = max(containing, key=lambda entry: len(entry["url"]), default=None)
    for item in items:
        item["active"] = item is active
    return {"nav_items": items}
