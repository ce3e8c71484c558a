"""Unit and people forms: clear Chinese errors, nothing saved, typed values kept; deactivated units lock out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from awards.models import AwardPick
from tests.factories import PASSWORD, make_person, make_unit, make_user
from units.models import Person, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(make_user(Role.STAFF))
    return client


def test_unit_required_fields(staff_client):
    response = staff_client.post(reverse("units:create"), {"short_name": "数据局"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写单位名称。" in page and "请选择序列。" in page
    assert 'value="数据局"' in page
    assert not Unit.objects.exists()


def test_duplicate_unit_name(staff_client):
    make_unit(name="市教育局")
    response = staff_client.post(
        reverse("units:create"), {"name": "市教育局", "short_name": "教育", "sequence": "bureau", "display_order": "7"},
    )
    page = response.content.decode()
    assert "已有同名单位，单位名称不能重复。" in page
    assert 'value="教育"' in page and 'value="7"' in page
    assert Unit.objects.filter(name="市教育局").count() == 1


def test_central_provincial_unit_belongs_to_bureaus(staff_client):
    data = {"name": "哈尔滨海关", "sequence": "district", "is_central_provincial": "on"}
    response = staff_client.post(reverse("units:create"), data)
    assert "中直、省属在哈单位应归入委办局序列。" in response.content.decode()
    assert not Unit.objects.exists()


def test_unit_saved_with_every_field(staff_client):
    response = staff_client.post(reverse("units:create"), {
        "name": "市数据局", "short_name": "数据局", "sequence": "bureau", "display_order": "300",
        "assessed_from": "2024-07",
    })
    unit = Unit.objects.get(name="市数据局")
    assert response.url == reverse("units:detail", args=[unit.pk])
    assert (unit.short_name, unit.sequence, unit.display_order) == ("数据局", "bureau", 300)
    # An unchecked box: not ranked (assessed by reference), not central/provincial.
    assert unit.is_ranked is False and unit.is_central_provincial is False
    # The month is stored as its first day (the constraint the quota relies on).
    assert unit.assessed_from == dt.date(2024, 7, 1)
    assert "已新增单位“市数据局”。" in staff_client.get(response.url).content.decode()


def test_assessed_from_shows_as_month_and_rejects_nonsense(staff_client):
    unit = make_unit(name="市数据局", assessed_from=dt.date(2024, 7, 1))
    assert 'value="2024-07"' in staff_client.get(reverse("units:edit", args=[unit.pk])).content.decode()
    data = {"name": "市数据局改", "sequence": "bureau", "assessed_from": "2024-13"}
    response = staff_client.post(reverse("units:edit", args=[unit.pk]), data)
    assert "请按“2024-03”的格式填写月份。" in response.content.decode()
    unit.refresh_from_db()
    assert unit.name == "市数据局"


def test_person_required_fields_and_phone(staff_client):
    unit = make_unit()
    url = reverse("units:person_create", args=[unit.pk])
    page = staff_client.post(url, {"post": "信息科科长", "phone": "0451-8466"}).content.decode()
    assert "请填写姓名。" in page and "请选择职责。" in page
    assert 'value="信息科科长"' in page
    page = staff_client.post(url, {"role": "information_officer", "name": "王芳", "phone": "call me"}).content.decode()
    assert "电话只能包含数字" in page and 'value="王芳"' in page
    assert not Person.objects.exists()


def test_person_added_to_the_unit_in_the_url(staff_client):
    unit = make_unit()
    staff_client.post(reverse("units:person_create", args=[unit.pk]), {
        "role": "supervising_leader", "name": "赵敏", "post": "办公室主任", "phone": "0451-84661234 转 802", "is_active": "on",
        "unit": make_unit().pk,  # not a form field: ignored
    })
    person = Person.objects.get()
    assert (person.unit, person.role, person.is_active) == (unit, "supervising_leader", True)
    assert person.phone == "0451-84661234 转 802"


def test_person_named_by_an_award_is_not_deleted(staff_client):
    person = make_person(name="刘洋")
    AwardPick.objects.create(year=2024, kind="officer", person=person)
    response = staff_client.post(reverse("units:person_delete", args=[person.pk]), {"confirmed": "1"}, follow=True)
    assert Person.objects.filter(pk=person.pk).exists()
    assert "刘洋已列入评比记录，不能删除" in response.content.decode()


def test_detail_lists_the_three_level_chain(staff_client):
    unit = make_unit()
    make_person(unit, role="leader_in_charge", name="孙浩", post="副区长", phone="0451-81234567")
    page = staff_client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert "孙浩" in page and "副区长" in page and "0451-81234567" in page
    # No supervising leader and no officer yet: shown as missing (basic work item 1 needs all three).
    assert page.count("尚未登记") == 2


def test_deactivated_units_officer_cannot_log_in():
    unit = make_unit()
    officer = make_user(Role.OFFICER, unit)
    staff = Client()
    staff.force_login(make_user(Role.STAFF))
    response = staff.post(reverse("units:deactivate", args=[unit.pk]), {"confirmed": "1"}, follow=True)
    assert "其 1 个信息员账号不能再登录" in response.content.decode()
    response = Client().post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "您所在的单位已停用，账号不能登录。" in response.content.decode()
    # Reactivated: the officer may log in again.
    staff.post(reverse("units:reactivate", args=[unit.pk]))
    response = Client().post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 302


def test_logged_in_officer_is_logged_out_when_the_unit_is_deactivated():
    unit = make_unit()
    officer = Client()
    officer.force_login(make_user(Role.OFFICER, unit))
    assert officer.get(reverse("units:detail", args=[unit.pk])).status_code == 200
    staff = Client()
    staff.force_login(make_user(Role.STAFF))
    staff.post(reverse("units:deactivate", args=[unit.pk]), {"confirmed": "1"})
    response = officer.get(reverse("units:detail", args=[unit.pk]))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in officer.session
    assert "您所在的单位已停用，账号不能再使用。" in officer.get(response.url).content.decode()
