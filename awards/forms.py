from __future__ import annotations

import re

from django import forms

from audit.locking import FORM_EXPIRED
from awards.models import AwardKind
from core.forms import OfficeMessagesMixin
from core.unit_search import SuggestedInput
from units.models import Person, PersonRole


class FinalizeForm(OfficeMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="重新确定原因", max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="首次确定无需填写；再次确定（生成新版本）时必须说明原因。",
    )


class TargetsField(forms.Field):
    """The ticked candidates: one or more row ids, each a number that can name a row."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "请先勾选评选对象。", "invalid": "评选对象不正确，未保存。"}
    most = 1000

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        one = forms.IntegerField(min_value=1, max_value=10**18 - 1)
        try:
            ids = sorted({one.clean(v) for v in values})
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > self.most:
            raise forms.ValidationError(f"一次最多处理{self.most}项。", code="invalid")
        return ids


class PickForm(forms.Form):
    """Pick or unpick the ticked candidates of one award, on the year's result version the page showed."""

    kind = forms.ChoiceField(choices=AwardKind.choices)
    target = TargetsField()
    action = forms.ChoiceField(choices=[("pick", "评选"), ("unpick", "取消")])
    version = forms.IntegerField(min_value=1, max_value=10**9, error_messages=dict.fromkeys(
        ("required", "invalid", "min_value", "max_value"), FORM_EXPIRED))


class CandidateListForm(forms.Form):
    """Which page of an award's candidates the administrator reads: a search, and all of them or the picked only."""

    q = forms.CharField(label="查找", max_length=50, required=False)
    show = forms.ChoiceField(label="范围", choices=[("", "全部候选"), ("picked", "仅已评选")], required=False)
    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)


class PersonByNameField(forms.ModelChoiceField):
    """A person typed as 姓名（单位）, as the page names them: no drop-down of every unit's people."""

    LABEL = re.compile(r"^(?P<name>[^（(]+)[（(](?P<unit>.+)[）)]$")
    widget = SuggestedInput("units:officer_choices", placeholder="姓名（单位），如：张三（道里区）",
                            attrs={"class": "form-control form-control-sm"})

    def to_python(self, value) -> Person | None:
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        label = self.LABEL.match(value) if "\x00" not in value else None  # PostgreSQL refuses a NUL in a query
        person = label and self.queryset.filter(name=label["name"].strip(), unit__name=label["unit"].strip()).first()
        if person is None:
            raise forms.ValidationError(f"“{value}”不是在岗信息员（请按“姓名（单位）”填写，如：张三（道里区））。",
                                        code="invalid_choice")
        return person

    def prepare_value(self, value):
        return value.name_with_unit if isinstance(value, Person) else value


class ContributionForm(OfficeMessagesMixin, forms.Form):
    """Flag an information officer for a special contribution (RULES.md Art. 11)."""

    person = PersonByNameField(
        label="信息员",
        queryset=Person.objects.filter(role=PersonRole.INFORMATION_OFFICER, is_active=True).select_related("unit"),
        error_messages={"required": "请填写信息员。"},
    )
    note = forms.CharField(label="特殊贡献说明", max_length=300, error_messages={"required": "请填写特殊贡献说明。"})
