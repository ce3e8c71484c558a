from __future__ import annotations

from django import forms

from accounts.models import User
from audit.locking import VersionedForm
from core.forms import OfficeMessagesMixin


class ContactForm(OfficeMessagesMixin, VersionedForm, forms.ModelForm):
    """The user's own e-mail address and digest choice."""

    class Meta:
        model = User
        fields = ("email", "notice_digest")
        labels = {"email": "电子邮箱"}
        help_texts = {"email": "填写后，消息同时发送到该邮箱（系统已配置邮件服务时）；留空则只在站内提示。"}
