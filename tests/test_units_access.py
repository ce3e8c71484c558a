"""Every units view tried by every persona: allowed, 403, login redirect, or 404 for another unit's object."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import OFFICE, PERSONAS, make_person, make_unit
from units.models import Person, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_a():
    return make_unit(name="道里区", sequence="district")


@pytest.fixture
def unit_b():
    return make_unit(name="南岗区", sequence="district")


@pytest.fixture
def world(unit_a, unit_b, personas):
    return {"a": unit_a, "b": unit_b, "person_a": make_person(unit_a, name="张伟"), "users": personas}


def assert_login_redirect(response) -> None:
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_list(world, persona, client_for):
    response = client_for(persona).get(reverse("units:list"))
    if persona == "anonymous":
        assert_login_redirect(response)
    elif persona == "officer_a":
        # An officer has no list of all units: they are sent to their own unit.
        assert response.status_code == 302 and response.url == reverse("units:detail", args=[world["a"].pk])
    elif persona == "officer_b":
        assert response.url == reverse("units:detail", args=[world["b"].pk])
    else:
        assert response.status_code == 200
        assert "道里区" in response.content.decode() and "南岗区" in response.content.decode()
        assert ("新增单位" in response.content.decode()) == (persona in OFFICE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_detail_of_unit_a(world, persona, client_for):
    response = client_for(persona).get(reverse("units:detail", args=[world["a"].pk]))
    expected = {"anonymous": 302, "officer_b": 404}.get(persona, 200)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "道里区" in page and "张伟" in page
        # Only the office sees the buttons that change things.
        assert ("编辑单位" in page) == (persona in OFFICE)
        assert ("添加人员" in page) == (persona in OFFICE)
        # The unit's officer accounts: for the administrator only.
        account_link = reverse("accounts:edit", args=[world["users"]["officer_a"].pk])
        assert (account_link in page) == (persona == "admin")


def _expect_staff_only(world, persona: str, response, office_status: int) -> None:
    """The office gets `office_status` (a page 200, a saved form's redirect 302)."""
    if persona == "anonymous":
        assert_login_redirect(response)
    elif persona in OFFICE:
        assert response.status_code == office_status
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_create_page(world, persona, client_for):
    _expect_staff_only(world, persona, client_for(persona).get(reverse("units:create")), 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_create_post(world, persona, client_for):
    data = {"name": "市数据局", "sequence": "bureau", "is_ranked": "on"}
    response = client_for(persona).post(reverse("units:create"), data)
    _expect_staff_only(world, persona, response, 302)
    assert Unit.objects.filter(name="市数据局").exists() == (persona in OFFICE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_edit(world, persona, client_for):
    client = client_for(persona)
    _expect_staff_only(world, persona, client.get(reverse("units:edit", args=[world["a"].pk])), 200)
    data = {"name": "道里区", "short_name": "道里", "sequence": "district", "is_ranked": "on", "display_order": "3",
            "version": 1}
    _expect_staff_only(world, persona, client.post(reverse("units:edit", args=[world["a"].pk]), data), 302)
    world["a"].refresh_from_db()
    assert (world["a"].short_name == "道里") == (persona in OFFICE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_deactivate_and_reactivate(world, persona, client_for):
    client = client_for(persona)
    unit = world["b"]
    response = client.post(reverse("units:deactivate", args=[unit.pk]), {"confirmed": "1"})
    _expect_staff_only(world, persona, response, 302)
    unit.refresh_from_db()
    assert unit.is_active == (persona not in OFFICE)
    if persona in OFFICE:
        assert response.url == reverse("units:detail", args=[unit.pk])
        client.post(reverse("units:reactivate", args=[unit.pk]))
        unit.refresh_from_db()
        assert unit.is_active


def test_deactivate_needs_post(world, client_for):
    response = client_for("staff").get(reverse("units:deactivate", args=[world["a"].pk]))
    assert response.status_code == 405
    world["a"].refresh_from_db()
    assert world["a"].is_active


def test_unknown_unit_is_404(world, client_for):
    assert client_for("staff").get(reverse("units:detail", args=[999999])).status_code == 404
    assert client_for("staff").get(reverse("units:edit", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_create(world, persona, client_for):
    client = client_for(persona)
    url = reverse("units:person_create", args=[world["a"].pk])
    _expect_staff_only(world, persona, client.get(url), 200)
    response = client.post(url, {"role": "information_officer", "name": "李娜", "post": "信息员", "phone": "0451-84661234",
                                 "is_active": "on"})
    _expect_staff_only(world, persona, response, 302)
    assert Person.objects.filter(unit=world["a"], name="李娜").exists() == (persona in OFFICE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_edit(world, persona, client_for):
    person = world["person_a"]
    client = client_for(persona)
    url = reverse("units:person_edit", args=[person.pk])
    _expect_staff_only(world, persona, client.get(url), 200)
    data = {"role": "leader_in_charge", "name": "张伟", "post": "副区长", "phone": "", "is_active": "on", "version": 1}
    _expect_staff_only(world, persona, client.post(url, data), 302)
    person.refresh_from_db()
    assert (person.post == "副区长") == (persona in OFFICE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_delete(world, persona, client_for):
    person = world["person_a"]
    response = client_for(persona).post(reverse("units:person_delete", args=[person.pk]), {"confirmed": "1"})
    _expect_staff_only(world, persona, response, 302)
    assert Person.objects.filter(pk=person.pk).exists() == (persona not in OFFICE)


def test_officer_detail_page_shows_no_office_actions(world, client_for):
    """The officer's own page: its people, no buttons that only the office may use."""
    page = client_for("officer_a").get(reverse("units:detail", args=[world["a"].pk])).content.decode()
    assert "张伟" in page
    assert "停用单位" not in page and "返回单位列表" not in page


def test_navigation_shows_units_and_accounts_by_role(world, client_for):
    admin_page = client_for("admin").get(reverse("units:list")).content.decode()
    viewer_page = client_for("viewer").get(reverse("units:list")).content.decode()
    assert f'href="{reverse("accounts:list")}"' in admin_page
    assert f'href="{reverse("accounts:list")}"' not in viewer_page
    assert f'href="{reverse("units:list")}"' in viewer_page
