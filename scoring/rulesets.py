"""Rule sets as data: how every number of RULES.md is shown, edited and checked, and the writes on rule sets.

`PARAM_FIELDS` walks the params JSON (the keys of `RULES_2008`) once; the detail page and the edit form
are both built from it, so a number can never be shown but not editable, or the other way round.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit import services as audit
from audit.locking import lock_version
from audit.models import EventKind
from core.assessment import RequestOutcome, Tier
from scoring.models import BASIC_ITEM_MAX, BASIC_ITEM_SLOTS, AssessmentYear, RuleSet
from scoring.rules import RULES_2008, Rules
from scoring.services import DEFAULT_RULE_SET
from submissions.models import AdoptionType, FailureKind, InstructionKind, Level
from units.models import Sequence

# Years without an AssessmentYear row are scored with the default rule set, so it is never edited in place.
DEFAULT_RULE_SET_NAME = DEFAULT_RULE_SET

QUOTA_LABELS = {**dict(Sequence.choices), "central_provincial": "中直、省属在哈单位"}
AWARD_TARGET_LABELS = {"organizer": "优秀组织者", "officer": "优秀信息员", "research": "优秀调研信息"}
QUOTA_MODES = [("proportional", "按比例（每缺一条按比例扣分）"), ("all_or_nothing", "达标制（未达定额不得分）")]
ADOPTION_MODES = [("additive", "累加（各层级采用分别计分）"), ("highest_level", "只计最高层级")]
TIER_LABELS = {0: f"{Tier.MODEL.label}为前几名", 1: f"{Tier.ADVANCED.label}至第几名"}
CARRIER_LABELS = {"city": "市政府办公厅", "province": "省政府办公厅", "state": "国务院办公厅"}


@dataclass(frozen=True)
class ParamField:
    """One editable value of the params JSON, at `path` (dict keys or list indexes)."""

    path: tuple[str | int, ...]
    section: str
    label: str
    kind: str  # "points" (≥ 0, halves allowed), "count" (whole number ≥ 0), "choice", "switch", "lines" (a list)
    choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""

    @property
    def name(self) -> str:
        return "__".join(str(p) for p in self.path)


def _param_fields() -> list[ParamField]:
    f, r = ParamField, RULES_2008
    basic, reporting = "基础工作（第七条）", "报送工作（第八条）"
    adoption, instruction = "采用加分（第九条）", "批示加分（第九条）"
    fields = [f(("basic_items",), basic, f"考核项目（每行一项，至多{BASIC_ITEM_SLOTS}项）", "lines")]
    fields.append(f(("basic_item_points",), basic, "每项满分", "points", unit="分"))
    fields.append(f(("reporting_item_points",), reporting, "每项满分", "points", unit="分"))
    fields += [f(("monthly_quota", k), reporting, f"月均报送定额 · {QUOTA_LABELS[k]}", "points", unit="条")
               for k in r["monthly_quota"]]
    fields.append(f(("quota_mode",), reporting, "定额计分方式", "choice", tuple(QUOTA_MODES)))
    fields += [f(("failure_deductions", k), reporting, f"紧急信息{FailureKind(k).label}每次扣分", "points", unit="分")
               for k in r["failure_deductions"]]
    fields.append(f(("concealment_bars_awards",), reporting, "有瞒报的单位不参加标兵、先进评选", "switch"))
    fields += [f(("request_credits", k), reporting, f"专约{RequestOutcome(k).label}得分系数", "points")
               for k in r["request_credits"]]
    fields.append(f(("research_per_year",), reporting, "每年应报送调研信息", "points", unit="条"))
    fields += [f(("adoption_points", lv, t), adoption, f"{CARRIER_LABELS[lv]}采用 · {AdoptionType(t).label}", "points", unit="分")
               for lv, table in r["adoption_points"].items() for t in table]
    fields.append(f(("adoption_mode",), adoption, "多层级采用计分方式", "choice", tuple(ADOPTION_MODES)))
    fields.append(f(("joint_split",), adoption, "联合报送信息的采用、批示得分由各单位平分", "switch"))
    fields += [f(("instruction_points", lv, k), instruction, f"{Level(lv).label}领导 · {InstructionKind(k).label}批示", "points",
                 unit="分") for lv, table in r["instruction_points"].items() for k in table]
    fields += [f(("tier_places", seq, i), "评比名额（第十条）", f"{Sequence(seq).label} · {TIER_LABELS[i]}", "count", unit="名")
               for seq in r["tier_places"] for i in (0, 1)]
    fields += [f(("award_targets", k), "个人及信息奖项（第十一、十二条）", f"{AWARD_TARGET_LABELS[k]}名额", "count", unit="名")
               for k in r["award_targets"]]
    return fields


PARAM_FIELDS: list[ParamField] = _param_fields()


def read(params: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    value: Any = params
    for key in path:
        value = value[key]
    return value


def _write(params: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = params
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def to_json_number(value: Decimal | int) -> int | str:
    """Whole numbers as JSON ints, others as exact decimal strings (never floats: Rules reads them exactly)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return str(value.normalize())


def display_value(field: ParamField, value: Any) -> str:
    if field.kind == "switch":
        return "是" if value else "否"
    if field.kind == "choice":
        return dict(field.choices).get(value, str(value))
    if field.kind == "points":
        return f"{Decimal(str(value)).normalize():f}{field.unit}"
    return f"{value}{field.unit}"


def sections(params: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every value of a rule set, readable, grouped by article: [(section, [(label, value)])]."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for field in PARAM_FIELDS:
        value = read(params, field.path)
        rows = grouped.setdefault(field.section, [])
        if field.kind == "lines":  # one row per basic-work item
            rows += [(f"第{i}项内容", line) for i, line in enumerate(value, start=1)]
        else:
            rows.append((field.label, display_value(field, value)))
    return list(grouped.items())


def params_from_values(values: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The params JSON with every field's value replaced by `values[field.name]` (cleaned form data)."""
    params = copy.deepcopy(base)
    for field in PARAM_FIELDS:
        value = values[field.name]
        if field.kind in ("points", "count"):
            value = to_json_number(value)
        _write(params, field.path, value)
    return params


def basic_work_problems(items: list[str], most: Decimal) -> dict[str, str]:
    """What a basic-work entry cannot store (scoring.models): {field name: message in Chinese}."""
    problems = {}
    if not 1 <= len(items) <= BASIC_ITEM_SLOTS:
        problems["basic_items"] = f"基础工作考核项目应有1至{BASIC_ITEM_SLOTS}项（现为{len(items)}项）。"
    if not (0 < most <= BASIC_ITEM_MAX and (most * 2) == (most * 2).to_integral_value()):
        problems["basic_item_points"] = f"每项满分应大于0、不超过{BASIC_ITEM_MAX}分，并以0.5分为单位。"
    return problems


def check_params(params: dict[str, Any]) -> Rules:
    """The rules the params describe, or ValidationError in Chinese (the last guard before saving)."""
    try:
        rules = Rules.from_params(params)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise ValidationError(f"规则参数不完整或格式错误：{exc}") from exc
    if problems := basic_work_problems(list(rules.basic_items), Decimal(str(params["basic_item_points"]))):
        raise ValidationError(list(problems.values()))
    return rules


def shown(params: dict[str, Any]) -> dict[str, str]:
    """Every value as the audit trail shows it: "section · label" -> displayed value."""
    return {f"{section} · {label}": value for section, rows in sections(params) for label, value in rows}


def is_editable(rule_set: RuleSet) -> bool:
    """A rule set is changed in place only while no year is scored with it; otherwise it is copied."""
    return rule_set.name != DEFAULT_RULE_SET_NAME and not rule_set.years.exists()


def copy_rule_set(source: RuleSet, name: str, description: str, user) -> RuleSet:
    try:
        with transaction.atomic():
            rule_set = RuleSet.objects.create(
                name=name, description=description, based_on=source, params=copy.deepcopy(source.params), created_by=user,
            )
            audit.record(EventKind.CREATE, rule_set, user=user, summary=f"复制考核规则“{source.name}”为“{name}”",
                         changes=audit.diff({}, shown(rule_set.params)))
            return rule_set
    except IntegrityError:  # the same name taken meanwhile (the form checked it before)
        raise ValidationError({"name": "已有同名的规则版本，请换一个名称。"}) from None


@transaction.atomic
def update_rule_set(rule_set: RuleSet, params: dict[str, Any], *, user, version: int) -> RuleSet:
    """Save the values unless someone saved the rule set since `version` was read (then StaleEdit)."""
    # The row stays locked so a year cannot be assigned to it between the check and the save.
    rule_set = lock_version(RuleSet.objects.all(), rule_set.pk, version)
    if not is_editable(rule_set):
        raise ValidationError("该规则已用于考核年度，不能直接修改，请复制为新版本后修改。")
    check_params(params)
    changes = audit.diff(shown(rule_set.params), shown(params))
    rule_set.params = params
    rule_set.version += 1
    rule_set.save(update_fields=["params", "version"])
    audit.record(EventKind.UPDATE, rule_set, user=user, changes=changes)
    return rule_set


@transaction.atomic
def assign_rule_set(year: int, rule_set: RuleSet, *, user) -> AssessmentYear:
    before = AssessmentYear.objects.select_for_update().select_related("rule_set").filter(year=year).first()
    assessment_year, created = AssessmentYear.objects.update_or_create(year=year, defaults={"rule_set": rule_set})
    old = before.rule_set.name if before else ""
    audit.record(EventKind.CREATE if created else EventKind.UPDATE, assessment_year, user=user,
                 changes=audit.diff({"考核规则": old}, {"考核规则": rule_set.name}))
    return assessment_year
