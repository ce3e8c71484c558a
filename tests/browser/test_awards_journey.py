"""The administrator's year end in a real browser: review, finalize, pick, download the award workbook."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from awards.models import AwardPick, YearResult
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from tests.factories import PASSWORD, make_person, make_scored_unit, make_user
from units.models import PersonRole, Sequence

YEAR = 2024


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_finalizes_picks_and_downloads_the_workbook(page, login, tmp_path):
    # The live server's database is flushed between tests, data migrations included.
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    scores = ((6, "南岗区"), (4, "道里区"), (4, "道外区"), (1, "呼兰区"))
    units = [make_scored_unit(Sequence.DISTRICT, n, name=name) for n, name in scores]
    leader = make_person(units[0], role=PersonRole.LEADER_IN_CHARGE, name="王分管", post="副区长")
    make_user(Role.ADMIN, username="office-admin")

    login("office-admin", PASSWORD)
    page.goto("/awards/")
    page.get_by_role("link", name="预览并确定").first.click()
    # The provisional ranking shows the tie across the model boundary before anything is frozen.
    ties = page.locator("#ties")
    assert "道里区" in ties.inner_text() and "道外区" in ties.inner_text()
    page.get_by_role("button", name="确定年度考核结果").click()
    assert "确定2024年度考核结果第1版" in page.locator(".confirm-box").inner_text()
    page.get_by_role("button", name="确认无误，确定结果").click()
    page.wait_for_url(f"**/awards/{YEAR}/")
    assert "已确定2024年度考核结果（第1版）" in page.content()
    assert YearResult.objects.filter(year=YEAR).count() == 1

    page.locator(f"#organizer tr[data-target='{leader.pk}'] button", has_text="评选").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#organizer .pick-count").inner_text() == "1"
    assert AwardPick.objects.filter(person=leader).exists()

    with page.expect_download() as download_info:
        page.locator("#download-workbook").click()
    path = tmp_path / "awards.xlsx"
    download_info.value.save_as(path)

    assert download_info.value.suggested_filename == "2024年度政务信息工作评比名单（第1版）.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["标兵单位", "先进单位", "优秀组织者", "优秀信息员", "优秀调研信息", "全部排名"]
    # The workbook programs read: the title, the header, then the data rows.
    assert [r[2] for r in wb["标兵单位"].iter_rows(min_row=3, values_only=True)] == ["南岗区", "道里区", "道外区"]

    with page.expect_download() as download_info:
        page.locator("#download-official").click()
    path = tmp_path / "official.xlsx"
    download_info.value.save_as(path)
    assert download_info.value.suggested_filename == "2024年度政务信息工作正式名单（第1版）.xlsx"
    wb = load_workbook(path)
    # Below the issuing office, the title, the number and date and the header (row 4): a sequence heading.
    model = list(wb["标兵单位"].iter_rows(min_row=5, values_only=True))
    assert model[0][0] == "一、区政府序列" and [r[2] for r in model[1:]] == ["南岗区", "道里区", "道外区"]
    assert list(wb["优秀组织者"].iter_rows(min_row=5, values_only=True)) == [(1, "王分管", "南岗区", "副区长")]
