"""An officer names another unit as a joint unit of an item; that unit's officer finds it on the start page
and confirms it; the item then shows both units without 待确认 — in a real browser."""

from __future__ import annotations

import pytest

from accounts.models import Role
from submissions.models import JointUnit, Submission
from tests.factories import PASSWORD, make_unit, make_user


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_named_unit_confirms_a_joint_item(page, login):
    daoli, nangang = make_unit(name="道里区", sequence="district"), make_unit(name="南岗区", sequence="district")
    make_user(Role.OFFICER, unit=daoli, username="daoli")
    make_user(Role.OFFICER, unit=nangang, username="nangang")

    login("daoli", PASSWORD)
    page.goto("/items/new/")
    page.fill("#id_title", "两区联合开展冬季供热检查")
    page.select_option("#id_info_type", "general")
    page.select_option("#id_joint_units", str(nangang.pk))
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    item = Submission.objects.get()
    assert "待确认" in page.locator("#joint-units").inner_text()
    assert page.get_by_role("button", name="确认").count() == 0  # not daoli's to confirm
    logout(page)

    login("nangang", PASSWORD)
    assert "有 1 条信息将本单位列为联合报送单位" in page.locator("#joint-to-confirm").inner_text()
    page.get_by_role("link", name="去确认").click()
    page.wait_for_load_state("networkidle")
    assert "两区联合开展冬季供热检查" in page.locator("#pending-joints").inner_text()
    page.get_by_role("button", name="确认").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/items/{item.pk}/")
    assert "已确认南岗区为联合报送单位" in page.content()
    assert "待确认" not in page.locator("#joint-units").inner_text()
    assert JointUnit.objects.get().confirmed and Submission.objects.get().unit_count == 2
