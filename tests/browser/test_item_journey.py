"""An officer answers a request with an item; staff record a city adoption and a city leader's decision
instruction on it; the officer sees both on the item page — in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from submissions.models import Adoption, LeaderInstruction, Submission
from tests.factories import PASSWORD, make_request, make_unit, make_user


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_reports_staff_record_adoption_and_instruction(page, login):
    # The live server's database is flushed between tests, data migrations included.
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    unit = make_unit(name="道里区", sequence="district")
    request = make_request([unit], code="ZY-2026-07", title="关于冬季供热情况的专约",
                           deadline=timezone.now() + dt.timedelta(days=3))
    make_user(Role.OFFICER, unit=unit, username="daoli")
    make_user(Role.STAFF, username="office-staff")

    # The officer answers the open request from the start page.
    login("daoli", PASSWORD)
    panel = page.locator(".card", has_text="本单位待报送的专约")
    assert "关于冬季供热情况的专约" in panel.inner_text()
    panel.get_by_role("link", name="报送作答").click()
    assert page.locator("#id_special_request").input_value() == str(request.pk)
    page.fill("#id_title", "道里区冬季供热保障有序推进")
    page.select_option("#id_info_type", "general")
    page.fill("#id_body", "全区供热面积……")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "信息已报送" in page.content()
    item = Submission.objects.get()
    assert item.special_request == request and item.unit == unit
    logout(page)

    # Staff record a city adoption and a city leader's decision instruction on the item's page.
    login("office-staff", PASSWORD)
    page.goto(f"/items/{item.pk}/")
    today = timezone.localdate().isoformat()
    page.select_option("#id_adoption-level", "city")
    page.select_option("#id_adoption-adoption_type", "general")
    page.fill("#id_adoption-adopted_on", today)
    page.fill("#id_adoption-carrier", "哈尔滨政务信息")
    page.fill("#id_adoption-issue_no", "第45期")
    page.get_by_role("button", name="记录采用").click()
    page.wait_for_load_state("networkidle")
    assert "采用已记录" in page.content()
    page.select_option("#id_instruction-level", "city")
    page.select_option("#id_instruction-kind", "decision")
    page.fill("#id_instruction-instructed_on", today)
    page.fill("#id_instruction-leader", "市长")
    page.fill("#id_instruction-content", "纳入全市冬季供热工作方案")
    page.get_by_role("button", name="记录批示").click()
    page.wait_for_load_state("networkidle")
    assert "批示已记录" in page.content()
    assert Adoption.objects.filter(submission=item, level="city").exists()
    assert LeaderInstruction.objects.filter(submission=item, level="city", kind="decision").exists()
    logout(page)

    # The officer sees both, with their points.
    login("daoli", PASSWORD)
    page.goto(f"/items/{item.pk}/")
    adoptions = page.locator("#adoptions").inner_text()
    instructions = page.locator("#instructions").inner_text()
    assert "市" in adoptions and "第45期" in adoptions and "1.00" in adoptions
    assert "决策性" in instructions and "市长" in instructions and "10.00" in instructions
    assert page.get_by_role("button", name="记录采用").count() == 0
