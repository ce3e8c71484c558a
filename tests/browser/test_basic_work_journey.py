"""Basic work in a real browser: every item starts empty, the total runs as items are chosen, and the entry
is saved only after the confirmation page showed the total."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from scoring.models import BasicWorkEntry, RuleSet
from scoring.rules import RULES_2008
from tests.factories import PASSWORD, make_unit, make_user

YEAR = 2025


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_enter_basic_work_from_empty_to_confirmed(page, login):
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    unit = make_unit(name="道里区", sequence="district")
    make_user(Role.STAFF, username="office-staff")
    login("office-staff", PASSWORD)
    page.goto(f"/scoring/basic/{unit.pk}/{YEAR}/")
    items = page.locator("select[data-basic-item]")
    count = len(RULES_2008["basic_items"])
    assert items.count() == count
    assert all(items.nth(i).input_value() == "" for i in range(count))
    total = page.locator("[data-basic-total]")
    assert total.inner_text() == f"0.00分（还有{count}项未选择）"

    values = ["5.0", "4.5", "3.0"] + ["5.0"] * (count - 3)
    items.nth(0).select_option("5.0")
    assert total.inner_text() == f"5.00分（还有{count - 1}项未选择）"
    # Saving with an item left empty is refused on the server.
    page.get_by_role("button", name="保存为确认结果").click()
    page.get_by_text("请选择得分。").first.wait_for()  # the POST's answer has loaded (content() is empty meanwhile)
    assert not BasicWorkEntry.objects.exists()

    items = page.locator("select[data-basic-item]")
    for i, value in enumerate(values):
        items.nth(i).select_option(value)
    expected = sum(Decimal(v) for v in values)
    assert page.locator("[data-basic-total]").inner_text() == f"{expected:.2f}分（已全部选择）"
    page.get_by_role("button", name="保存为确认结果").click()
    confirm_box = page.locator(".confirm-box")
    assert f"合计：{expected:.2f}分（满分{5 * count}分）" in confirm_box.inner_text()
    assert not BasicWorkEntry.objects.exists()
    page.get_by_role("button", name="确认保存为确认结果").click()
    page.get_by_text(f"已确认道里区{YEAR}年度基础工作考核结果。").wait_for()
    assert BasicWorkEntry.objects.confirmed().get(unit=unit, year=YEAR).total == expected
