"""Back to the page of the list one came from (core.list_return): the accounts, units and basic-work lists' rows
carry the list's address as `next`; a save, a confirmation or a 取消 goes back there, and a `next` that is not an
address of that same list is ignored."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Role, User
from core.list_return import MOST_CHARACTERS, list_return
from scoring.models import BasicWorkEntry
from tests.factories import PASSWORD, login, make_person, make_unit, make_user
from units.models import Person, Unit

pytestmark = pytest.mark.django_db
YEAR = 2024
ACCOUNTS, UNITS, BASIC = "/accounts/", "/units/", "/scoring/basic/"

# Addresses that are not a page of the accounts list, each refused: another host in every spelling browsers read as
# one, a script, another page, a path that only starts like the list's, a line break, a NUL, non-ASCII, too long.
HOSTILE = [
    "https://evil.example/accounts/", "//evil.example/accounts/", "///evil.example/accounts/", "/\\evil.example/accounts/",
    "\\\\evil.example/accounts/", "http:/accounts/", "javascript:alert(1)", "JaVaScRiPt:alert(1)//%0a/accounts/",
    "data:text/html,<script>alert(1)</script>", "/units/", "/accounts/1/edit/", "/accounts", "/accounts/../units/",
    "/accounts//", "accounts/", "/accounts/?page=2\r\nSet-Cookie: a=1", "/accounts/?q=\x00", "\x00/accounts/",
    "/accounts/?q=市", "/accounts/ ", " /accounts/", "/accounts/#top", "/accounts/?q=" + "x" * MOST_CHARACTERS, "",
]


def _request(next_url: str, method: str = "get"):
    return getattr(RequestFactory(), method)("/accounts/1/edit/", {"next": next_url})


@pytest.mark.parametrize("address", [ACCOUNTS, "/accounts/?role=officer&page=2", "/accounts/?q=%E5%B8%82&page=3&role="])
def test_an_address_of_the_list_is_followed(address):
    for method in ("get", "post"):
        back = list_return(_request(address, method), ACCOUNTS)
        assert (back.url, back.carried) == (address, True)
        assert back.query == "?" + urlencode({"next": address})


@pytest.mark.parametrize("address", HOSTILE)
def test_any_other_address_falls_back_to_the_plain_list(address):
    for method in ("get", "post"):
        back = list_return(_request(address, method), ACCOUNTS)
        assert (back.url, back.carried, back.query, back.param) == (ACCOUNTS, False, "", "")


def test_the_plain_list_may_have_a_query_and_the_forms_field_comes_first():
    request = RequestFactory().post("/scoring/basic/1/2024/?next=/scoring/basic/%3Fpage%3D3",
                                    {"next": "/scoring/basic/?year=2024&page=2"})
    assert list_return(request, "/scoring/basic/?year=2024").url == "/scoring/basic/?year=2024&page=2"
    assert list_return(RequestFactory().get("/"), "/scoring/basic/?year=2024").url == "/scoring/basic/?year=2024"


def _hrefs(response, prefix: str) -> list[str]:
    hrefs = (html.unescape(h) for h in re.findall(r'href="([^"]*)"', response.content.decode()))
    return [h for h in hrefs if h.startswith(prefix)]


def _hidden_next(response) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'<input type="hidden" name="next" value="([^"]*)">', response.content.decode())]


def _with_next(url: str, address: str) -> str:
    return f"{url}?{urlencode({'next': address})}"


def _version(client, url: str) -> int:
    return int(client.get(url).context["form"]["version"].value())


# Accounts: 50 a page.

@pytest.fixture
def officers():
    unit = make_unit()
    return [make_user(Role.OFFICER, unit, username=f"officer{i:03d}") for i in range(60)]


def _account_post(account: User, **changes) -> dict:
    return {"username": account.username, "first_name": "改过", "email": "", "role": account.role,
            "unit": account.unit_id or "", **changes}


def test_an_account_saved_from_page_two_of_a_filter_goes_back_there(client_for, officers):
    admin, address = client_for("admin"), "/accounts/?role=officer&q=officer&page=2"
    page = admin.get(address)
    account = page.context["page"][0]
    edit, password = reverse("accounts:edit", args=[account.pk]), reverse("accounts:password", args=[account.pk])
    assert _with_next(edit, address) in _hrefs(page, edit) and _with_next(password, address) in _hrefs(page, password)
    assert set(_hidden_next(page)) == {address}  # the row's 停用 forms

    form = admin.get(_with_next(edit, address))
    assert _hidden_next(form) == [address] and address in _hrefs(form, ACCOUNTS)  # 取消
    response = admin.post(_with_next(edit, address), _account_post(account, version=form.context["form"]["version"].value()))
    assert response.status_code == 302 and response.url == address
    response = admin.post(password, {"new_password1": "Harbin-2024-new", "new_password2": "Harbin-2024-new", "next": address})
    assert response.status_code == 302 and response.url == address


def test_an_account_deactivated_from_the_list_keeps_its_page_through_the_confirmation(client_for, officers):
    admin, address, account = client_for("admin"), "/accounts/?role=officer&page=2", officers[-1]
    asked = admin.post(reverse("accounts:deactivate", args=[account.pk]), {"next": address})
    assert asked.status_code == 200 and _hidden_next(asked) == [address] and address in _hrefs(asked, ACCOUNTS)
    response = admin.post(reverse("accounts:deactivate", args=[account.pk]), {"next": address, "confirmed": "1"})
    assert response.status_code == 302 and response.url == address
    response = admin.post(reverse("accounts:reactivate", args=[account.pk]), {"next": address})
    assert response.status_code == 302 and response.url == address
    account.refresh_from_db()
    assert account.is_active


@pytest.mark.parametrize("address", HOSTILE)
def test_a_hostile_next_on_an_account_falls_back_to_the_plain_list(client_for, officers, address):
    admin, account = client_for("admin"), officers[0]
    edit = reverse("accounts:edit", args=[account.pk])
    form = admin.get(edit, {"next": address})
    assert form.status_code == 200 and _hidden_next(form) == [] and ACCOUNTS in _hrefs(form, ACCOUNTS)
    response = admin.post(edit, _account_post(account, version=account.version, next=address))
    assert response.status_code == 302 and response.url == ACCOUNTS
    response = admin.post(reverse("accounts:deactivate", args=[account.pk]), {"next": address, "confirmed": "1"})
    assert response.status_code == 302 and response.url == ACCOUNTS


def test_a_stale_account_save_keeps_next_and_the_second_save_goes_back(client_for, officers):
    admin, address, account = client_for("admin"), "/accounts/?page=2", officers[0]
    url = _with_next(reverse("accounts:edit", args=[account.pk]), address)
    opened = _version(admin, url)
    assert client_for("admin").post(url, _account_post(account, first_name="乙", version=opened)).status_code == 302
    refused = admin.post(reverse("accounts:edit", args=[account.pk]), _account_post(account, version=opened, next=address))
    assert refused.status_code == 200 and "已被他人修改" in refused.content.decode()
    assert _hidden_next(refused) == [address] and address in _hrefs(refused, ACCOUNTS)
    again = refused.context["form"]["version"].value()
    response = admin.post(reverse("accounts:edit", args=[account.pk]), _account_post(account, version=again, next=address))
    assert response.status_code == 302 and response.url == address


def test_an_account_form_with_errors_keeps_next(client_for, officers):
    admin, address, account = client_for("admin"), "/accounts/?role=officer&page=2", officers[0]
    response = admin.post(reverse("accounts:password", args=[account.pk]),
                          {"new_password1": "a", "new_password2": "b", "next": address})
    assert response.status_code == 200 and _hidden_next(response) == [address]
    account.refresh_from_db()
    assert account.check_password(PASSWORD)


# Units: 100 a page; a unit's pages carry the list's address on, back to the unit's page.

@pytest.fixture
def bureaus():
    return [make_unit(name=f"委办局{i:03d}", sequence="bureau", display_order=i) for i in range(120)]


def _unit_post(unit: Unit, **changes) -> dict:
    return {"name": unit.name, "short_name": "简称", "sequence": unit.sequence, "is_ranked": "on", "version": unit.version,
            **changes}


def test_a_unit_opened_from_page_two_of_a_filter_leads_back_there(client_for, bureaus):
    staff, address = client_for("staff"), "/units/?q=%E5%A7%94%E5%8A%9E%E5%B1%80&sequence=bureau&active=&page=2"
    unit = bureaus[110]
    detail = reverse("units:detail", args=[unit.pk])
    assert _with_next(detail, address) in _hrefs(staff.get(address), detail)

    page = staff.get(_with_next(detail, address))
    assert address in _hrefs(page, UNITS)  # 返回单位列表
    carried = "?" + urlencode({"next": address})
    for url in (reverse("units:edit", args=[unit.pk]), reverse("units:person_create", args=[unit.pk])):
        assert url + carried in _hrefs(page, url)
    assert _hidden_next(page) == [address]  # 停用单位
    # The year links of the unit's charts keep it too.
    assert _hrefs(page, "?year=") and all(h.endswith(carried[1:]) for h in _hrefs(page, "?year="))

    form = staff.get(reverse("units:edit", args=[unit.pk]) + carried)
    assert _hidden_next(form) == [address] and detail + carried in _hrefs(form, detail)
    response = staff.post(reverse("units:edit", args=[unit.pk]), _unit_post(unit, next=address))
    assert response.status_code == 302 and response.url == detail + carried
    assert address in _hrefs(staff.get(response.url), UNITS)


def test_a_units_people_and_deactivation_keep_the_list_address(client_for, bureaus):
    staff, address, unit = client_for("staff"), "/units/?page=2", bureaus[105]
    detail = reverse("units:detail", args=[unit.pk]) + "?" + urlencode({"next": address})
    response = staff.post(reverse("units:person_create", args=[unit.pk]),
                          {"role": "information_officer", "name": "王明", "post": "", "phone": "", "is_active": "on",
                           "next": address})
    assert response.status_code == 302 and response.url == detail
    person = Person.objects.get(unit=unit, name="王明")
    form = staff.get(reverse("units:person_edit", args=[person.pk]), {"next": address})
    assert _hidden_next(form) == [address] and detail in _hrefs(form, "/units/")
    asked = staff.post(reverse("units:person_delete", args=[person.pk]), {"next": address})
    assert _hidden_next(asked) == [address] and detail in _hrefs(asked, "/units/")
    assert staff.post(reverse("units:person_delete", args=[person.pk]), {"next": address, "confirmed": "1"}).url == detail

    asked = staff.post(reverse("units:deactivate", args=[unit.pk]), {"next": address})
    assert _hidden_next(asked) == [address] and detail in _hrefs(asked, "/units/")
    assert staff.post(reverse("units:deactivate", args=[unit.pk]), {"next": address, "confirmed": "1"}).url == detail
    assert staff.post(reverse("units:reactivate", args=[unit.pk]), {"next": address}).url == detail


def test_a_unit_form_with_errors_keeps_next(client_for, bureaus):
    staff, address, unit = client_for("staff"), "/units/?sequence=bureau&page=2", bureaus[0]
    response = staff.post(reverse("units:edit", args=[unit.pk]), _unit_post(unit, name="", next=address))
    assert response.status_code == 200 and "请填写单位名称。" in response.content.decode()
    assert _hidden_next(response) == [address]
    person = make_person(unit)
    stale = staff.post(reverse("units:person_edit", args=[person.pk]),
                       {"role": person.role, "name": person.name, "is_active": "on", "version": person.version + 1,
                        "next": address})
    assert stale.status_code == 200 and _hidden_next(stale) == [address]


@pytest.mark.parametrize("address", ["//evil.example/units/", "javascript:alert(1)", ACCOUNTS, "/units/1/", "/units/?q=\x00",
                                     "/units/?" + "q=x&" * 1000])
def test_a_hostile_next_on_a_unit_falls_back_to_its_plain_page(client_for, bureaus, address):
    staff, unit = client_for("staff"), bureaus[0]
    page = staff.get(reverse("units:detail", args=[unit.pk]), {"next": address})
    assert page.status_code == 200 and _hidden_next(page) == [] and UNITS in _hrefs(page, UNITS)
    response = staff.post(reverse("units:edit", args=[unit.pk]), _unit_post(unit, next=address))
    assert response.status_code == 302 and response.url == reverse("units:detail", args=[unit.pk])


# Basic work: 100 units a page; a saved entry goes back to the list's page.

def _entry(next_url: str | None = None, version: int = 0, **extra) -> dict:
    data = {**{f"item{i}": "4.5" for i in range(1, 9)}, "method": "spot_check", "note": "", "version": version, **extra}
    return {**data, "next": next_url} if next_url is not None else data


def test_a_basic_entry_saved_from_page_two_of_a_filter_goes_back_there(client_for, bureaus):
    staff, address = client_for("staff"), f"/scoring/basic/?year={YEAR}&q=%E5%A7%94%E5%8A%9E%E5%B1%80&state=not_assessed&page=2"
    page = staff.get(address)
    unit = page.context["rows"][0].unit
    url = reverse("scoring:basic_unit", args=[unit.pk, YEAR])
    assert _with_next(url, address) in _hrefs(page, url)

    form = staff.get(_with_next(url, address))
    assert _hidden_next(form) == [address] and address in _hrefs(form, BASIC)  # 返回
    asked = staff.post(url, _entry(address))
    assert asked.status_code == 200 and ("next", address) in asked.context["hidden"] and _hidden_next(asked) == [address]
    revised = staff.post(url, _entry(address, revise="1"))
    assert revised.status_code == 200 and _hidden_next(revised) == [address] and "form" in revised.context
    response = staff.post(url, _entry(address, confirmed="1"))
    assert response.status_code == 302 and response.url == address
    assert BasicWorkEntry.objects.filter(unit=unit, year=YEAR).exists()


@pytest.mark.parametrize("address", [None, "https://evil.example/scoring/basic/", "/scoring/basic/1/2024/", "/units/",
                                     "/scoring/basic/?year=2024\x00", "/scoring/basic/?q=" + "%E5" * 1000])
def test_a_basic_entry_without_a_list_address_shows_the_entry_as_saved(client_for, bureaus, address):
    staff, unit = client_for("staff"), bureaus[0]
    url = reverse("scoring:basic_unit", args=[unit.pk, YEAR])
    form = staff.get(url, {"next": address} if address else {})
    assert _hidden_next(form) == [] and f"{BASIC}?year={YEAR}" in _hrefs(form, BASIC)
    response = staff.post(url, _entry(address, confirmed="1"))
    assert response.status_code == 302 and response.url == url


def test_a_stale_basic_entry_keeps_next(client_for, bureaus):
    staff, address, unit = client_for("staff"), f"/scoring/basic/?year={YEAR}&page=2", bureaus[0]
    url = reverse("scoring:basic_unit", args=[unit.pk, YEAR])
    assert client_for("admin").post(url, _entry(confirmed="1")).status_code == 302
    refused = staff.post(url, _entry(address, confirmed="1"))  # opened (version 0) before the administrator's entry
    assert refused.status_code == 200 and "已被他人修改" in refused.content.decode()
    assert _hidden_next(refused) == [address] and address in _hrefs(refused, BASIC)


def test_an_officers_self_check_from_the_list_goes_back_to_it(personas, client, unit_a):
    officer, address = login(client, personas["officer_a"]), f"/scoring/basic/?year={YEAR}"
    url = reverse("scoring:basic_unit", args=[unit_a.pk, YEAR])
    assert _with_next(url, address) in _hrefs(officer.get(address), url)
    data = {**_entry(address, confirmed="1")}
    del data["method"]
    response = officer.post(url, data)
    assert response.status_code == 302 and response.url == address
