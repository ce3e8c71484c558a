"""Issue 12: a city of 1,000 units. No page lists every unit (or every unit's people) as options or boxes: a unit is
typed by name with suggestions loaded as one types (core.unit_search, `units:choices`), and several units are names,
one a line, checked on the server."""

from __future__ import annotations

import uuid

import pytest
from django import forms
from django.urls import reverse

from awards.models import SpecialContribution
from awards.services import finalize_year
from core.unit_search import UnitsByNameField
from submissions.models import JointUnit, SpecialRequest, Submission
from tests.factories import (
    login,
    make_basic_work,
    make_failure,
    make_person,
    make_request,
    make_scored_unit,
    make_submission,
    make_unit,
)
from units.models import Person, PersonRole, Unit
from units.views import CHOICES_SHOWN

pytestmark = pytest.mark.django_db
YEAR = 2024


def pages(world) -> list[tuple[str, str]]:
    """Every page that once listed all units or all information officers: (persona, url)."""
    item, failure, req, officer = world["item"], world["failure"], world["request"], world["personas"]["officer_a"]
    return [
        ("officer_a", reverse("submissions:create")),
        ("officer_a", reverse("submissions:edit", args=[world["own_item"].pk])),
        ("staff", reverse("submissions:create")),
        ("staff", reverse("submissions:edit", args=[item.pk])),
        ("staff", reverse("submissions:list")),
        ("staff", reverse("submissions:failure_create")),
        ("staff", reverse("submissions:failure_edit", args=[failure.pk])),
        ("staff", reverse("submissions:failure_list")),
        ("staff", reverse("submissions:request_create")),
        ("staff", reverse("submissions:request_edit", args=[req.pk])),
        ("staff", reverse("editorial:inbox")),
        ("admin", reverse("audit:list")),
        ("admin", reverse("accounts:create")),
        ("admin", reverse("accounts:edit", args=[officer.pk])),
        ("staff", reverse("awards:year", args=[YEAR])),
    ]


@pytest.fixture
def world(personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    make_scored_unit("district", 1, year=YEAR)
    make_basic_work(a, year=YEAR), make_basic_work(b, year=YEAR)
    finalize_year(YEAR)
    own = make_submission(a, title="本单位的信息", desk_state="pending", pending=[b])
    return {
        "personas": personas, "own_item": own, "item": make_submission(a, joint=[b]),
        "failure": make_failure(a), "request": make_request([a, b]),
    }


def test_no_page_grows_an_option_or_a_box_per_unit(client, world):
    def counts() -> dict[str, tuple[int, int]]:
        found = {}
        for persona, url in pages(world):
            response = login(client, world["personas"][persona]).get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            found[f"{persona} {url}"] = (html.count("<option"), html.count('type="checkbox"'))
        return found

    before = counts()
    for n in range(30):
        make_person(make_unit(name=f"新增单位{n}"))
    assert counts() == before


def test_the_forms_name_units_for_the_script_and_load_it(client, world):
    login(client, world["personas"]["staff"])
    html = client.get(reverse("submissions:create")).content.decode()
    assert f'data-choices-url="{reverse("units:choices")}?active=1"' in html and 'data-adds-to="id_joint_units"' in html
    assert '<datalist id="id_joint_units-choices">' in html and '<datalist id="id_unit-choices">' in html
    assert 'src="/static/js/unit-search.js"' in html
    for url in (reverse("submissions:request_create"), reverse("submissions:failure_create"),
                reverse("submissions:failure_list"), reverse("editorial:inbox")):
        assert 'src="/static/js/unit-search.js"' in client.get(url).content.decode()
    login(client, world["personas"]["admin"])
    for url in (reverse("audit:list"), reverse("accounts:create")):
        assert 'src="/static/js/unit-search.js"' in client.get(url).content.decode()


# --- the suggestions ----------------------------------------------------------------------------------------


def test_suggestions_follow_what_each_user_may_name(client, personas):
    a = personas["officer_a"].unit
    make_unit(name="停用的区", is_active=False)
    url = reverse("units:choices")
    login(client, personas["officer_a"])
    assert client.get(url, {"q": ""}).json() == {"names": [a.name]}  # reading: their own unit
    active = client.get(url, {"q": "", "active": "1"}).json()["names"]  # naming: every active unit
    assert a.name in active and personas["officer_b"].unit.name in active and "停用的区" not in active
    login(client, personas["staff"])
    assert "停用的区" in client.get(url, {"q": "停用"}).json()["names"]  # a filter finds a deactivated unit
    assert client.get(url, {"q": "停用", "active": "1"}).json() == {"names": []}
    client.logout()
    assert client.get(url, {"q": "", "active": "1"}).status_code == 302


def test_suggestions_are_bounded(client, personas):
    Unit.objects.bulk_create(Unit(name=f"批量单位{n:03d}", sequence="bureau") for n in range(CHOICES_SHOWN + 10))
    login(client, personas["officer_a"])
    names = client.get(reverse("units:choices"), {"q": "批量", "active": "1"}).json()["names"]
    assert names == [f"批量单位{n:03d}" for n in range(CHOICES_SHOWN)]


# --- several units by name ------------------------------------------------------------------------------------


class JointForm(forms.Form):
    units = UnitsByNameField(Unit.objects.active(), label="联合报送单位", required=False)


@pytest.mark.parametrize(("typed", "names"), [
    ("道里区\n南岗区", ["道里区", "南岗区"]),
    ("南岗区、道里区", ["南岗区", "道里区"]),
    (" 道里区 ，南岗区;\r\n", ["道里区", "南岗区"]),
    ("道里区；道里区\n道里区", ["道里区"]),  # a name typed twice is one unit
    ("", []),
    ("、\n ;", []),
])
def test_several_units_are_names_between_separators(typed, names):
    make_unit(name="道里区"), make_unit(name="南岗区")
    form = JointForm({"units": typed})
    assert form.is_valid() and [unit.name for unit in form.cleaned_data["units"]] == names


def test_each_refused_name_is_named_in_chinese():
    make_unit(name="道里区"), make_unit(name="停用区", is_active=False)
    form = JointForm({"units": "道里区\n香坊\n停用区\n坏\x00名"})
    assert not form.is_valid()
    assert form.errors["units"] == ["没有名为“香坊”的单位。", "单位“停用区”已停用，不能选择。", "没有名为“坏\x00名”的单位。"]
    assert "道里区\n香坊" in str(form["units"])  # what was typed is shown again


def test_a_required_list_and_an_endless_one_are_refused():
    field = UnitsByNameField(Unit.objects.all(), label="对象单位", error_messages={"required": "请至少选择一个对象单位。"})
    with pytest.raises(forms.ValidationError, match="请至少选择一个对象单位"):
        field.clean(" \n、")
    with pytest.raises(forms.ValidationError, match="对象单位不能超过20000字"):
        field.clean("单位\n" * 7000)


# --- the forms ----------------------------------------------------------------------------------------------


def item_post(**kw) -> dict:
    return {"title": "联合开展供热检查", "info_type": "general", "body": "", "form_token": str(uuid.uuid4()), **kw}


def test_an_officer_names_joint_units_by_name_and_edits_them(client, personas):
    daoli, nangang = personas["officer_a"].unit, make_unit(name="南岗区")
    make_unit(name="香坊区")
    login(client, personas["officer_a"])
    response = client.post(reverse("submissions:create"), item_post(joint_units="南岗区、南岗区"))
    item = Submission.objects.get()
    assert response.status_code == 302 and list(item.joint_units.values_list("unit", flat=True)) == [nangang.pk]
    edit = client.get(reverse("submissions:edit", args=[item.pk])).content.decode()
    assert "南岗区</textarea>" in edit and "<option" not in edit.split('name="joint_units"')[1].split("</textarea>")[0]
    refused = client.post(reverse("submissions:create"), item_post(joint_units=f"{daoli.name}\n香坊区"))
    assert "联合报送单位不能包含报送单位本身" in refused.content.decode() and Submission.objects.count() == 1


def test_a_unit_deactivated_since_stays_named_on_an_edit(client, personas):
    a, b = make_unit(name="道里区"), make_unit(name="撤并区")
    item = make_submission(a, joint=[b])
    Unit.objects.filter(pk=b.pk).update(is_active=False)
    login(client, personas["staff"])
    page = client.get(reverse("submissions:edit", args=[item.pk])).content.decode()
    assert 'value="道里区"' in page and "撤并区</textarea>" in page
    data = item_post(unit="道里区", submitted_at="2024-03-05T09:00", joint_units="撤并区", version=item.version)
    assert client.post(reverse("submissions:edit", args=[item.pk]), data).status_code == 302
    assert JointUnit.objects.get().unit == b
    refused = client.post(reverse("submissions:create"), item_post(unit="撤并区", submitted_at="2024-03-05T09:00"))
    assert "单位“撤并区”已停用，不能选择。" in refused.content.decode()


def test_a_request_names_its_targets_and_shows_them_on_edit(client, personas):
    a, b = make_unit(name="道里区"), make_unit(name="南岗区")
    req = make_request([a, b], code="ZY2024-09")
    login(client, personas["staff"])
    page = client.get(reverse("submissions:request_edit", args=[req.pk])).content.decode()
    assert "道里区\n南岗区</textarea>" in page or "南岗区\n道里区</textarea>" in page
    data = {"code": "ZY2024-10", "title": "专约", "description": "", "deadline": "2099-03-01T17:00",
            "targets": "道里区；香坊区", "form_token": str(uuid.uuid4())}
    html = client.post(reverse("submissions:request_create"), data).content.decode()
    assert "没有名为“香坊区”的单位。" in html and "道里区；香坊区</textarea>" in html
    assert SpecialRequest.objects.count() == 1


def test_the_filters_and_the_account_form_take_a_unit_name(client, personas):
    a = personas["officer_a"].unit
    make_failure(a, description="甲的问题"), make_failure(personas["officer_b"].unit, description="乙的问题")
    login(client, personas["staff"])
    page = client.get(reverse("submissions:failure_list"), {"unit": a.name}).content.decode()
    assert "甲的问题" in page and "乙的问题" not in page and f'value="{a.name}"' in page
    login(client, personas["admin"])
    edit = client.get(reverse("accounts:edit", args=[personas["officer_a"].pk])).content.decode()
    assert f'value="{a.name}"' in edit
    assert "没有名为“无此单位”的单位。" in client.get(reverse("audit:list"), {"unit": "无此单位"}).content.decode()


def test_officer_suggestions_are_the_offices_and_name_each_officer_with_their_unit(client, personas):
    daoli, nangang = make_unit(name="道里区"), make_unit(name="南岗区")
    make_person(daoli, name="王信息"), make_person(nangang, name="李信息")
    make_person(daoli, name="赵离岗", is_active=False), make_person(daoli, name="钱领导", role=PersonRole.LEADER_IN_CHARGE)
    url = reverse("units:officer_choices")
    login(client, personas["staff"])
    assert client.get(url, {"q": "道里"}).json() == {"names": ["王信息（道里区）"]}  # by unit: officers in post only
    assert client.get(url, {"q": "李"}).json() == {"names": ["李信息（南岗区）"]}  # by name
    Person.objects.bulk_create(Person(unit=daoli, role=PersonRole.INFORMATION_OFFICER, name=f"员{n:02d}") for n in range(30))
    assert len(client.get(url, {"q": "员"}).json()["names"]) == CHOICES_SHOWN
    assert login(client, personas["officer_a"]).get(url, {"q": ""}).status_code == 403
    client.logout()
    assert client.get(url, {"q": ""}).status_code == 302


def test_a_special_contribution_names_the_officer_as_name_and_unit(client, world):
    officer = make_person(make_unit(name="道里区"), name="王信息")
    url = reverse("awards:contribution", args=[YEAR])
    login(client, world["personas"]["staff"])
    page = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    assert f'data-choices-url="{reverse("units:officer_choices")}"' in page and 'src="/static/js/unit-search.js"' in page
    refused = client.post(url, {"person": "王信息（南岗区）", "note": "连续报送"}).content.decode()
    assert "“王信息（南岗区）”不是在岗信息员" in refused and 'value="王信息（南岗区）"' in refused
    assert client.post(url, {"person": "王信息(道里区)", "note": "连续报送"}).status_code == 302
    assert SpecialContribution.objects.get().person == officer
