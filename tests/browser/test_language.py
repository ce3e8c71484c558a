"""A browser set to English (or Japanese) sees only Simplified Chinese: pages, Django's own messages, empty
choices."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from tests.factories import PASSWORD, make_unit, make_user

LATIN_SENTENCE = re.compile(r"[A-Za-z]{4,} [A-Za-z]{3,} [A-Za-z]{3,}")  # "This field is", "Please enter a"


@pytest.fixture(params=["en-US", "ja-JP"])
def foreign_page(request, browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale=request.param)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_foreign_language_browser_sees_only_chinese(foreign_page):
    page = foreign_page
    assert page.evaluate("navigator.language") in ("en-US", "ja-JP")
    make_user(Role.STAFF, username="office-staff")
    unit = make_unit(name="道里区", sequence="district")
    page.goto("/login/")
    page.fill("#id_username", "office-staff")
    page.fill("#id_password", "wrong-password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    body = page.locator("body").inner_text()
    assert "用户名或密码不正确，请重新输入（区分大小写）。" in body
    assert not LATIN_SENTENCE.search(body), body

    page.fill("#id_username", "office-staff")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"/units/{unit.pk}/people/new/")
    assert page.locator("select#id_role option").first.inner_text() == "请选择"
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    body = page.locator("main").inner_text()
    assert "请填写姓名。" in body and "---------" not in body
    assert not LATIN_SENTENCE.search(body), body
