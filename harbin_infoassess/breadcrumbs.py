"""Breadcrumbs: where a page sits, from 首页 down to it, in one table keyed by URL name.

Each page names its label and the page above it (with the URL arguments that page takes); base.html renders the
trail with `{% breadcrumb_trail %}`. Labels that name an object (a unit, an issue) read it from the page's own
template context, so the trail costs no query. The top of a trail is a main-menu entry, which is also the entry lit
in the menu (navigation.py), so a page and its menu entry cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

Label = str | Callable[[Mapping, Mapping], str]
Args = tuple[str, ...] | Callable[[Mapping, Mapping], dict]


@dataclass(frozen=True)
class Crumb:
    label: Label
    parent: str | None = None  # the URL name of the page above; None: right under 首页
    args: Args = ()  # this page's URL arguments the page above takes, or a function of (context, kwargs)


def _obj(name: str, fallback: str, attr: str | None = None) -> Label:
    """A label naming the page's object (`unit`, `issue`…) when the page has it, else a plain word."""
    def label(context: Mapping, kwargs: Mapping) -> str:
        obj = context.get(name)
        value = getattr(obj, attr, None) if attr and obj is not None else obj
        return str(value) if value else fallback
    return label


def _month(context: Mapping, kwargs: Mapping) -> str:
    month = kwargs.get("month") or getattr(context.get("version"), "month", None)
    if month is None:
        return "月度通报"
    text = month if isinstance(month, str) else f"{month:%Y-%m}"
    year, number = text.split("-")
    return f"{year}年{int(number)}月"


def _year(context: Mapping, kwargs: Mapping) -> str:
    return f"{kwargs['year']}年度" if "year" in kwargs else "年度"


def _version_month(context: Mapping, kwargs: Mapping) -> dict:
    if "month" in kwargs:
        return {"month": kwargs["month"]}
    version = context.get("version")
    return {"month": f"{version.month:%Y-%m}"} if version is not None else {}


def _from(name: str, attr: str, key: str = "pk") -> Args:
    """The page above is the page of this page's object's `attr` (a person's unit, a fact's item)."""
    def args(context: Mapping, kwargs: Mapping) -> dict:
        obj = context.get(name)
        return {key: getattr(obj, attr)} if obj is not None else {}
    return args


PK = ("pk",)
YEAR = ("year",)
MONTH = ("month",)

TRAIL: dict[str, Crumb] = {
    "password_change": Crumb("修改密码"),
    # Reached from the header, not the menu.
    "notifications:list": Crumb("通知"),
    "notifications:read": Crumb("已读", "notifications:list"),
    "notifications:read_all": Crumb("全部已读", "notifications:list"),
    "notifications:contact": Crumb("通知设置", "notifications:list"),
    # 政务信息
    "submissions:list": Crumb("政务信息"),
    "submissions:create": Crumb("报送信息", "submissions:list"),
    "submissions:detail": Crumb(_obj("item", "信息详情", "title"), "submissions:list"),
    "submissions:edit": Crumb("修改", "submissions:detail", PK),
    "submissions:invalidate": Crumb("标记无效", "submissions:detail", PK),
    "submissions:restore": Crumb("恢复有效", "submissions:detail", PK),
    "submissions:withdraw": Crumb("撤回", "submissions:detail", PK),
    "submissions:joint_list": Crumb("联合报送待确认", "submissions:list"),
    "submissions:duplicates": Crumb("疑似重复", "submissions:list"),
    "submissions:duplicate_merge": Crumb("合并重复", "submissions:duplicates"),
    "submissions:joint_confirm": Crumb("确认联合报送", "submissions:detail", PK),
    "submissions:joint_decline": Crumb("不是联合报送单位", "submissions:detail", PK),
    "submissions:adoption_create": Crumb("录入采用", "submissions:detail", PK),
    "submissions:adoption_edit": Crumb("修改采用", "submissions:detail", PK),
    "submissions:adoption_delete": Crumb("删除采用", "submissions:detail", PK),
    "submissions:instruction_create": Crumb("录入批示", "submissions:detail", PK),
    "submissions:instruction_edit": Crumb("修改批示", "submissions:detail", PK),
    "submissions:instruction_delete": Crumb("删除批示", "submissions:detail", PK),
    "submissions:request_list": Crumb("专约"),
    "submissions:request_create": Crumb("新建专约", "submissions:request_list"),
    "submissions:request_detail": Crumb(_obj("req", "专约详情", "title"), "submissions:request_list"),
    "submissions:request_edit": Crumb("修改", "submissions:request_detail", PK),
    "submissions:failure_list": Crumb("紧急信息问题"),
    "submissions:failure_create": Crumb("录入问题", "submissions:failure_list"),
    "submissions:failure_edit": Crumb("修改", "submissions:failure_list"),
    "submissions:failure_delete": Crumb("删除", "submissions:failure_list"),
    # 采编
    "editorial:inbox": Crumb("采编"),
    "editorial:review": Crumb(_obj("item", "处理信息", "title"), "editorial:inbox"),
    "editorial:decide": Crumb("处理", "editorial:review", PK),
    "editorial:item_adoption": Crumb("按刊物列表记录采用", "submissions:detail", PK),
    "editorial:carrier_list": Crumb("刊物", "editorial:inbox"),
    "editorial:carrier_create": Crumb("新增刊物", "editorial:carrier_list"),
    "editorial:carrier_edit": Crumb("修改刊物", "editorial:carrier_list"),
    "editorial:carrier_sync": Crumb("从采用记录补充", "editorial:carrier_list"),
    "editorial:issue_list": Crumb("刊期", "editorial:inbox"),
    "editorial:issue_create": Crumb("新建一期", "editorial:issue_list"),
    "editorial:issue_detail": Crumb(_obj("issue", "刊期"), "editorial:issue_list"),
    "editorial:issue_edit": Crumb("修改", "editorial:issue_detail", PK),
    "editorial:issue_publish": Crumb("刊发", "editorial:issue_detail", PK),
    "editorial:issue_withdraw": Crumb("撤销刊发", "editorial:issue_detail", PK),
    "editorial:issue_discard": Crumb("放弃草稿", "editorial:issue_detail", PK),
    "editorial:entry_forward": Crumb("报送上级", "editorial:issue_detail", PK),
    "editorial:entry_edit": Crumb("编辑刊发稿", "editorial:issue_detail", PK),
    "editorial:entry_remove": Crumb("移出", "editorial:issue_detail", PK),
    "editorial:entry_move": Crumb("调整顺序", "editorial:issue_detail", PK),
    "editorial:forwarded": Crumb("报送上级", "editorial:inbox"),
    "editorial:upward_adoption": Crumb("记录上级采用", "editorial:forwarded"),
    # 单位
    "units:list": Crumb("单位"),
    "units:create": Crumb("新增单位", "units:list"),
    "units:detail": Crumb(_obj("unit", "单位详情", "name"), "units:list"),
    "units:edit": Crumb("修改", "units:detail", PK),
    "units:deactivate": Crumb("停用", "units:detail", PK),
    "units:reactivate": Crumb("启用", "units:detail", PK),
    "units:person_create": Crumb("新增人员", "units:detail", lambda c, k: {"pk": k["unit_pk"]}),
    "units:person_edit": Crumb("修改人员", "units:detail", _from("person", "unit_id")),
    "units:person_delete": Crumb("删除人员", "units:detail", _from("person", "unit_id")),
    # 考核
    "scoring:ranking": Crumb("考核排名"),
    "scoring:scorecard": Crumb(_obj("card", "得分明细", "unit"), "scoring:ranking"),
    "scoring:basic_list": Crumb("基础工作"),
    "scoring:basic_unit": Crumb(_obj("unit", "单位基础工作", "name"), "scoring:basic_list"),
    "scoring:import": Crumb("台账导入"),
    "scoring:import_history": Crumb("导入记录", "scoring:import"),
    "scoring:import_job": Crumb(_obj("job", "导入任务", "file_name"), "scoring:import_history"),
    "scoring:import_job_cancel": Crumb("取消", "scoring:import_job", PK),
    "scoring:import_job_retry": Crumb("重新导入", "scoring:import_job", PK),
    "scoring:ruleset_list": Crumb("考核规则"),
    "scoring:ruleset_detail": Crumb(_obj("rule_set", "规则版本", "name"), "scoring:ruleset_list"),
    "scoring:ruleset_copy": Crumb("复制", "scoring:ruleset_detail", PK),
    "scoring:ruleset_edit": Crumb("修改", "scoring:ruleset_detail", PK),
    "scoring:year_list": Crumb("各年度规则", "scoring:ruleset_list"),
    # 通报与评比
    "bulletins:list": Crumb("采用通报"),
    "bulletins:detail": Crumb(_month, "bulletins:list"),
    "bulletins:version": Crumb("历史版本", "bulletins:detail", _version_month),
    "bulletins:catalogue": Crumb(_obj("catalogue_title", "被采用信息目录"), "bulletins:version", ("month", "version")),
    "bulletins:preview": Crumb("预览", "bulletins:detail", MONTH),
    "bulletins:publish": Crumb("发布", "bulletins:preview", MONTH),
    "awards:index": Crumb("年度评比"),
    "awards:year": Crumb(_year, "awards:index"),
    "awards:review": Crumb("预览并确定", "awards:year", YEAR),
    "awards:review_sequence": Crumb(_obj("sequence_title", "未获等次的单位"), "awards:review", YEAR),
    "awards:finalize": Crumb("确定结果", "awards:year", YEAR),
    "awards:pick": Crumb("评选", "awards:year", YEAR),
    "awards:candidates": Crumb(_obj("candidates_title", "候选名单"), "awards:year", YEAR),
    "awards:contribution": Crumb("特殊贡献", "awards:year", YEAR),
    "awards:contribution_delete": Crumb("取消标记", "awards:year", YEAR),
    # 管理
    "accounts:list": Crumb("账号"),
    "accounts:create": Crumb("新建账号", "accounts:list"),
    "accounts:edit": Crumb("修改账号", "accounts:list"),
    "accounts:password": Crumb("重设密码", "accounts:list"),
    "accounts:deactivate": Crumb("停用账号", "accounts:list"),
    "accounts:reactivate": Crumb("启用账号", "accounts:list"),
    "accounts:locks": Crumb("登录锁定", "accounts:list"),
    "accounts:lock_release": Crumb("解除锁定", "accounts:locks"),
    "operations:status": Crumb("系统状态"),
    "audit:list": Crumb("审计日志"),
}


def chain(view_name: str, kwargs: Mapping, context: Mapping) -> list[tuple[str, str, Mapping]]:
    """(URL name, label, URL arguments) from the top-level page down to this one."""
    trail = []
    while view_name in TRAIL:
        crumb = TRAIL[view_name]
        label = crumb.label(context, kwargs) if callable(crumb.label) else crumb.label
        trail.append((view_name, label, kwargs))
        if crumb.parent is None:
            break
        kwargs = crumb.args(context, kwargs) if callable(crumb.args) else {k: kwargs[k] for k in crumb.args}
        view_name = crumb.parent
    return trail[::-1]


def top_of(view_name: str | None) -> str | None:
    """The top-level page a page belongs to (its menu entry), or None for a page outside the table."""
    while view_name in TRAIL and TRAIL[view_name].parent is not None:
        view_name = TRAIL[view_name].parent
    return view_name if view_name in TRAIL else None


def breadcrumbs(view_name: str | None, kwargs: Mapping, context: Mapping) -> list[dict]:
    """The trail to show: 首页, each page above (linked), then this page (not linked). Empty on home and login."""
    if not view_name or view_name not in TRAIL:
        return []
    crumbs = [{"label": "首页", "url": reverse("home")}]
    trail = chain(view_name, kwargs, context)
    for name, label, args in trail[:-1]:
        try:
            crumbs.append({"label": label, "url": reverse(name, kwargs=args)})
        except NoReverseMatch:  # a page above that needs an object this page does not show
            crumbs.append({"label": label, "url": None})
    crumbs.append({"label": trail[-1][1], "url": None})
    return crumbs
