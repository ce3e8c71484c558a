"""The editorial desk in a real browser: an officer reports, an editor adopts the item into a draft of
《哈尔滨政务信息》, edits it, publishes the issue and downloads it; the officer sees 已采用 with the issue."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from docx import Document

from accounts.models import Role
from editorial.models import Carrier
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from scoring.services import compute_scores
from submissions.models import Adoption, Submission
from tests.factories import PASSWORD, make_unit, make_user


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reported_item_is_adopted_published_and_shown_to_the_officer(page, login):
    # The live server's database is flushed between tests, data migrations included.
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    carrier, _ = Carrier.objects.get_or_create(name="哈尔滨政务信息", defaults={"level": "city", "adoption_type": "general"})
    unit = make_unit(name="道里区", sequence="district")
    make_user(Role.OFFICER, unit=unit, username="daoli")
    make_user(Role.STAFF, username="editor")
    today = timezone.localdate()

    login("daoli", PASSWORD)
    page.goto("/items/new/")
    page.fill("#id_title", "道里区冰雪旅游持续升温")
    page.select_option("#id_info_type", "general")
    page.fill("#id_body", "中央大街客流同比增长。")
    submit(page, "提交")
    assert "待处理" in page.locator("#desk-state").inner_text()
    logout(page)

    login("editor", PASSWORD)
    page.goto("/editorial/issues/")
    page.select_option("#id_carrier", str(carrier.pk))
    submit(page, "新建一期")
    issue_url = page.url
    page.goto("/editorial/")
    page.get_by_role("link", name="道里区冰雪旅游持续升温").click()
    page.select_option("#id_action", "selected")
    page.select_option("#id_issue", index=1)
    submit(page, "提交处理")
    assert "已处理：采用" in page.content()

    page.goto(issue_url)
    page.get_by_role("link", name="编辑刊发稿").click()
    assert "中央大街客流同比增长。" in page.locator("#original").inner_text()
    page.fill("#id_title", "冰雪旅游带火道里区")
    submit(page, "保存刊发稿")
    page.fill("#id_responsible_editor", "王晓明")
    page.fill("#id_signed_by", "刘建国")
    submit(page, "保存")
    page.fill("#id_issued_on", today.isoformat())
    submit(page, "刊发本期")
    assert "已刊发" in page.locator("#issue-status").inner_text()

    # The issue prints without the site's navigation and buttons.
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible() and not page.locator("#download").is_visible()
    assert page.locator("#issue-paper").is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.locator("#download").click()
    texts = [p.text for p in Document(io.BytesIO(open(download.value.path(), "rb").read())).paragraphs]
    assert texts[0] == "哈尔滨政务信息" and f"{today.year}年第1期（总第1期）" in texts[1]
    assert "冰雪旅游带火道里区" in texts and "（道里区报送）" in texts
    logout(page)

    item = Submission.objects.get()
    assert Adoption.objects.get(submission=item).issue_no == f"{today.year}年第1期"
    assert next(s for s in compute_scores(today.year).scores if s.facts.unit_id == unit.pk).adoption > 0
    login("daoli", PASSWORD)
    assert f"已采用（《哈尔滨政务信息》{today.year}年第1期）" in page.locator("#desk-fates").inner_text()
