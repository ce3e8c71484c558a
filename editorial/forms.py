"""The desk's forms: every rule an editor can break is checked here with a Chinese message."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.locking import VersionedForm
from core.dates import cn_date
from core.forms import OfficeMessagesMixin
from core.unit_search import UnitByNameField
from editorial.models import Carrier, DecisionAction, Issue, IssueItem, IssueStatus
from submissions.models import ALLOWED_ADOPTION_TYPES, AdoptionType, DeskState, InfoType, Level, Submission
from units.models import Sequence, Unit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "日期格式应为 2026-03-01。"}
INBOX_STATES = [(s, label) for s, label in DeskState.choices if s not in (DeskState.OFF_DESK,)]


def _not_future(value: dt.date) -> dt.date:
    if value > timezone.localdate():
        raise forms.ValidationError("日期不能晚于今天。")
    return value


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(choices=INBOX_STATES, required=False, label="采编状态", initial=DeskState.PENDING)
    unit = UnitByNameField(Unit.objects.all(), required=False, label="单位", placeholder="全部单位（输入名称）")
    sequence = forms.ChoiceField(choices=[("", "全部序列"), *Sequence.choices], required=False, label="序列")
    info_type = forms.ChoiceField(choices=[("", "全部类型"), *InfoType.choices], required=False, label="信息类型")
    date_from = forms.DateField(required=False, label="报送日期自", widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    date_to = forms.DateField(required=False, label="至", widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    q = forms.CharField(required=False, max_length=100, label="关键词")

    def apply(self, items: QuerySet[Submission]) -> QuerySet[Submission]:
        """Invalid filters are ignored (and shown with their error); the valid ones apply."""
        self.is_valid()
        data = self.cleaned_data
        items = items.filter(desk_state=data.get("state") or DeskState.PENDING)
        if data.get("unit"):
            items = items.filter(Q(unit=data["unit"]) | Q(joint_units__unit=data["unit"])).distinct()
        if data.get("sequence"):
            items = items.filter(unit__sequence=data["sequence"])
        if data.get("info_type"):
            items = items.filter(info_type=data["info_type"])
        if data.get("date_from"):
            items = items.filter(submitted_at__date__gte=data["date_from"])
        if data.get("date_to"):
            items = items.filter(submitted_at__date__lte=data["date_to"])
        if data.get("q"):
            words = data["q"].strip()
            items = items.filter(Q(title__icontains=words) | Q(body__icontains=words))
        return items


class DecisionForm(OfficeMessagesMixin, forms.Form):
    action = forms.ChoiceField(choices=DecisionAction.choices, label="处理",
                               error_messages={"required": "请选择处理方式。", "invalid_choice": "处理方式不正确。"})
    issue = forms.ModelChoiceField(queryset=Issue.objects.none(), required=False, label="采用到（草稿）",
                                   empty_label="请选择一期草稿",
                                   error_messages={"invalid_choice": "所选的期不存在或已刊发。"})
    adoption_type = forms.ChoiceField(choices=[("", "按刊物默认"), *AdoptionType.choices], required=False, label="采用类型",
                                      help_text="刊物刊载多种类型时选择。")
    comment = forms.CharField(required=False, max_length=500, label="意见", widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="退回修改时必填，将显示给报送单位；不采用时可填写原因。")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "表单已失效，请刷新页面。"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = Issue.objects.filter(status=IssueStatus.DRAFT).select_related("carrier")

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == DecisionAction.SELECT and not data.get("issue"):
            self.add_error("issue", "采用时请选择一期草稿（没有草稿时先在“期刊”中新建）。")
        if action == DecisionAction.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", "退回修改必须填写修改意见。")
        issue, kind = data.get("issue"), data.get("adoption_type")
        if action == DecisionAction.SELECT and issue and kind and kind not in dict(issue.carrier.type_choices()):
            self.add_error("adoption_type", f"{issue.carrier}不刊载该类型。")
        return data


class CarrierForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["name", "level", "adoption_type", "frequency", "order", "is_active"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip().strip("《》").strip()
        if not name:
            raise forms.ValidationError("请填写刊物名称。")
        if Carrier.objects.exclude(pk=self.instance.pk).filter(name=name).exists():
            raise forms.ValidationError("已有同名刊物。")
        return name

    def clean(self) -> dict:
        data = super().clean()
        level, kind = data.get("level"), data.get("adoption_type")
        if level and kind and kind not in ALLOWED_ADOPTION_TYPES[level]:
            allowed = "、".join(AdoptionType(t).label for t in ALLOWED_ADOPTION_TYPES[level])
            self.add_error("adoption_type", f"{Level(level).label}级刊物只有这些采用类型：{allowed}。")
        return data


class NewIssueForm(OfficeMessagesMixin, forms.Form):
    carrier = forms.ModelChoiceField(queryset=Carrier.objects.active().filter(level=Level.CITY), label="刊物",
                                     empty_label=None, error_messages={"invalid_choice": "所选刊物不存在或已停用。",
                                                                       "required": "请选择刊物。"})


class IssueForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["editor_note", "responsible_editor", "signed_by"]
        widgets = {"editor_note": forms.Textarea(attrs={"rows": 3})}


class EntryForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = IssueItem
        fields = ["title", "body", "adoption_type"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = "请填写刊发标题。"
        self.fields["adoption_type"].choices = self.instance.issue.carrier.type_choices()
        self.fields["adoption_type"].error_messages["invalid_choice"] = "该刊物不刊载所选类型。"


class PublishForm(OfficeMessagesMixin, forms.Form):
    issued_on = forms.DateField(label="刊发日期", widget=DATE_WIDGET, initial=timezone.localdate,
                                error_messages={"required": "请填写刊发日期。", "invalid": "日期格式应为 2026-03-01。"})
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "表单已失效，请刷新页面。"})

    def clean_issued_on(self) -> dt.date:
        return _not_future(self.cleaned_data["issued_on"])


class WithdrawForm(OfficeMessagesMixin, forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=300, error_messages={"required": "撤回必须填写原因。"})


class ForwardForm(OfficeMessagesMixin, forms.Form):
    forwarded_on = forms.DateField(label="报送省政府日期", widget=DATE_WIDGET, initial=timezone.localdate,
                                   error_messages={"required": "请填写报送日期。", "invalid": "日期格式应为 2026-03-01。"})

    def clean_forwarded_on(self) -> dt.date:
        return _not_future(self.cleaned_data["forwarded_on"])


class CarrierAdoptionForm(OfficeMessagesMixin, forms.Form):
    """An adoption recorded by hand with its carrier from the list (a provincial or State Council adoption of
    a forwarded item, or any carrier's adoption outside the desk's issues); the carrier's own issue number."""

    carrier = forms.ModelChoiceField(queryset=Carrier.objects.active(), label="刊物",
                                     error_messages={"invalid_choice": "所选刊物不存在或已停用。", "required": "请选择刊物。"})
    issue_no = forms.CharField(label="期号", max_length=50, required=False)
    adoption_type = forms.ChoiceField(choices=[("", "按刊物默认"), *AdoptionType.choices], required=False, label="采用类型")
    adopted_on = forms.DateField(label="采用日期", widget=DATE_WIDGET,
                                 error_messages={"required": "请填写采用日期。", "invalid": "日期格式应为 2026-03-01。"})

    def __init__(self, *args, item: Submission, upward: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        if upward:
            self.fields["carrier"].queryset = Carrier.objects.active().exclude(level=Level.CITY)

    def clean_adopted_on(self) -> dt.date:
        value = _not_future(self.cleaned_data["adopted_on"])
        submitted = timezone.localdate(self.item.submitted_at)
        if value < submitted:
            raise forms.ValidationError(f"采用日期不能早于信息的报送日期（{cn_date(submitted)}）。")
        return value

    def clean(self) -> dict:
        data = super().clean()
        carrier = data.get("carrier")
        if not carrier:
            return data
        allowed = dict(carrier.type_choices())
        kind = data.get("adoption_type") or (next(iter(allowed)) if len(allowed) == 1 else "")
        if kind not in allowed:
            self.add_error("adoption_type", f"请选择{carrier}的采用类型：{'、'.join(allowed.values())}。")
        data["adoption_type"] = kind
        if self.item.adoptions.filter(level=carrier.level).exists():
            self.add_error("carrier", f"该信息已有{Level(carrier.level).label}级采用记录，每个层级只能采用一次。")
        return data
