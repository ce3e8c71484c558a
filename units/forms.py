from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from audit.locking import VersionedForm
from core.forms import OfficeMessagesMixin
from core.unit_search import UnitNameSearchField
from units.models import Person, Sequence, Unit

MONTH_FORMAT = "%Y-%m"


class MonthField(forms.DateField):
    """A month typed as 2024-03 (an <input type=month>), stored as its first day (RULES.md decision 3)."""

    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("input_formats", [MONTH_FORMAT, "%Y-%m-%d"])
        kwargs.setdefault("error_messages", {"invalid": "请按“2024-03”的格式填写月份。"})
        super().__init__(**kwargs)

    def to_python(self, value) -> dt.date | None:
        date = super().to_python(value)
        return date.replace(day=1) if date else None


class UnitForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    assessed_from = MonthField(
        label="起始考核月份", required=False, help_text="年中加入的单位从该月起计算报送定额；为空表示全年考核。"
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "sequence", "is_central_provincial", "is_ranked", "display_order", "assessed_from"]
        error_messages = {
            "name": {"unique": "已有同名单位，单位名称不能重复。", "required": "请填写单位名称。"},
            "sequence": {"required": "请选择序列。"},
        }
        help_texts = {"display_order": "同一序列内按此顺序列出；为空时按单位名称拼音排序。"}

    def clean(self) -> dict:
        data = super().clean()
        # RULES.md Art. 10: central and provincial units are ranked with the bureaus, under the bureau quota.
        if data.get("is_central_provincial") and data.get("sequence") not in (None, Sequence.BUREAU):
            self.add_error("sequence", "中直、省属在哈单位应归入委办局序列。")
        return data


class UnitNameSequenceFilter(forms.Form):
    """A list of units found by part of a name and by sequence; an invalid filter (a hand-edited URL) is ignored
    and shown with its error, the valid ones apply."""

    q = UnitNameSearchField()
    sequence = forms.ChoiceField(label="序列", choices=[("", "全部序列"), *Sequence.choices], required=False)

    def narrowed(self, units: QuerySet[Unit]) -> QuerySet[Unit]:
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            units = units.filter(name__icontains=data["q"])
        if data.get("sequence"):
            units = units.filter(sequence=data["sequence"])
        return units


class UnitFilterForm(UnitNameSequenceFilter):
    ACTIVE_CHOICES = [("", "全部"), ("1", "启用"), ("0", "已停用")]

    active = forms.ChoiceField(label="状态", choices=ACTIVE_CHOICES, required=False)

    def filter(self, units: QuerySet[Unit]) -> QuerySet[Unit]:
        units = self.narrowed(units)
        if self.cleaned_data.get("active"):
            units = units.filter(is_active=self.cleaned_data["active"] == "1")
        return units


phone_validator = RegexValidator(r"^[0-9+\-() 转]+$", "电话只能包含数字、空格、“-”“+”“()”和“转”。")


class PersonForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    phone = forms.CharField(label="电话", max_length=30, required=False, validators=[phone_validator])

    class Meta:
        model = Person
        fields = ["role", "name", "post", "phone", "is_active"]
        error_messages = {
            "role": {"required": "请选择职责。"},
            "name": {"required": "请填写姓名。"},
        }
