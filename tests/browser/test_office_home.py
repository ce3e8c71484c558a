"""The office's start page in a real browser: the queue's counts against the data, each leading to its list,
and the city-wide picture on screen and on paper."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import PASSWORD, make_adoption, make_basic_work, make_request, make_submission, make_unit, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_work_through_the_queue(page, login):
    now, today = timezone.now(), timezone.localdate()
    daoli = make_unit(name="道里区", sequence="district")
    nangang = make_unit(name="南岗区", sequence="district")
    request = make_request([daoli, nangang], code="ZY-01", title="冬季供暖", deadline=now + dt.timedelta(days=1))
    # Received today even in a day's first minutes.
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    make_submission(daoli, special_request=request, submitted_at=max(midnight, now - dt.timedelta(minutes=3)))
    make_adoption(make_submission(nangang, submitted_at=max(midnight, now - dt.timedelta(minutes=2))), adopted_on=today)
    make_basic_work(daoli, year=today.year)
    make_user(Role.STAFF, username="office-staff")

    login("office-staff", PASSWORD)
    queue = page.locator(".work-queue")
    count = lambda label: int(queue.locator(f'[data-task="{label}"] .queue-count').inner_text())  # noqa: E731
    assert count("3天内截止的专约") == 1 and count("今日收到信息") == 2
    assert count(f"{today.year}年基础工作未确认的单位") == 1  # 南岗区
    assert "未报送1个单位：南岗区" in queue.locator('[data-task="3天内截止的专约"]').inner_text()

    # The picture: two charts; both print.
    charts = page.locator(".city-picture svg")
    assert charts.count() == 2 and charts.first.is_visible()
    page.emulate_media(media="print")
    assert charts.nth(1).is_visible()
    page.emulate_media(media="screen")

    queue.get_by_role("link", name="ZY-01 冬季供暖").click()
    page.wait_for_url(f"**/items/requests/{request.pk}/")
    page.go_back()
    queue.get_by_role("link", name=f"{today.year}年基础工作未确认的单位").click()
    page.wait_for_url(f"**/scoring/basic/?year={today.year}&state=not_assessed")
    assert page.get_by_text("南岗区").first.is_visible()
