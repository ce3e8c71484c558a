"""Forms of the facts: every rule a user can break is checked here with a Chinese message.

The database constraints (models.py) back the same invariants; each check below adds its error to a
field, so Django's generic constraint messages never show up instead.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.locking import FORM_EXPIRED, VersionedForm
from core.assessment import TIME_ZONE, YEARS, Period
from core.dates import cn_date
from core.forms import OfficeMessagesMixin
from core.unit_search import UnitByNameField, UnitsByNameField
from submissions.duplicates import RECENT_DAYS, normalize_title, recent_duplicates
from submissions.models import (
    ALLOWED_ADOPTION_TYPES,
    Adoption,
    FailureKind,
    InfoType,
    LeaderInstruction,
    SpecialRequest,
    Submission,
    UrgentFailure,
)
from submissions.services import ItemInput
from units.models import Sequence, Unit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
BODY_MAX = 20000


def _unit_by_name(queryset: QuerySet[Unit], label: str, **kw) -> UnitByNameField:
    return UnitByNameField(queryset, label=label, active_only=True, error_messages={"required": "请选择单位。"}, **kw)


def _usable_units(*keep_ids: int | None) -> Q:
    """Active units, plus the ones a fact already names (so correcting it keeps a since-deactivated unit)."""
    return Q(is_active=True) | Q(pk__in=[pk for pk in keep_ids if pk])


def _limit(field: forms.CharField, length: int) -> None:
    """A length cap for a text field the model leaves unbounded (TextField)."""
    field.max_length = length
    field.validators.append(MaxLengthValidator(length))
    field.widget.attrs["maxlength"] = str(length)


def check_not_future(day: dt.date) -> None:
    if day > timezone.localdate():
        raise forms.ValidationError("日期不能晚于今天。")


def check_assessed_from(unit: Unit | None, day: dt.date) -> None:
    if unit and unit.assessed_from and day < unit.assessed_from:
        raise forms.ValidationError(f"不能早于该单位的起始考核月份（{cn_date(unit.assessed_from, 'month')}）。")


class TokenMixin(forms.Form):
    """A one-time token per rendered create form (services._claim_token): a repeated POST creates nothing."""

    form_token = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4,
        error_messages={"required": "表单已失效，请刷新页面后重新填写。", "invalid": "表单已失效，请刷新页面后重新填写。"},
    )


DUPLICATE_CONFIRM = "confirm_duplicate"  # the "仍然报送" button's name


class ItemForm(OfficeMessagesMixin, TokenMixin, VersionedForm, forms.ModelForm):
    """Report (officer: own unit, now) or enter/correct (staff: any unit, the real time) an item."""

    duplicates: list[Submission] = []  # likely duplicates found by the last validation

    joint_units = UnitsByNameField(
        Unit.objects.none(), required=False, label="联合报送单位",
        help_text="与本单位联合报送的其他单位，每行一个单位名称（也可用顿号、逗号或分号隔开）。",
    )
    class Meta:
        model = Submission
        fields = ["title", "info_type", "body", "special_request"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        item = self.instance
        editing = item.pk is not None
        self.fields["title"].error_messages["required"] = "请填写标题。"
        _limit(self.fields["body"], BODY_MAX)
        joint = list(Unit.objects.filter(joint_submissions__submission=item).order_by("name")) if editing else []
        self.fields["joint_units"].queryset = Unit.objects.filter(_usable_units(*(unit.pk for unit in joint)))
        if editing:
            self.fields["joint_units"].initial = joint
            del self.fields["form_token"]
        request_field = self.fields["special_request"]
        request_field.label = "所答专约"
        if user.is_office_staff:
            # Staff may record any answer, late ones included (late credit 0.5, RULES.md decision 5).
            self.fields["unit"] = _unit_by_name(Unit.objects.filter(_usable_units(item.unit_id)), "报送单位",
                                                initial=item.unit if editing else None)
            self.fields["submitted_at"] = forms.DateTimeField(
                label="报送时间", widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS,
                initial=timezone.localtime(item.submitted_at) if editing else None,
                error_messages={"required": "请填写报送时间。", "invalid": "报送时间格式不正确。"},
            )
            self.order_fields(["unit", "title", "info_type", "submitted_at"])
            request_field.queryset = SpecialRequest.objects.all()
        else:
            # Our decision: an officer answers only a request of their unit that is still open; an answer
            # after the deadline is recorded by the office (who then sees it scored as late).
            # An officer's edit of a returned item keeps the request it answered, even if closed since.
            open_ids = SpecialRequest.objects.for_unit(user.unit).open(timezone.now()).values("pk")
            request_field.queryset = SpecialRequest.objects.filter(Q(pk__in=open_ids) | Q(pk=item.special_request_id))
            request_field.error_messages["invalid_choice"] = "所选专约不存在、已截止或不是发给本单位的，不能再作答。"
            request_field.help_text = "只列出发给本单位且尚未截止的专约。"
            # RULES.md decision 10: what an officer names waits for the other unit's consent.
            self.fields["joint_units"].help_text += "所列单位经其信息员确认后，该信息才计入该单位。"

    def clean_submitted_at(self) -> dt.datetime:
        value = self.cleaned_data["submitted_at"]
        if value > timezone.now():
            raise forms.ValidationError("报送时间不能晚于当前时间。")
        return value

    def item_unit(self) -> Unit | None:
        return self.cleaned_data.get("unit") if self.user.is_office_staff else self.user.unit

    def clean(self) -> dict:
        data = super().clean()
        unit = self.item_unit()
        if unit and unit in data.get("joint_units", []):
            self.add_error("joint_units", "联合报送单位不能包含报送单位本身。")
        submitted_at = data.get("submitted_at")
        if submitted_at:
            try:
                check_assessed_from(unit, timezone.localtime(submitted_at).date())
            except forms.ValidationError as e:
                self.add_error("submitted_at", f"报送时间{e.messages[0]}")
        request = data.get("special_request")
        if unit and request and not request.targets.filter(pk=unit.pk).exists():
            self.add_error("special_request", "该专约的对象单位不包括报送单位。")
        self._check_duplicates(unit, data)
        return data

    def _check_duplicates(self, unit: Unit | None, data: dict) -> None:
        """Issue 16: a title the same or nearly the same as one of the unit's items of the last 30 days is
        saved only once the user says so ("仍然报送", DUPLICATE_CONFIRM); an edit that keeps its title is not asked."""
        title, item = data.get("title"), self.instance
        if not unit or not title or self.data.get(DUPLICATE_CONFIRM) == "1":
            return
        if item.pk and normalize_title(title) == normalize_title(item.title) and unit.pk == item.unit_id:
            return
        at = data.get("submitted_at") or (item.submitted_at if item.pk else timezone.now())
        self.duplicates = recent_duplicates(unit, title, at, exclude=item.pk)
        if self.duplicates:
            self.add_error(None, f"{unit.name}{RECENT_DAYS}天内已有标题相同或相近的信息（见下方），"
                                 "请核对是否重复报送；确属不同信息的，请点击“仍然报送”。")

    def to_input(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            unit=self.item_unit(), title=data["title"], body=data["body"], info_type=data["info_type"],
            # An officer's edit keeps the time the item was first reported.
            submitted_at=data.get("submitted_at") or (self.instance.submitted_at if self.instance.pk else timezone.now()),
            special_request=data.get("special_request"), joint_units=list(data["joint_units"]),
        )


class InvalidateForm(OfficeMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="无效原因", max_length=200, help_text="如：重复报送、单位撤回、不属于政务信息。",
        error_messages={"required": "标记无效必须填写原因。"},
    )


def _dated_on_item(form: forms.ModelForm, name: str) -> dt.date:
    """An adoption's or instruction's date: not in the future, not before the item was submitted."""
    value = form.cleaned_data[name]
    check_not_future(value)
    submitted = timezone.localdate(form.submission.submitted_at)
    if value < submitted:
        raise forms.ValidationError(f"日期不能早于信息的报送日期（{cn_date(submitted)}）。")
    return value


class AdoptionForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Adoption
        fields = ["level", "adoption_type", "adopted_on", "carrier", "issue_no"]
        widgets = {
            "adopted_on": DATE_WIDGET,
            # Hooks for the small script that offers only the level's types (the server checks again).
            "level": forms.Select(attrs={"data-adoption-level": ""}),
            "adoption_type": forms.Select(attrs={"data-adoption-type": ""}),
        }

    def __init__(self, *args, submission: Submission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.instance.submission = submission
        self.fields["adopted_on"].error_messages["required"] = "请填写采用日期。"

    def clean_adopted_on(self) -> dt.date:
        return _dated_on_item(self, "adopted_on")

    def clean(self) -> dict:
        data = super().clean()
        level, kind = data.get("level"), data.get("adoption_type")
        if level and kind and kind not in ALLOWED_ADOPTION_TYPES[level]:
            allowed = "、".join(Adoption(adoption_type=t).get_adoption_type_display() for t in ALLOWED_ADOPTION_TYPES[level])
            self.add_error("adoption_type", f"{Adoption(level=level).get_level_display()}级采用只有这些类型：{allowed}。")
        others = self.submission.adoptions.exclude(pk=self.instance.pk)
        if level and others.filter(level=level).exists():
            self.add_error("level", "该信息在这一层级已有采用记录，每个层级只能采用一次。")
        return data


class AdoptionCreateForm(TokenMixin, AdoptionForm):
    pass


class InstructionForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = LeaderInstruction
        fields = ["level", "kind", "instructed_on", "leader", "content"]
        widgets = {"instructed_on": DATE_WIDGET, "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, submission: Submission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.instance.submission = submission
        self.fields["instructed_on"].error_messages["required"] = "请填写批示日期。"
        _limit(self.fields["content"], BODY_MAX)

    def clean_instructed_on(self) -> dt.date:
        return _dated_on_item(self, "instructed_on")

    def clean(self) -> dict:
        data = super().clean()
        key = {k: data.get(k) for k in ("level", "kind", "instructed_on")}
        if all(key.values()):
            others = self.submission.instructions.exclude(pk=self.instance.pk)
            if others.filter(**key, leader=data.get("leader", "")).exists():
                self.add_error("kind", "该信息已有同一领导、同一日期、同一层级和类型的批示，不能重复录入。")
        return data


class InstructionCreateForm(TokenMixin, InstructionForm):
    pass


class FailureForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = UrgentFailure
        fields = ["unit", "occurred_on", "kind", "description"]
        widgets = {"occurred_on": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_by_name(Unit.objects.filter(_usable_units(self.instance.unit_id)), "单位")
        self.fields["occurred_on"].error_messages["required"] = "请填写日期。"
        _limit(self.fields["description"], BODY_MAX)
        self.order_fields(["unit", "occurred_on", "kind", "description"])

    def clean_occurred_on(self) -> dt.date:
        value = self.cleaned_data["occurred_on"]
        check_not_future(value)
        return value

    def clean(self) -> dict:
        data = super().clean()
        unit, day, kind = data.get("unit"), data.get("occurred_on"), data.get("kind")
        if unit and day:
            try:
                check_assessed_from(unit, day)
            except forms.ValidationError as e:
                self.add_error("occurred_on", e)
        if unit and day and kind:
            others = UrgentFailure.objects.exclude(pk=self.instance.pk)
            if others.filter(unit=unit, occurred_on=day, kind=kind).exists():
                label = FailureKind(kind).label
                self.add_error("kind", f"该单位在这一天已记录过“{label}”问题。")
        return data


class FailureCreateForm(TokenMixin, FailureForm):
    pass


class RequestForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    targets = UnitsByNameField(
        Unit.objects.none(), required=False, label="对象单位",
        help_text="每行一个单位名称（也可用顿号、逗号或分号隔开）；整个序列请用下面的“整序列选择”。",
    )
    target_sequences = forms.MultipleChoiceField(
        choices=Sequence.choices, required=False, label="整序列选择", widget=forms.CheckboxSelectMultiple,
        help_text="勾选的序列中所有启用的单位都会加入对象单位。",
    )

    class Meta:
        model = SpecialRequest
        fields = ["code", "title", "description", "deadline"]
        widgets = {"deadline": DATETIME_WIDGET, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.instance
        targets = list(request.targets.in_office_order()) if request.pk else []
        self.fields["targets"].queryset = Unit.objects.filter(_usable_units(*(unit.pk for unit in targets)))
        self.fields["targets"].initial = targets
        deadline = self.fields["deadline"]
        deadline.input_formats = DATETIME_FORMATS
        deadline.error_messages.update({"required": "请填写截止时间。", "invalid": "截止时间格式不正确。"})
        if request.pk:
            deadline.initial = timezone.localtime(request.deadline)
        _limit(self.fields["description"], BODY_MAX)

    def clean(self) -> dict:
        data = super().clean()
        whole = Unit.objects.active().filter(sequence__in=data.get("target_sequences", []))
        data["all_targets"] = sorted({*data.get("targets", []), *whole}, key=lambda u: u.pk)
        if not data["all_targets"] and "targets" not in self.errors:
            self.add_error("targets", "请至少选择一个对象单位。")
        return data

    def fields_to_save(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class RequestCreateForm(TokenMixin, RequestForm):
    pass


# --- list filters ------------------------------------------------------------------------------------------


def month_widget() -> forms.TextInput:
    return forms.TextInput(attrs={"type": "month", "placeholder": "2024-03"})


def clean_month_value(value: str) -> Period | None:
    """A list filter's month, "2024-03" (the browser's month input), as that month's period; empty: none."""
    value = value.strip()
    if not value:
        return None
    try:
        day = dt.datetime.strptime(value, "%Y-%m")
    except ValueError:
        raise forms.ValidationError("月份格式应为 2024-03。") from None
    return Period.month(day.year, day.month)


class ItemFilterForm(forms.Form):
    unit = UnitByNameField(Unit.objects.all(), required=False, label="单位", placeholder="全部单位（输入名称）")
    sequence = forms.ChoiceField(choices=[("", "全部序列"), *Sequence.choices], required=False, label="序列")
    month = forms.CharField(required=False, label="月份", widget=month_widget())
    day = forms.DateField(
        required=False, label="日期", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 2024-03-05。"},
    )
    info_type = forms.ChoiceField(choices=[("", "全部类型"), *InfoType.choices], required=False, label="信息类型")
    status = forms.ChoiceField(choices=[("", "全部"), ("valid", "有效"), ("invalid", "无效")], required=False, label="状态")
    q = forms.CharField(required=False, max_length=100, label="标题包含")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not user.can_read_all:
            # An officer's list is their unit's items only.
            del self.fields["unit"], self.fields["sequence"]

    def clean_month(self) -> Period | None:
        return clean_month_value(self.cleaned_data["month"])

    def apply(self, items: QuerySet[Submission]) -> QuerySet[Submission]:
        self.is_valid()  # invalid filters are ignored (and shown with their error); the valid ones apply
        data = self.cleaned_data
        if data.get("unit"):
            items = items.of_unit(data["unit"])
        if data.get("sequence"):
            items = items.filter(unit__sequence=data["sequence"])
        if data.get("month"):
            items = items.submitted_between(data["month"].start, data["month"].end)
        if data.get("day"):  # a day in Beijing time (the office home's 今日收到信息)
            start = dt.datetime.combine(data["day"], dt.time(), tzinfo=TIME_ZONE)
            items = items.submitted_between(start, start + dt.timedelta(days=1))
        if data.get("info_type"):
            items = items.filter(info_type=data["info_type"])
        if data.get("status"):
            items = items.filter(is_invalid=data["status"] == "invalid")
        if data.get("q"):
            items = items.filter(title__icontains=data["q"].strip())
        return items


class FailureFilterForm(forms.Form):
    unit = UnitByNameField(Unit.objects.all(), required=False, label="单位", placeholder="全部单位（输入名称）")
    year = forms.IntegerField(required=False, min_value=YEARS.start, max_value=YEARS[-1], label="年度")
    month = forms.CharField(required=False, label="月份", widget=month_widget())
    kind = forms.ChoiceField(choices=[("", "全部类型"), *FailureKind.choices], required=False, label="问题类型")

    def clean_month(self) -> Period | None:
        return clean_month_value(self.cleaned_data["month"])

    def apply(self, failures: QuerySet[UrgentFailure]) -> QuerySet[UrgentFailure]:
        self.is_valid()
        data = self.cleaned_data
        if data.get("unit"):
            failures = failures.filter(unit=data["unit"])
        if data.get("month"):  # a month names its year (the list's default year does not narrow it further)
            failures = failures.filter(occurred_on__range=(data["month"].start_date, data["month"].end_date))
        elif data.get("year"):
            failures = failures.filter(occurred_on__year=data["year"])
        if data.get("kind"):
            failures = failures.filter(kind=data["kind"])
        return failures


class MergeDuplicatesForm(forms.Form):
    """The office's choice on the duplicates page: the items of one group to merge, the one to keep, and
    the version of each as the page showed it (a change since refuses the merge)."""

    main = forms.IntegerField(min_value=1, max_value=2**63 - 1, error_messages={
        "required": "请选择保留的主信息。", "invalid": "请选择保留的主信息。",
        "min_value": "请选择保留的主信息。", "max_value": "请选择保留的主信息。"})
    month = forms.CharField(required=False, max_length=7)

    def clean(self) -> dict:
        data = super().clean()
        try:
            items = sorted({int(value) for value in self.data.getlist("items") if 0 < int(value) < 2**63})
            versions = {pk: int(self.data.get(f"version_{pk}", "")) for pk in items}
        except ValueError:
            raise forms.ValidationError(FORM_EXPIRED) from None
        if len(items) < 2:
            raise forms.ValidationError("请至少勾选两条信息进行合并。")
        if data.get("main") is not None and data["main"] not in items:
            self.add_error("main", "保留的主信息必须是勾选合并的信息之一。")
        data["items"], data["versions"] = items, versions
        return data
