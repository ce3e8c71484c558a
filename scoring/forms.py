from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from audit.locking import VersionedForm
from core.assessment import YEARS, RequestOutcome, Tier
from core.forms import OfficeMessagesMixin
from scoring import basic_work
from scoring.models import BASIC_ITEM_FIELDS, HALF_STEPS, ZERO_NEEDS_REASON, AssessmentMethod, RuleSet
from scoring.rules import Rules
from scoring.rulesets import PARAM_FIELDS, ParamField, basic_work_problems, check_params, params_from_values, read
from units.forms import UnitNameSequenceFilter
from units.models import Sequence, Unit

NUMBER_ERRORS = {"required": "请填写该项。", "invalid": "请输入数字。", "min_value": "不能小于 %(limit_value)s。"}


class BootstrapForm(OfficeMessagesMixin, forms.Form):
    """Gives every widget its Bootstrap class, so templates can render fields as they are."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = {forms.Select: "form-select", forms.CheckboxInput: "form-check-input"}.get(type(widget), "form-control")
            widget.attrs.setdefault("class", css)


class PeriodForm(forms.Form):
    """Year and the last month of the period (January to that month); a bad or missing value falls back."""

    year = forms.IntegerField(label="年度", min_value=YEARS.start, max_value=YEARS[-1], required=False)
    through = forms.TypedChoiceField(label="截至", coerce=int, choices=[(m, f"{m}月") for m in range(1, 13)], required=False)

    def period(self, year: int | None = None) -> tuple[int, int]:
        """(year, through): the URL's year wins; by default the year so far, or all of a past year."""
        today = timezone.localdate()
        self.is_valid()  # cleaned_data keeps the fields that are valid
        year = year or self.cleaned_data.get("year") or today.year
        # The current year runs to the current month: its facts are still coming in, hence "provisional".
        through = self.cleaned_data.get("through") or (today.month if year == today.year else 12)
        return year, through


class BasicListFilterForm(UnitNameSequenceFilter):
    """The basic-work list's filters; an officer's list is their own unit, without them."""

    STATES = [("", "全部"), ("pending", "自查待确认"), ("not_assessed", "未考核（启用单位）")]

    state = forms.ChoiceField(label="考核状态", choices=STATES, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not user.can_read_all:
            self.fields.clear()

    def apply(self, units: QuerySet[Unit], year: int) -> QuerySet[Unit]:
        units = self.narrowed(units)
        if self.cleaned_data.get("state") == "pending":
            units = basic_work.pending_self_checks(units, year)
        elif self.cleaned_data.get("state") == "not_assessed":
            units = basic_work.not_assessed(units, year)
        return units


class RuleSetCopyForm(BootstrapForm):
    name = forms.CharField(label="新版本名称", max_length=50, error_messages={"required": "请填写新版本名称。"})
    description = forms.CharField(label="说明", max_length=200, required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if RuleSet.objects.filter(name=name).exists():
            raise ValidationError("已有同名的规则版本，请换一个名称。")
        return name


def _form_field(field: ParamField, initial: Any) -> forms.Field:
    common = {"label": field.label, "initial": initial}
    if field.kind == "points":
        return forms.DecimalField(min_value=0, max_digits=8, decimal_places=2, error_messages=NUMBER_ERRORS, **common)
    if field.kind == "count":
        return forms.IntegerField(min_value=0, error_messages={**NUMBER_ERRORS, "invalid": "请输入整数。"}, **common)
    if field.kind == "choice":
        return forms.ChoiceField(choices=field.choices, **common)
    if field.kind == "switch":
        return forms.BooleanField(required=False, **common)
    return LinesField(**common)


class LinesField(forms.CharField):
    """A list of short texts, one a line (the basic-work items); blank lines are dropped."""

    def __init__(self, *, initial: list[str], **kwargs) -> None:
        super().__init__(initial="\n".join(initial), widget=forms.Textarea(attrs={"rows": len(initial) + 1}),
                         error_messages={"required": "请填写该项。"}, **kwargs)

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if too_long := [line for line in value if len(line) > 200]:
            raise ValidationError(f"每项不超过200字（“{too_long[0][:20]}…”过长）。")


class RuleSetParamsForm(VersionedForm, BootstrapForm):
    """Every number of a rule set (PARAM_FIELDS), with the checks the rules need to make sense."""

    def __init__(self, *args, rule_set: RuleSet, **kwargs) -> None:
        super().__init__(*args, version=rule_set.version, **kwargs)
        self.rule_set = rule_set
        for field in PARAM_FIELDS:
            self.fields[field.name] = _form_field(field, read(rule_set.params, field.path))
        self.style_widgets()

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        grouped: dict[str, list[forms.BoundField]] = {}
        for field in PARAM_FIELDS:
            grouped.setdefault(field.section, []).append(self[field.name])
        return list(grouped.items())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for seq in Sequence.values:
            model, advanced = data.get(f"tier_places__{seq}__0"), data.get(f"tier_places__{seq}__1")
            if model is not None and advanced is not None and model > advanced:
                message = f"{Sequence(seq).label}{Tier.ADVANCED.label}截至名次不能小于{Tier.MODEL.label}名次（前{model}名）。"
                self.add_error(f"tier_places__{seq}__1", message)
        order = (RequestOutcome.ON_TIME, RequestOutcome.LATE, RequestOutcome.MISSING)
        credits = [data.get(f"request_credits__{k}") for k in order]
        if None not in credits and not credits[0] >= credits[1] >= credits[2]:
            self.add_error("request_credits__late", f"专约得分系数应满足：{' ≥ '.join(k.label for k in order)}。")
        items, most = data.get("basic_items"), data.get("basic_item_points")
        if items is not None and most is not None:
            for name, message in basic_work_problems(items, most).items():
                self.add_error(name, message)
        if not self.errors:
            self.params = params_from_values(data, self.rule_set.params)
            check_params(self.params)
        return data


class AssignRuleSetForm(BootstrapForm):
    year = forms.IntegerField(
        label="年度", min_value=YEARS.start, max_value=YEARS[-1],
        error_messages={**NUMBER_ERRORS, "max_value": "不能大于 %(limit_value)s。", "invalid": "请输入年份。"},
    )
    rule_set = forms.ModelChoiceField(label="考核规则", queryset=RuleSet.objects.all(), empty_label=None,
                                      error_messages={"invalid_choice": "请选择有效的考核规则。"})


class HalfStepField(forms.DecimalField):
    """A basic-work item: 0 to the rule set's maximum in steps of 0.5, picked from a list and checked again
    on the server."""

    def __init__(self, most: Decimal, **kwargs) -> None:
        self.steps = [step for step in HALF_STEPS if step <= most]
        self.error = f"得分须为0至{most.normalize():f}分、以0.5分为单位。"
        kwargs.setdefault("error_messages", {"required": "请选择得分。", "invalid": self.error})
        # Every item starts empty: nothing counts until someone picks it (no full marks by default).
        choices = [("", "请选择"), *((f"{v:.1f}", f"{v:.1f}") for v in self.steps)]
        widget = forms.Select(choices=choices, attrs={"data-basic-item": ""})
        super().__init__(max_digits=3, decimal_places=1, widget=widget, **kwargs)

    def prepare_value(self, value):
        # One decimal, as the options are written, so "5", 5 and Decimal("5.0") all select "5.0".
        try:
            return f"{Decimal(str(value)):.1f}"
        except ArithmeticError:
            return value

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and value not in self.steps:
            raise ValidationError(self.error, code="half_step")


class BasicWorkForm(VersionedForm, BootstrapForm):
    """The items of Art. 7 as the year's rule set has them, each 0 to its maximum in steps of 0.5
    (decision 7). Every item must be picked, or `all_zero` ticked: all items 0, which needs a reason."""

    method = forms.ChoiceField(label="考核方式", choices=AssessmentMethod.choices, initial=AssessmentMethod.SPOT_CHECK)
    all_zero = forms.BooleanField(label="各项均记0分（如未参加考核），须在备注中说明原因", required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rules: Rules, self_check: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "All 0" makes picking each item unnecessary (clean() records them as 0).
        all_zero = self.is_bound and self["all_zero"].data
        self.most = rules.basic_item_max
        self.item_names = BASIC_ITEM_FIELDS[: rules.basic_item_count]
        for number, (name, label) in enumerate(zip(self.item_names, rules.basic_items, strict=True), start=1):
            self.fields[name] = HalfStepField(self.most, label=f"{number}. {label}", required=not all_zero)
        if self_check:
            # A unit's own entry is always a self-check.
            del self.fields["method"]
        self.style_widgets()

    def items(self) -> list[forms.BoundField]:
        return [self[name] for name in self.item_names]

    def total(self) -> Decimal:
        return sum((self.cleaned_data[name] for name in self.item_names), Decimal(0))

    def summary(self) -> list[str]:
        """What confirming will record, item by item, for the confirmation page."""
        lines = [f"{self[name].label}：{self.cleaned_data[name]:.1f}分" for name in self.item_names]
        note = self.cleaned_data.get("note", "").strip()
        full = (self.most * len(self.item_names)).normalize()
        return [*lines, f"合计：{self.total():.2f}分（满分{full:f}分）", *([f"备注：{note}"] if note else [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("all_zero"):
            for name in self.item_names:
                if data.get(name):
                    self.add_error(name, "已选择“各项均记0分”，该项不能有分数。")
                data[name] = Decimal(0)
        values = [data.get(name) for name in self.item_names]
        if None not in values and not any(values) and not data.get("note", "").strip():
            self.add_error("note", ZERO_NEEDS_REASON)
        return data


class LedgerUploadForm(BootstrapForm):
    file = forms.FileField(label="台账文件（.xlsx）", error_messages={"required": "请选择要导入的台账文件。",
                                                                   "empty": "上传的文件是空的。"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("只能导入 .xlsx 格式的台账文件。")
        limit = settings.LEDGER_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(f"文件过大（{upload.size / 1048576:.1f} MB），上传的台账不能超过 {limit / 1048576:.0f} MB。")
        return upload
