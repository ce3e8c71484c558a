from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.is_officer and not user.unit.is_active:
            raise forms.ValidationError("您所在的单位已停用，账号不能登录。", code="inactive_unit")
