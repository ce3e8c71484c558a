"""An officer reports an item a second time and is warned, then reports it anyway; the office finds the same
event reported by two units and merges it into one joint item after the confirmation — in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from submissions.models import JointUnit, Submission
from tests.browser.test_accessibility import violations
from tests.factories import PASSWORD, make_submission, make_unit, make_user

TITLE = "全市冬季供热保障工作会议召开"


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_repeated_title_is_warned_and_a_cross_unit_duplicate_is_merged(page, login):
    daoli, nangang = make_unit(name="道里区", sequence="district"), make_unit(name="南岗区", sequence="district")
    make_user(Role.OFFICER, unit=daoli, username="daoli")
    make_user(Role.STAFF, username="office")
    # In this month, whatever the day: the duplicates page opens on the current month.
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    earlier = make_submission(daoli, title=TITLE, submitted_at=max(month_start, timezone.now() - dt.timedelta(days=2)))
    make_submission(nangang, title=TITLE + "。", submitted_at=max(month_start, timezone.now() - dt.timedelta(hours=1)))

    login("daoli", PASSWORD)
    page.goto("/items/new/")
    page.fill("#id_title", "全市冬季供热保障工作会议 召开")
    page.fill("#id_body", "会议部署了今冬供热保障工作。")
    page.select_option("#id_info_type", "general")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    warning = page.locator("#duplicate-warning").inner_text()
    assert earlier.ledger_no in warning and Submission.objects.count() == 2
    assert page.input_value("#id_body") == "会议部署了今冬供热保障工作。"  # nothing typed is lost
    page.get_by_role("button", name="仍然报送").click()
    page.wait_for_load_state("networkidle")
    assert "信息已报送" in page.content() and Submission.objects.count() == 3
    logout(page)

    login("office", PASSWORD)
    page.goto("/items/duplicates/")
    group = page.locator(".duplicate-group")
    assert group.count() == 1 and "南岗区" in group.inner_text()
    group.get_by_role("button", name="合并为联合报送信息…").click()
    page.wait_for_load_state("networkidle")
    assert "南岗区成为其已确认的联合报送单位" in page.content()
    page.get_by_role("button", name="确认合并").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/items/{earlier.pk}/") and "已将 2 条重复信息并入" in page.content()
    assert JointUnit.objects.get(submission=earlier).confirmed
    assert Submission.objects.filter(is_invalid=False).get() == earlier


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_pages_through_the_groups_and_a_merge_from_page_2_goes_back_there(page, login):
    now = timezone.localtime().replace(day=15, hour=12)  # this month, whatever the day
    for i in range(51):  # 51 groups, each of its own title: the last one alone on page 2
        title = "".join(chr(0x4E00 + 10 * i + k) for k in range(10))
        for unit in (make_unit(), make_unit()):
            make_submission(unit, title=title, submitted_at=now - dt.timedelta(minutes=60 - i))
    make_user(Role.STAFF, username="office")

    login("office", PASSWORD)
    page.goto("/items/duplicates/")
    assert page.locator(".duplicate-group").count() == 50 and "共 51 组" in page.locator("#duplicate-count").inner_text()
    page.get_by_role("link", name="下一页").click()
    page.wait_for_load_state("networkidle")
    group = page.locator(".duplicate-group")
    assert group.count() == 1 and "第 51 组" in group.inner_text() and page.url.endswith("page=2")
    assert violations(page, page.url) == []
    group.get_by_role("button", name="合并为联合报送信息…").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="取消").click()  # back to the page the merge came from
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("page=2") and "第 51 组" in page.locator(".duplicate-group").inner_text()
    assert not JointUnit.objects.exists()
