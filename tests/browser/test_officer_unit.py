"""An information officer in a real browser: their own unit's page, and no other unit's."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import PASSWORD, make_person, make_unit, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sees_own_unit_and_is_refused_another(page, login):
    daoli = make_unit(name="道里区", sequence="district")
    nangang = make_unit(name="南岗区", sequence="district")
    make_person(daoli, role="information_officer", name="曹雪", post="信息科科长", phone="13744633590")
    make_person(nangang, role="information_officer", name="石荣")
    officer = make_user(Role.OFFICER, daoli, username="daoli")

    login(officer.username, PASSWORD)
    # The navigation's 单位 entry leads an officer to their own unit.
    page.get_by_role("link", name="单位", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/units/{daoli.pk}/")
    assert page.locator("h1").inner_text().strip() == "道里区"
    assert page.get_by_text("曹雪").is_visible()
    assert page.get_by_text("编辑单位").count() == 0

    response = page.goto(f"/units/{nangang.pk}/")
    assert response.status == 404
    assert page.get_by_text("石荣").count() == 0
