"""Simplified Chinese only (issue 14): whatever the browser asks for, and Django's own messages worded as the
office writes them, for every kind of form field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from core.forms import OfficeMessagesMixin
from editorial.forms import CarrierForm
from submissions.models import SpecialRequest
from tests.factories import make_request, make_unit, make_user
from units.models import Sequence, Unit

pytestmark = pytest.mark.django_db


class EveryKindForm(OfficeMessagesMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=300)
    short = forms.CharField(label="简称", min_length=2, required=False)
    count = forms.IntegerField(label="篇数", min_value=0, max_value=99, required=False)
    points = forms.DecimalField(label="分值", max_digits=4, decimal_places=1, required=False)
    day = forms.DateField(label="采用日期", required=False)
    moment = forms.DateTimeField(label="报送时间", required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    sequence = forms.ChoiceField(label="序列", choices=[("", "---------"), *Sequence.choices], required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.all(), required=False)
    units = forms.ModelMultipleChoiceField(label="联合报送单位", queryset=Unit.objects.all(), required=False)
    agreed = forms.BooleanField(label="已核对")
    file = forms.FileField(label="台账文件", required=False)


def _errors(data: dict, files: dict | None = None) -> dict[str, list[str]]:
    form = EveryKindForm({"title": "标题", "agreed": "on", **data}, files)
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": ""}, "title", "请填写标题。"),
    ({"title": "字" * 320}, "title", "标题不能超过300字，现有320字。"),
    ({"short": "甲"}, "short", "简称不能少于2字，现有1字。"),
    ({"count": "三"}, "count", "请输入整数。"),
    ({"count": "-1"}, "count", "不能小于0。"),
    ({"count": "100"}, "count", "不能大于99。"),
    ({"points": "abc"}, "points", "请输入数字。"),
    ({"points": "1.25"}, "points", "小数不能超过1位。"),
    ({"points": "12345"}, "points", "数字不能超过4位。"),
    ({"day": "2026/13/45"}, "day", "日期格式不正确，请按“2026-11-28”填写。"),
    ({"moment": "昨天"}, "moment", "日期时间格式不正确，请按“2026-11-28 16:33”填写。"),
    ({"email": "not-an-address"}, "email", "电子邮箱地址格式不正确。"),
    ({"sequence": "moon"}, "sequence", "所选序列不在可选范围内，请重新选择。"),
    ({"unit": "999999"}, "unit", "所选单位不在可选范围内，请重新选择。"),
    ({"units": ["999999"]}, "units", "所选联合报送单位不在可选范围内，请重新选择。"),
    ({"agreed": ""}, "agreed", "请选择已核对。"),
])
def test_each_field_kind_says_what_is_wrong_in_office_chinese(data, field, message):
    assert _errors(data)[field] == [message]


def test_an_empty_upload_is_refused_in_chinese():
    errors = _errors({}, {"file": SimpleUploadedFile("台账.xlsx", b"")})
    assert errors["file"] == ["上传的文件是空的。"]


def test_empty_choices_read_please_choose():
    make_unit(name="道里区")
    html = str(EveryKindForm()["sequence"]) + str(EveryKindForm()["unit"])
    assert html.count('<option value="" selected>请选择</option>') == 2 and "---------" not in html


def test_a_message_the_form_sets_itself_is_kept():
    class OwnMessage(OfficeMessagesMixin, forms.Form):
        name = forms.CharField(label="名称", error_messages={"required": "请填写新版本名称。"})

    form = OwnMessage({"name": ""})
    assert not form.is_valid() and form.errors["name"] == ["请填写新版本名称。"]


def test_uniqueness_names_only_the_field():
    existing = make_request(code="ZY-2026-01")
    duplicate = SpecialRequest(code=existing.code, title="又一条", deadline=existing.deadline)
    with pytest.raises(ValidationError) as refused:
        duplicate.validate_unique()
    assert refused.value.message_dict["code"] == ["专约编号已存在。"]


def test_password_rules_read_as_the_office_writes_them():
    with pytest.raises(ValidationError) as refused:
        validate_password("12345678")
    assert {"该密码过于常见，容易被猜中。", "密码不能全是数字。"} <= set(refused.value.messages)
    assert not [m for m in refused.value.messages if "password" in m.lower()]


@pytest.mark.parametrize("language", ["en", "en-US,en;q=0.9", "ja", "zh-Hant", "zh-TW,zh;q=0.8"])
def test_every_browser_language_gets_simplified_chinese(language):
    make_user(username="office-staff")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language.split(",")[0]  # nor does the language cookie change it
    response = client.post(reverse("login"), {"username": "office-staff", "password": "wrong"})
    html = response.content.decode()
    assert "用户名或密码不正确，请重新输入（区分大小写）。" in html
    assert "Please enter" not in html and "正しい" not in html and "請輸入" not in html


PO_FILE = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"


def _po_entries() -> list[tuple[str, str | None, str]]:
    """(msgid, msgid_plural, msgstr) of locale/zh_Hans, whose entries are all written on one line each."""
    text = PO_FILE.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        fields = dict(re.findall(r'^(msgid|msgid_plural|msgstr|msgstr\[0\]) "(.*)"$', block, re.M))
        if fields.get("msgid"):
            entries.append((fields["msgid"], fields.get("msgid_plural"), fields.get("msgstr") or fields["msgstr[0]"]))
    return entries


def test_the_compiled_catalog_matches_its_source():
    # django.mo is committed (servers need no gettext): every entry of the .po must be in force.
    entries = _po_entries()
    assert len(entries) == len(re.findall(r'^msgid "[^"]', PO_FILE.read_text(encoding="utf-8"), re.M))
    for msgid, plural, msgstr in entries:
        translated = ngettext(msgid, plural, 2) if plural else gettext(msgid)
        assert translated == msgstr, msgid


def test_the_editorial_desks_forms_speak_as_the_office_writes():
    form = CarrierForm({"name": "字" * 120, "level": "moon"})
    assert not form.is_valid()
    assert form.errors["name"] == ["刊物名称不能超过100字，现有120字。"]
    assert form.errors["level"] == ["所选层级不在可选范围内，请重新选择。"]
