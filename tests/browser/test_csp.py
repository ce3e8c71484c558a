"""In a real browser under the Content-Security-Policy: nothing is blocked, and the behaviour moved out of the
templates into static scripts still works (a deletion asks first; the adoption types follow the level)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from bulletins.publishing import publish_bulletin
from submissions.models import Adoption
from tests.factories import PASSWORD, make_adoption, make_submission, make_unit, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_violation_and_the_confirmation_still_asks(page, login):
    unit = make_unit(name="道里区", sequence="district")
    item = make_submission(unit, title="冰雪旅游")
    adoption = make_adoption(item)
    make_user(Role.STAFF, username="office-staff")
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)

    login("office-staff", PASSWORD)
    page.goto(f"/items/{item.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof bootstrap") == "object"  # the vendored script ran

    # Deleting asks on the server's confirmation page first (core.confirm); cancelling sends nothing.
    page.locator("form button", has_text="删除").first.click()
    page.wait_for_load_state("networkidle")
    assert "删除后相关单位的得分随之重新计算" in page.locator(".confirm-box").inner_text()
    page.get_by_role("link", name="取消").click()
    page.wait_for_load_state("networkidle")
    assert Adoption.objects.filter(pk=adoption.pk).exists()

    page.locator("form button", has_text="删除").first.click()
    page.get_by_role("button", name="确认删除").click()
    page.wait_for_load_state("networkidle")
    assert not Adoption.objects.filter(pk=adoption.pk).exists()

    # The adoption form offers only the types the chosen level allows (static/js/adoption-types.js).
    level = page.locator("[data-adoption-level]")
    hidden = page.locator("[data-adoption-type] option[hidden]")
    options = [o for o in level.locator("option").evaluate_all("els => els.map(e => e.value)") if o]
    counts = set()
    for value in options:
        level.select_option(value)
        counts.add(hidden.count())
    assert len(counts) > 1

    # Pages with charts, tables and forms of every kind.
    publish_bulletin(item.submitted_at.date().replace(day=1))
    month = f"{item.submitted_at:%Y-%m}"
    for url in ("/", "/scoring/", "/bulletins/", f"/bulletins/{month}/", f"/units/{unit.pk}/", "/items/requests/new/",
                "/password/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert violations == []
