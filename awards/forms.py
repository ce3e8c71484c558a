from __future__ import annotations

from django import forms

from awards.models import AwardKind
from core.forms import OfficeMessagesMixin
from units.models import Person, PersonRole


class FinalizeForm(OfficeMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="重新确定原因", max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="首次确定无需填写；再次确定（生成新版本）时必须说明原因。",
    )


class PickForm(OfficeMessagesMixin, forms.Form):
    kind = forms.ChoiceField(choices=AwardKind.choices)
    target = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=[("pick", "评选"), ("unpick", "取消")])


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.name}（{person.unit.name}）"


class ContributionForm(OfficeMessagesMixin, forms.Form):
    """Flag an information officer for a special contribution (RULES.md Art. 11)."""

    person = PersonChoiceField(
        label="信息员",
        queryset=Person.objects.filter(role=PersonRole.INFORMATION_OFFICER, is_active=True)
        .select_related("unit")
        .order_by("unit__sequence", "unit__name", "name"),
        error_messages={"required": "请选择信息员。", "invalid_choice": "所选人员不是在岗信息员。"},
    )
    note = forms.CharField(label="特殊贡献说明", max_length=300, error_messages={"required": "请填写特殊贡献说明。"})
