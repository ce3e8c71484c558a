"""Account management: administrators only; role and unit kept consistent; nobody locks themselves out."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD, PERSONAS, make_unit, make_user

pytestmark = pytest.mark.django_db


NEW_PASSWORD = "Harbin-2024-xinxi"


def _expect_admin_only(persona: str, response, admin_status: int) -> None:
    """The administrator gets `admin_status` (a page 200, a saved form's redirect 302)."""
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif persona == "admin":
        assert response.status_code == admin_status
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_account_pages_by_persona(personas, persona, client_for):
    client = client_for(persona)
    target = personas["viewer"]
    for url in (reverse("accounts:list"), reverse("accounts:create"), reverse("accounts:edit", args=[target.pk]),
                reverse("accounts:password", args=[target.pk])):
        _expect_admin_only(persona, client.get(url), 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_account_by_persona(personas, persona, client_for):
    unit = make_unit(name="道外区", sequence="district")
    response = client_for(persona).post(reverse("accounts:create"), {
        "username": "daowai", "first_name": "陈静", "role": "officer", "unit": unit.pk,
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    _expect_admin_only(persona, response, 302)
    created = User.objects.filter(username="daowai").first()
    assert (created is not None) == (persona == "admin")
    if created:
        assert (created.role, created.unit, created.first_name) == ("officer", unit, "陈静")
        assert created.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("persona", PERSONAS)
def test_deactivate_account_by_persona(personas, persona, client_for):
    target = personas["viewer"] if persona != "viewer" else personas["officer_a"]
    response = client_for(persona).post(reverse("accounts:deactivate", args=[target.pk]), {"confirmed": "1"})
    _expect_admin_only(persona, response, 302)
    target.refresh_from_db()
    assert target.is_active == (persona != "admin")


@pytest.mark.parametrize("persona", PERSONAS)
def test_reset_password_by_persona(personas, persona, client_for):
    target = personas["staff"] if persona != "staff" else personas["viewer"]
    response = client_for(persona).post(
        reverse("accounts:password", args=[target.pk]), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    _expect_admin_only(persona, response, 302)
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD) == (persona == "admin")


def test_officer_needs_a_unit_and_nothing_is_saved(personas, client_for):
    response = client_for("admin").post(reverse("accounts:create"), {
        "username": "xinxiyuan", "first_name": "周杰", "role": "officer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    page = response.content.decode()
    assert "单位信息员必须选择所属单位。" in page
    assert 'value="xinxiyuan"' in page and 'value="周杰"' in page
    assert not User.objects.filter(username="xinxiyuan").exists()


def test_office_roles_have_no_unit(personas, client_for):
    unit = make_unit()
    client_for("admin").post(reverse("accounts:create"), {
        "username": "lingdao", "role": "viewer", "unit": unit.pk, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert User.objects.get(username="lingdao").unit is None


def test_duplicate_username_and_password_mismatch(personas, client_for):
    make_user(username="staff2")
    page = client_for("admin").post(reverse("accounts:create"), {
        "username": "staff2", "role": "staff", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x",
    }).content.decode()
    assert "该用户名已被使用。" in page
    assert "两次输入的密码不一致。" in page
    assert User.objects.filter(username="staff2").count() == 1


def test_edit_account_moves_an_officer_to_staff(personas, client_for):
    officer = personas["officer_a"]
    response = client_for("admin").post(reverse("accounts:edit", args=[officer.pk]), {
        "username": officer.username, "first_name": "吴磊", "email": "", "role": "staff", "unit": officer.unit_id,
        "version": 1,
    })
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.role, officer.unit, officer.first_name) == ("staff", None, "吴磊")


def test_admin_cannot_demote_or_deactivate_themselves(personas, client_for):
    admin = personas["admin"]
    client = client_for("admin")
    page = client.post(reverse("accounts:edit", args=[admin.pk]), {"username": admin.username, "role": "viewer"}).content.decode()
    assert "不能取消自己的管理员角色。" in page
    response = client.post(reverse("accounts:deactivate", args=[admin.pk]), {"confirmed": "1"}, follow=True)
    assert "不能停用自己的账号。" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active


def test_deactivated_account_cannot_log_in_until_reactivated(personas, client_for):
    target = personas["staff"]
    admin = client_for("admin")
    admin.post(reverse("accounts:deactivate", args=[target.pk]), {"confirmed": "1"})
    response = Client().post(reverse("login"), {"username": target.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    admin.post(reverse("accounts:reactivate", args=[target.pk]))
    assert Client().post(reverse("login"), {"username": target.username, "password": PASSWORD}).status_code == 302


def test_weak_password_refused(personas, client_for):
    target = personas["viewer"]
    page = client_for("admin").post(
        reverse("accounts:password", args=[target.pk]), {"new_password1": "12345678", "new_password2": "12345678"},
    ).content.decode()
    assert "该密码过于常见，容易被猜中。" in page
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


@pytest.mark.parametrize("officers", [3, 120])
def test_account_list_query_count_is_fixed(personas, django_assert_num_queries, client_for, officers):
    units = [make_unit() for _ in range(30)]
    for i in range(officers):
        make_user(Role.OFFICER, units[i % 30])
    client = client_for("admin")
    # Session, user, the accounts counted, a page of them with their units.
    with django_assert_num_queries(4):
        page = client.get(reverse("accounts:list")).content.decode()
    assert page.count("重设密码") == min(officers + 5, 50)
    with django_assert_num_queries(4):
        page = client.get(reverse("accounts:list") + "?role=staff&page=2").content.decode()
    assert page.count("重设密码") == 1  # one page only: a page past it shows the last


def test_account_list_pages_and_finds_by_name_or_unit(personas, client_for):
    unit = make_unit(name="市统计局")
    for i in range(60):
        make_user(Role.OFFICER, unit if i == 0 else make_unit(), username=f"officer{i:03d}", first_name=f"信息员{i:03d}")
    client = client_for("admin")
    first, second = (client.get(reverse("accounts:list"), {"role": "officer", "page": n}) for n in (1, 2))
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 12  # + the personas' two officers
    assert "第 2 / 2 页，共 62 条" in second.content.decode()
    assert {a.username for a in first.context["page"]}.isdisjoint(a.username for a in second.context["page"])
    # Page links keep the filter.
    assert 'href="?role=officer&page=2"' in first.content.decode()
    for query, found in [("统计", ["officer000"]), ("officer05", [f"officer{i:03d}" for i in range(50, 60)]),
                         ("信息员057", ["officer057"]), ("没有这个人", [])]:
        page = client.get(reverse("accounts:list"), {"q": query}).context["page"]
        assert sorted(a.username for a in page) == found


@pytest.mark.parametrize("page", ["0", "-1", "abc", "²", "99999999999999999999", "1.5", "\x00"])
def test_account_list_bad_page_falls_back(personas, client_for, page):
    response = client_for("admin").get(reverse("accounts:list"), {"page": page})
    assert response.status_code == 200 and response.context["page"].number == 1


@pytest.mark.parametrize(("query", "error"), [({"q": "x" * 101}, "100"), ({"q": "a\x00b"}, "空字符"),
                                              ({"role": "root"}, "不在可选范围内")])
def test_account_list_bad_filter_is_shown_and_ignored(personas, client_for, query, error):
    response = client_for("admin").get(reverse("accounts:list"), query)
    assert response.status_code == 200 and error in response.content.decode()
    assert len(response.context["page"]) == 5  # every account: the personas
