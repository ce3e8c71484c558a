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
    search = page.locator("#id_joint_units-search")
    search.fill("南岗")  # suggestions come from the server as one types: no option per unit in the page
    page.wait_for_selector('#id_joint_units-choices option[value="南岗区"]', state="attached")
    # Picking a suggestion: the browser puts the whole name in the box at once (not as typing).
    search.evaluate('(box) => { box.value = "南岗区"; box.dispatchEvent(new Event("input")); }')
    assert page.input_value("#id_joint_units") == "南岗区" and search.input_value() == ""
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_joint_units_are_added_by_name_with_or_without_a_script(browser, live_server, page, login):
    daoli = make_unit(name="道里区", sequence="district")
    make_unit(name="南岗区", sequence="district"), make_unit(name="香坊区", sequence="district")
    make_user(Role.OFFICER, unit=daoli, username="daoli")

    login("daoli", PASSWORD)
    page.goto("/items/new/")
    page.fill("#id_title", "三区联合开展冬季供热检查")
    page.select_option("#id_info_type", "general")
    search = page.locator("#id_joint_units-search")
    search.fill("南岗区")
    search.press("Enter")  # adds the name; does not submit the form
    search.fill("香坊区")
    page.get_by_role("button", name="加入").click()
    search.fill("南岗区")
    search.press("Enter")  # a name already there is not added twice
    assert page.input_value("#id_joint_units") == "南岗区\n香坊区" and not Submission.objects.exists()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert sorted(JointUnit.objects.values_list("unit__name", flat=True)) == ["南岗区", "香坊区"]

    # Without a script the search box stays hidden and the names are typed into the box, one a line or with 、.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    plain = context.new_page()
    plain.goto("/login/")
    plain.fill("#id_username", "daoli")
    plain.fill("#id_password", PASSWORD)
    plain.click("button[type=submit]")
    plain.goto("/items/new/")
    assert not plain.locator("#id_joint_units-search").is_visible()
    plain.fill("#id_title", "两区联合开展防汛检查")
    plain.select_option("#id_info_type", "general")
    plain.fill("#id_joint_units", "香坊区、平房区")
    plain.get_by_role("button", name="提交").click()
    assert "没有名为“平房区”的单位。" in plain.content() and plain.input_value("#id_joint_units") == "香坊区、平房区"
    plain.fill("#id_joint_units", "香坊区")
    plain.get_by_role("button", name="提交").click()
    assert Submission.objects.get(title="两区联合开展防汛检查").joint_units.get().unit.name == "香坊区"
    context.close()
