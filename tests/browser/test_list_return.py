"""Back to the page of the list one came from, in a real browser: an edit opened from page 2 of a filtered list
ends on that page and filter (core.list_return)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from accounts.models import Role, User
from scoring.models import BasicWorkEntry, RuleSet
from scoring.rules import RULES_2008
from tests.factories import PASSWORD, make_unit, make_user
from units.models import Unit

YEAR = 2025

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _address(page) -> str:
    parts = urlsplit(page.url)
    return f"{parts.path}?{parts.query}"


def test_an_account_edited_from_page_two_of_a_filter_ends_there(page, login):
    unit = make_unit(name="市统计局")
    for i in range(60):
        make_user(Role.OFFICER, unit, username=f"officer{i:03d}")
    make_user(Role.ADMIN, username="office-admin")
    login("office-admin", PASSWORD)
    page.goto("/accounts/?role=officer&q=officer")
    page.get_by_role("link", name="下一页").click()
    listed = _address(page)
    assert listed == "/accounts/?role=officer&q=officer&page=2"
    page.get_by_role("link", name="编辑").first.click()
    page.fill("#id_first_name", "王明")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存账号").wait_for()
    assert _address(page) == listed
    assert User.objects.filter(first_name="王明").count() == 1

    page.get_by_role("button", name="停用").first.click()
    page.get_by_role("link", name="取消").click()
    assert _address(page) == listed
    page.get_by_role("button", name="停用").first.click()
    page.get_by_role("button", name="确认停用").click()
    page.get_by_text("已停用账号").wait_for()
    assert _address(page) == listed


def test_a_unit_edited_from_page_two_of_a_filter_leads_back_there(page, login):
    for i in range(110):
        make_unit(name=f"委办局{i:03d}", sequence="bureau", display_order=i)
    make_user(Role.STAFF, username="office-staff")
    login("office-staff", PASSWORD)
    page.goto("/units/?sequence=bureau&page=2")
    listed = _address(page)
    page.get_by_role("link", name="委办局105").click()
    page.get_by_role("link", name="编辑单位").click()
    page.fill("#id_short_name", "一〇五")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存单位").wait_for()
    page.get_by_role("link", name="返回单位列表").click()
    assert _address(page) == listed
    assert Unit.objects.get(name="委办局105").short_name == "一〇五"


def test_a_basic_entry_saved_from_page_two_of_a_filter_ends_there(page, login):
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    for i in range(110):
        make_unit(name=f"委办局{i:03d}", sequence="bureau", display_order=i)
    make_user(Role.STAFF, username="office-staff")
    login("office-staff", PASSWORD)
    page.goto(f"/scoring/basic/?year={YEAR}&sequence=bureau&state=not_assessed&page=2")
    listed = _address(page)
    page.get_by_role("link", name="录入").first.click()
    items = page.locator("select[data-basic-item]")
    for i in range(items.count()):
        items.nth(i).select_option("5.0")
    page.get_by_role("button", name="保存为确认结果").click()
    page.get_by_role("button", name="确认保存为确认结果").click()
    page.get_by_text("基础工作考核结果。").wait_for()
    assert _address(page) == listed
    assert BasicWorkEntry.objects.confirmed().get(year=YEAR).unit.name == "委办局100"
