"""Office staff upload a ledger in a real browser and follow its import without reloading the page."""

from __future__ import annotations

import pytest

from accounts.models import Role
from submissions.models import Submission
from tests.factories import PASSWORD, make_user
from tests.ledger_builder import INVALID_LEDGER, write_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = {
    "单位": [{"单位名称": "道里区", "序列": "区政府"}],
    "报送": [{"信息编号": "DL-001", "单位名称": "道里区", "标题": "春耕", "报送时间": "2024-03-01", "信息类型": "一般动态"}],
}


def test_the_job_page_follows_the_import_to_its_summary(page, login, run_tasks, tmp_path):
    staff = make_user(Role.STAFF, username="office")
    login(staff.username, PASSWORD)
    page.goto("/scoring/import/")
    page.set_input_files("#id_file", str(write_ledger(tmp_path / "三月台账.xlsx", GOOD)))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state("networkidle")
    job_url = page.url
    assert page.get_by_text("排队中").is_visible() and not Submission.objects.exists()

    run_tasks()  # the worker, while the page stays open
    page.get_by_text("台账导入成功").wait_for()  # fetched by the page's script: no reload
    assert page.url == job_url and Submission.objects.count() == 1
    assert page.locator("#import-job tbody tr").first.inner_text().split() == ["单位", "1", "0", "0"]


def test_a_refused_ledger_offers_its_problems_and_a_retry(page, login, run_tasks, tmp_path):
    staff = make_user(Role.STAFF, username="office")
    login(staff.username, PASSWORD)
    page.goto("/scoring/import/")
    page.set_input_files("#id_file", str(write_ledger(tmp_path / "台账.xlsx", INVALID_LEDGER)))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state("networkidle")
    run_tasks()
    page.get_by_text("下载问题清单（Excel）").wait_for()
    with page.expect_download() as download:
        page.get_by_text("下载问题清单（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("button", name="重新导入").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已重新排队导入").is_visible() and page.get_by_text("排队中").is_visible()
