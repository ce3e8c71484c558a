"""The administrator's year end in a real browser: review, finalize, pick, download the award workbook."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from awards.models import AwardPick, YearResult
from awards.services import finalize_year
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from tests.factories import PASSWORD, make_person, make_scored_unit, make_user
from units.models import Person, PersonRole, Sequence

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

    page.locator(f"#organizer tr[data-target='{leader.pk}'] input[type=checkbox]").check()
    page.locator("#organizer").get_by_role("button", name="评选所选").click()
    expect(page.locator("#organizer .pick-count")).to_have_text("1")
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


def in_window(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_picks_two_officers_in_place_without_a_page_reload(page, login):
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    units = [make_scored_unit(Sequence.DISTRICT, n, name=f"区{n}") for n in (9, 8, 7, 6, 5, 1)]
    # Enough candidates that the officers' list is below the fold.
    for unit in units[:5]:
        make_person(unit, role=PersonRole.LEADER_IN_CHARGE, name=f"{unit.name}领导")
        for i in range(4):
            make_person(unit, role=PersonRole.INFORMATION_OFFICER, name=f"{unit.name}信息员{i}")
    finalize_year(YEAR)
    officers = list(Person.objects.filter(role=PersonRole.INFORMATION_OFFICER).order_by("pk")[:2])
    make_user(Role.ADMIN, username="office-admin")

    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    login("office-admin", PASSWORD)
    page.goto(f"/awards/{YEAR}/")
    assert page.evaluate("htmx.version") == "2.0.11"  # the vendored htmx ran, under the CSP
    summary = page.locator("#picking-summary")
    page.evaluate("window.pageMarker = 'still here'")
    page.locator("#officer").scroll_into_view_if_needed()
    for person in officers:
        page.locator(f"#officer tr[data-target='{person.pk}'] input[type=checkbox]").check()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    pick = page.locator("#officer").get_by_role("button", name="评选所选")
    assert in_window(page, pick) and page.evaluate("window.scrollY") == scrolled  # the buttons stay in sight too
    pick.click()

    expect(page.locator("#officer .pick-count")).to_have_text("2")
    expect(summary).to_contain_text("已评选2项优秀信息员。")
    expect(summary.locator("[data-kind=officer]")).to_have_text("2")
    assert in_window(page, summary)  # the counts stay in sight while scrolled down to the officers (sticky)
    assert page.evaluate("window.pageMarker") == "still here"  # the same page: no reload
    assert page.evaluate("window.scrollY") == scrolled
    assert page.locator("#officer .badge", has_text="已评选").count() == 2
    assert set(AwardPick.objects.values_list("person_id", flat=True)) == {p.pk for p in officers}

    # Unpicking one of them in place; a refusal (nothing ticked) is said in the counts box, the page stays.
    page.locator(f"#officer tr[data-target='{officers[0].pk}'] input[type=checkbox]").check()
    page.locator("#officer").get_by_role("button", name="取消所选").click()
    expect(page.locator("#officer .pick-count")).to_have_text("1")
    page.locator("#officer").get_by_role("button", name="评选所选").click()
    expect(summary).to_contain_text("请先勾选评选对象。")
    assert page.evaluate("window.pageMarker") == "still here"
    assert list(AwardPick.objects.values_list("person_id", flat=True)) == [officers[1].pk]
    # A session that ended meanwhile: the login page comes instead of being swapped into the list.
    page.context.clear_cookies(name="sessionid")
    page.locator(f"#officer tr[data-target='{officers[0].pk}'] input[type=checkbox]").check()
    page.locator("#officer").get_by_role("button", name="评选所选").click()
    page.wait_for_url("**/login/**")
    assert page.locator("#id_username").is_visible() and AwardPick.objects.count() == 1

    # Nothing blocked by the Content-Security-Policy (htmx adds no inline style, runs no eval); the refusal
    # above is the only failed request.
    assert errors == [] and [(status, url.rsplit("/", 3)[-3:]) for status, url in failed] == [(400, ["2024", "pick", ""])]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_pages_searches_and_picks_in_place_and_without_javascript(browser, live_server, page, login, monkeypatch):
    monkeypatch.setattr("awards.views.PAGE_SIZE", 5)
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    units = [make_scored_unit(Sequence.DISTRICT, n, name=f"区{n}") for n in (9, 8, 7, 6, 5, 1)]
    for unit in units[:4]:
        for i in range(3):
            make_person(unit, role=PersonRole.INFORMATION_OFFICER, name=f"{unit.name}信息员{i}")
    finalize_year(YEAR)
    make_user(Role.ADMIN, username="office-admin")

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
    login("office-admin", PASSWORD)
    page.goto(f"/awards/{YEAR}/")
    page.evaluate("window.pageMarker = 'still here'")
    officers = page.locator("#officer")
    expect(officers).to_contain_text("第 1 / 3 页，共 12 项")
    # The next page and a search come in place; a pick there comes back on that page, with the counts.
    officers.get_by_role("link", name="下一页").click()
    expect(officers).to_contain_text("第 2 / 3 页")
    second = officers.locator("tr[data-target]").first
    name = second.locator("label").inner_text()
    second.locator("input[type=checkbox]").check()
    officers.get_by_role("button", name="评选所选").click()
    expect(officers.locator(".pick-count")).to_have_text("1")
    expect(officers).to_contain_text("第 2 / 3 页")
    expect(officers.locator("tr.table-success label")).to_have_text(name)
    expect(page.locator("#picking-summary [data-kind=officer]")).to_have_text("1")
    officers.get_by_role("searchbox", name="查找").fill("区6")
    officers.get_by_role("button", name="查找").click()
    expect(officers).to_contain_text("共 3 项")
    assert officers.locator("tr[data-target]").count() == 3
    assert page.evaluate("window.pageMarker") == "still here" and errors == []
    assert list(AwardPick.objects.values_list("person__name", flat=True)) == [name]

    # The review page's units without a tier come when their fold is opened.
    page.goto(f"/awards/{YEAR}/review/")
    fold = page.locator("#others-district")
    assert fold.locator("td", has_text="区1").count() == 0
    fold.locator("summary").click()
    expect(fold.locator("td", has_text="区1")).to_be_visible()

    # Without JavaScript the page links open the candidates as a page of their own, and a pick returns there.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    plain = context.new_page()
    plain.goto("/login/")
    plain.fill("#id_username", "office-admin")
    plain.fill("#id_password", PASSWORD)
    plain.click("button[type=submit]")
    plain.goto(f"/awards/{YEAR}/")
    plain.locator("#officer").get_by_role("link", name="末页").click()
    assert f"/awards/{YEAR}/candidates/officer/?page=3" in plain.url
    plain.locator("#officer tr[data-target] input[type=checkbox]").first.check()
    plain.locator("#officer").get_by_role("button", name="评选所选").click()
    assert "已评选1项优秀信息员。" in plain.content() and "第 3 / 3 页" in plain.locator("#officer").inner_text()
    assert AwardPick.objects.count() == 2
    context.close()
