"""A phone 390 px wide: the ranking, the bulletin (preview and published) and the items list are read without
sideways scrolling — the total of the first rows is on the screen, unit names are not broken one character a line —
an officer finds their own unit above the tables, and printing still gives every column."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from accounts.models import Role
from bulletins.publishing import publish_bulletin
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_adoption, make_scored_unit, make_submission, make_user, shanghai
from units.models import Sequence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2024
WIDTH = 390
SHOTS = Path(os.environ["PHONE_SCREENSHOTS"]) if os.environ.get("PHONE_SCREENSHOTS") else None  # to look at them
NAMES = ("哈尔滨市松北区人民政府", "道里区", "哈尔滨市人民政府驻北京联络处", "双城区", "呼兰区", "阿城区")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": WIDTH, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)

    def login(username: str):
        sign_in(page, username, PASSWORD)
        return page

    yield login
    context.close()


@pytest.fixture
def year_of_units():
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    units = [make_scored_unit(Sequence.DISTRICT, 6 - n, name=name) for n, name in enumerate(NAMES)]
    for n, unit in enumerate(units):
        title = f"{unit.name}关于冰雪经济发展情况的报告（第{n}期）"
        item = make_submission(unit, title=title, submitted_at=shanghai(YEAR, 3, 2 + n))
        make_adoption(item, adopted_on=dt.date(YEAR, 3, 20))
    return units


def assert_readable(page, url: str, cells: str, rows: int = 3) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{url} scrolls sideways"
    boxes = [page.locator(cells).nth(n).bounding_box() for n in range(rows)]
    assert all(box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH for box in boxes), (url, boxes)


def assert_names_not_broken(page, selector: str) -> None:
    # A name broken one character a line would be as narrow as one character (about 1 em).
    widths = page.locator(selector).evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize))")
    assert widths and min(widths) >= 4, widths


def test_the_ranking_fits_a_phone(phone, year_of_units):
    make_user(Role.VIEWER, username="leader")
    page = phone("leader")
    assert_readable(page, f"/scoring/?year={YEAR}&through=12", "td.total")
    assert_names_not_broken(page, "td.unit-name")
    page.screenshot(path=str(SHOTS / "ranking.png")) if SHOTS else None
    # The breakdown is one tap away, and then scrolls inside its table, not the page.
    page.locator("[data-all-columns]").first.click()
    assert page.locator("section.all-columns td.phone-hide").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_published_bulletin_fits_a_phone_and_puts_the_officers_unit_first(phone, year_of_units):
    publish_bulletin(dt.date(YEAR, 3, 1))
    own = year_of_units[2]
    make_user(Role.OFFICER, own, username="officer")
    page = phone("officer")
    assert_readable(page, f"/bulletins/{YEAR}-03/", ".notice-table td.total")
    assert_names_not_broken(page, ".notice-table td.unit-name")
    page.screenshot(path=str(SHOTS / "bulletin.png")) if SHOTS else None
    place = page.locator("#own-place")
    assert own.name in place.inner_text() and "1–3月累计" in place.inner_text()
    first_table = page.locator(".notice-table").first.bounding_box()
    assert place.bounding_box()["y"] < first_table["y"]
    place.get_by_role("link", name="查看本单位所在行").click()
    assert page.locator("#own-unit").get_attribute("class") == "own-unit"
    # Paper gets every column: the narrow-screen rules are for the screen only.
    page.emulate_media(media="print")
    hidden = page.locator(".notice-table td.phone-hide").evaluate_all(
        "cells => cells.filter(c => getComputedStyle(c).display === 'none').length")
    assert hidden == 0


def test_the_bulletin_preview_fits_a_phone(phone, year_of_units):
    make_user(Role.STAFF, username="office-staff")
    page = phone("office-staff")
    assert_readable(page, f"/bulletins/{YEAR}-03/preview/", ".notice-table td.total")


def test_the_items_list_becomes_cards_on_a_phone(phone, year_of_units):
    make_user(Role.STAFF, username="office-staff")
    page = phone("office-staff")
    assert_readable(page, "/items/", "td.card-title-cell")
    labels = page.locator("table.phone-cards tbody tr").first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert '"报送单位："' in labels and '"报送时间："' in labels
    page.screenshot(path=str(SHOTS / "items.png"), full_page=False) if SHOTS else None


def test_the_unread_count_shows_on_a_phone_without_opening_the_menu(phone):
    officer = make_user(Role.OFFICER, username="phone_officer")
    officer.unread_notices = 3
    officer.save(update_fields=["unread_notices"])
    page = phone("phone_officer")
    page.goto("/")
    bell = page.locator("#bell")
    assert bell.is_visible() and "3" in bell.inner_text()
    assert not page.locator("#mainnav").is_visible()  # the menu itself stays folded
    box = bell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
