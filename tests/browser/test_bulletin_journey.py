"""The monthly bulletin in a real browser: staff preview and publish a month; an officer reads it, own row marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from bulletins.models import BulletinVersion
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from tests.factories import PASSWORD, make_adoption, make_submission, make_unit, make_user, shanghai


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_publish_and_the_officer_sees_the_bulletin_with_the_own_row(page, login):
    # The live server's database is flushed between tests, data migrations included.
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    # Last month: a finished month, as the office publishes it.
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    label = f"{month.year}年{month.month}月"
    daoli = make_unit(name="道里区", sequence="district", display_order=1)
    make_unit(name="南岗区", sequence="district", display_order=2)
    item = make_submission(daoli, title="道里区冰雪旅游持续升温", submitted_at=shanghai(month.year, month.month, 3))
    make_adoption(item, adopted_on=month + dt.timedelta(days=5), carrier="每日要情", issue_no="第8期")
    make_user(Role.STAFF, username="office-staff")
    make_user(Role.OFFICER, unit=daoli, username="daoli-officer")

    login("office-staff", PASSWORD)
    page.goto(f"/bulletins/?year={month.year}")
    row = page.locator("section.office-months tr", has_text=label)
    row.get_by_role("link", name="预览").click()
    page.get_by_text("预览：按当前数据生成，尚未发布").first.wait_for()
    # Each sequence's catalogue of adopted items folds open.
    assert "道里区冰雪旅游持续升温" not in page.locator("article.notice").inner_text()
    page.locator("details.notice-catalogue summary").first.click()
    assert "道里区冰雪旅游持续升温" in page.locator("article.notice").inner_text()
    page.get_by_role("button", name="发布", exact=True).click()
    # Publishing asks first, saying what will happen; nothing is published before the confirmation.
    confirm_box = page.locator(".confirm-box")
    assert f"文号哈政办信通〔{month.year}〕{month.month}号" in confirm_box.inner_text()
    assert "本月尚未结束" not in confirm_box.inner_text()
    assert not BulletinVersion.objects.exists()
    page.get_by_role("button", name="确认发布").click()
    page.wait_for_url(f"**/bulletins/{month:%Y-%m}/")
    assert f"已发布{label}通报第1版" in page.content()
    assert BulletinVersion.objects.filter(month=month, version=1).exists()
    # Published, a catalogue comes empty and loads its rows when opened.
    assert "道里区冰雪旅游持续升温" not in page.locator("article.notice").inner_text()
    page.locator("details.notice-catalogue summary").first.click()
    page.locator("details.notice-catalogue tr", has_text="道里区冰雪旅游持续升温").wait_for()
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")

    login("daoli-officer", PASSWORD)
    # The start page: the unit's place in the latest bulletin and its chart.
    panel = page.locator(".bulletin-panel")
    assert "本单位在区政府序列中排名第1名" in panel.inner_text()
    assert panel.locator("svg").count() == 3
    panel.get_by_role("link", name=f"{label}").click()
    page.wait_for_url(f"**/bulletins/{month:%Y-%m}/")
    title = f"关于{month.year}年{month.month}月份全市政府系统政务信息采用情况的通报"
    assert page.locator("h1.notice-title").inner_text() == title
    own = page.locator("tr.own-unit")
    assert own.count() == 1  # the sequence table; the catalogues come folded and empty
    assert "道里区" in own.first.inner_text() and "南岗区" not in own.first.inner_text()
    cell_colour = "row => getComputedStyle(row.cells[1]).backgroundColor"
    assert own.first.evaluate(cell_colour) == "rgb(255, 243, 205)"
    assert page.locator("tr", has_text="南岗区").first.evaluate(cell_colour) != "rgb(255, 243, 205)"
    # The unit's own items: the link above the tables opens its sequence's catalogue, whose rows load (own marked).
    catalogue = page.locator("details#catalogue-district")
    assert "道里区冰雪旅游持续升温" not in page.content() and not catalogue.evaluate("details => details.open")
    page.get_by_role("link", name="查看本单位被采用信息").click()
    catalogue.locator("tr.own-unit", has_text="道里区冰雪旅游持续升温").wait_for()
    assert catalogue.evaluate("details => details.open") and "每日要情 第8期" in catalogue.inner_text()
    assert own.count() == 2
    # The page opened at the catalogue (the address the link left) opens and loads it again.
    assert page.url.endswith("#catalogue-district")
    page.reload()
    catalogue.locator("tr.own-unit", has_text="道里区冰雪旅游持续升温").wait_for()
    # Printing starts from the print view, which holds every catalogue, open.
    page.get_by_role("link", name="打印全文（展开全部目录）").click()
    page.wait_for_url(lambda url: url.endswith("?print=1"))
    assert "道里区冰雪旅游持续升温" in page.locator("details.notice-catalogue[open]").inner_text()
    # The officer reads the published bulletin, never the live preview.
    assert page.goto(f"/bulletins/{month:%Y-%m}/preview/").status == 403
    # Printed, the print view stands alone: no navigation, no buttons; the catalogues' rows on paper.
    page.emulate_media(media="print")
    page.goto(f"/bulletins/{month:%Y-%m}/?print=1")
    assert not page.locator("nav.site-navbar").is_visible() and not page.get_by_label("当前位置").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    assert page.locator("article.notice").is_visible() and page.get_by_text("道里区冰雪旅游持续升温").is_visible()
