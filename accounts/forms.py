from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from audit.locking import VersionedForm
from core.forms import OfficeMessagesMixin
from core.unit_search import UnitByNameField
from units.models import Unit


class LoginForm(OfficeMessagesMixin, AuthenticationForm):
    def clean(self) -> dict:
        # AuthenticationForm sets the field's max_length too late for it to be checked, and a name no account can
        # have would reach authenticate() and the lockout's 255-character column (a 500 on PostgreSQL).
        if len(self.cleaned_data.get("username") or "") > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return super().clean()

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.is_officer and not user.unit.is_active:
            raise forms.ValidationError("您所在的单位已停用，账号不能登录。", code="inactive_unit")


class RoleUnitMixin(OfficeMessagesMixin):
    """Role and unit together: an officer acts for exactly one unit, the office roles for none (User constraint)."""

    def _setup_role_unit(self) -> None:
        self.fields["unit"] = UnitByNameField(Unit.objects.all(), label="所属单位", required=False,
                                              help_text="仅单位信息员需要填写所属单位（输入名称查找）。")
        self.fields["first_name"].label = "姓名"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") == Role.OFFICER:
            if not data.get("unit"):
                self.add_error("unit", "单位信息员必须选择所属单位。")
        else:
            data["unit"] = None
        return data


class AccountCreateForm(RoleUnitMixin, VersionedForm, UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "role", "unit")
        error_messages = {"username": {"unique": "该用户名已被使用。"}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._setup_role_unit()


class AccountEditForm(RoleUnitMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "email", "role", "unit")
        error_messages = {"username": {"unique": "该用户名已被使用。"}}

    def __init__(self, *args, editor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor
        self._setup_role_unit()

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        # An administrator who demotes themselves could leave the office without anyone to manage accounts.
        if self.instance.pk == self.editor.pk and role != Role.ADMIN and not self.instance.is_superuser:
            raise forms.ValidationError("不能取消自己的管理员角色。")
        return role


class AccountFilterForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=[("", "全部角色"), *Role.choices], required=False)
    q = forms.CharField(label="查找", max_length=100, required=False,
                        widget=forms.TextInput(attrs={"placeholder": "用户名、姓名或单位名称"}))

    def filter(self, accounts: QuerySet[User]) -> QuerySet[User]:
        """The accounts the filter asks for; an invalid filter is ignored (and shown with its error)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("role"):
            accounts = accounts.filter(role=data["role"])
        if query := data.get("q"):
            accounts = accounts.filter(
                Q(username__icontains=query) | Q(first_name__icontains=query) | Q(unit__name__icontains=query))
        return accounts


class LockReleaseForm(forms.Form):
    """Which username/address pair to let log in again (accounts.lockout)."""

    username = forms.CharField(max_length=255)
    ip_address = forms.GenericIPAddressField()
