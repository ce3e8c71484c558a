from __future__ import annotations

import datetime as dt

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEvent, EventKind
from core.unit_search import UnitByNameField

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


def _model_choices() -> list[tuple[str, str]]:
    """The project's own models (not Django's), by their Chinese names."""
    models = [m for m in apps.get_models() if not m.__module__.startswith("django.") and m is not AuditEvent]
    return [("", "全部对象"), *sorted((m._meta.label, str(m._meta.verbose_name)) for m in models)]


# Days the system can have records of; also keeps the UTC conversion of a hostile 0001-01-01 or 9999-12-31 in range.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditFilterForm(forms.Form):
    start = forms.DateField(label="起始日期", required=False, widget=DATE, error_messages={"invalid": "起始日期格式不正确。"})
    end = forms.DateField(label="截止日期", required=False, widget=DATE, error_messages={"invalid": "截止日期格式不正确。"})
    user = forms.CharField(label="用户名", max_length=150, required=False, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(label="事件", choices=[("", "全部事件"), *EventKind.choices], required=False,
                             widget=forms.Select(attrs=SELECT), error_messages={"invalid_choice": "所选事件类型不存在。"})
    model = forms.ChoiceField(label="对象类型", required=False, widget=forms.Select(attrs=SELECT),
                              error_messages={"invalid_choice": "所选对象类型不存在。"})
    object_id = forms.IntegerField(label="对象编号", required=False, min_value=1, max_value=2**62,
                                   widget=forms.NumberInput(attrs=TEXT),
                                   error_messages={"invalid": "对象编号应为正整数。", "min_value": "对象编号应为正整数。",
                                                   "max_value": "对象编号过大。"})
    page = forms.IntegerField(
        required=False, min_value=1, max_value=10**6, widget=forms.HiddenInput,
        error_messages={"invalid": "页码应为正整数。", "min_value": "页码应为正整数。", "max_value": "页码过大。"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Units through the app registry: the audit app stays below units (it imports none of the apps it records).
        self.fields["unit"] = UnitByNameField(apps.get_model("units", "Unit").objects.all(), label="单位", required=False,
                                              placeholder="全部单位（输入名称）")
        self.fields["unit"].widget.attrs.update(TEXT)
        self.order_fields(["start", "end", "user", "unit"])
        self.fields["model"].choices = _model_choices()

    def clean(self) -> dict:
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, f"日期应在{FIRST_DAY.year}年至{LAST_DAY.year}年之间。")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "截止日期不能早于起始日期。")
        if data.get("object_id") and not data.get("model"):
            self.add_error("model", "按对象编号筛选时请选择对象类型。")
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The records the (valid) filter asks for, newest first; each filter has its index (AuditEvent.Meta)."""
        data = self.cleaned_data
        if data.get("start"):
            events = events.filter(at__gte=_day_start(data["start"]))
        if data.get("end"):
            events = events.filter(at__lt=_day_start(data["end"] + dt.timedelta(days=1)))
        if data.get("user"):
            events = events.filter(username=data["user"].strip())
        if data.get("unit"):
            events = events.filter(unit_id=data["unit"].pk)
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("model"):
            events = events.filter(model=data["model"])
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"])
        return events.order_by("-at", "-id")
