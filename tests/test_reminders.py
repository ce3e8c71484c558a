"""Scheduled reminders (`send_reminders`): each due reminder to exactly its people, and never the same one twice."""

from __future__ import annotations

import datetime as dt
import io
import math

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accounts.models import Role, User
from bulletins.publishing import publish_bulletin
from notifications.models import Notice, NoticeKind, SentReminder
from reminders.services import QUOTA_FROM_DAY, UNPUBLISHED_FROM_DAY, send_reminders
from reminders.tasks import send_reminders_task
from scoring.services import rules_for_year
from submissions.models import SpecialRequest
from tests.factories import make_request, make_submission, make_unit, make_user, on_postgresql, run_together, shanghai
from units.models import Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024
# Before the quota reminders and before last month's bulletin is due (days 1-4): only what a test sets up is due.
QUIET = shanghai(YEAR, 3, 1, 9)


def texts(user: User, kind: str) -> list[str]:
    return list(Notice.objects.filter(recipient=user, kind=kind).values_list("text", flat=True))


@pytest.fixture
def request_due(personas, unit_a, unit_b):
    """A request to units A and B due 2½ days after QUIET; B has answered it."""
    request = make_request([unit_a, unit_b], title="春耕备耕", deadline=QUIET + dt.timedelta(days=2, hours=12))
    SpecialRequest.objects.filter(pk=request.pk).update(created_at=QUIET - dt.timedelta(days=10))
    make_submission(unit_b, special_request=request, submitted_at=QUIET - dt.timedelta(hours=1))
    return request


def test_deadline_reminders_3_days_and_1_day_before_to_the_units_that_have_not_answered(personas, request_due):
    officer_a, officer_b = personas["officer_a"], personas["officer_b"]
    sent = send_reminders(QUIET)
    assert (sent.reminders, sent.notices) == (1, 1)
    assert len(texts(officer_a, NoticeKind.DEADLINE)) == 1 and "不足3天" in texts(officer_a, NoticeKind.DEADLINE)[0]
    assert texts(officer_b, NoticeKind.DEADLINE) == []
    # Every few minutes: nothing more until the last day.
    assert send_reminders(QUIET + dt.timedelta(minutes=5)).notices == 0
    last_day = request_due.deadline - dt.timedelta(hours=12)
    assert send_reminders(last_day).notices == 1
    assert send_reminders(last_day).notices == 0
    assert ["不足1天" in t for t in texts(officer_a, NoticeKind.DEADLINE)] == [False, True]
    assert Notice.objects.exclude(recipient=officer_a).count() == 0


def test_a_request_made_inside_a_window_is_not_reminded_for_it(personas, unit_a):
    request = make_request([unit_a], deadline=QUIET + dt.timedelta(days=2))
    SpecialRequest.objects.filter(pk=request.pk).update(created_at=QUIET - dt.timedelta(hours=1))
    assert send_reminders(QUIET).notices == 0  # made 2 days and 1 hour before its deadline: no 3-day reminder
    assert send_reminders(request.deadline - dt.timedelta(hours=2)).notices == 1  # the 1-day one


def test_a_request_past_its_deadline_with_units_unanswered_is_told_to_the_office_once(personas, unit_a, request_due):
    after = request_due.deadline + dt.timedelta(minutes=10)
    assert send_reminders(after).notices == 2  # administrator and staff
    for name in ("admin", "staff"):
        assert texts(personas[name], NoticeKind.OVERDUE) == [
            f"专项约稿“春耕备耕”已于{YEAR}年3月3日 21:00截止，1个单位未报送：{unit_a.name}。"]
    assert Notice.objects.filter(recipient__role__in=[Role.OFFICER, Role.VIEWER]).count() == 0
    assert send_reminders(after + dt.timedelta(hours=1)).notices == 0


def test_a_month_not_published_is_told_to_the_office_from_the_5th_once(personas):
    fifth = shanghai(YEAR, 4, UNPUBLISHED_FROM_DAY, 9)
    assert send_reminders(fifth - dt.timedelta(days=1)).notices == 0
    assert send_reminders(fifth).notices == 2
    assert texts(personas["staff"], NoticeKind.UNPUBLISHED) == [f"{YEAR}年3月已结束，采用通报尚未发布。"]
    assert send_reminders(fifth + dt.timedelta(days=1)).notices == 0
    # A published month is not asked for.
    publish_bulletin(dt.date(YEAR, 4, 1), personas["staff"])
    Notice.objects.all().delete()
    assert send_reminders(shanghai(YEAR, 5, UNPUBLISHED_FROM_DAY, 9)).notices == 0


def test_the_quota_reminder_from_the_20th_tells_a_unit_below_its_quota_how_many_items_it_still_needs(personas):
    short = make_unit(sequence=Sequence.DISTRICT, name="道里区")
    full = make_unit(sequence=Sequence.BUREAU, name="发改委")
    later = make_unit(sequence=Sequence.DISTRICT, name="新区", assessed_from=dt.date(YEAR, 4, 1))
    officers = {unit.pk: make_user(Role.OFFICER, unit) for unit in (short, full, later)}
    rules = rules_for_year(YEAR).rules()
    march = shanghai(YEAR, 3, 2)
    for _ in range(5):
        make_submission(short, submitted_at=march)
    make_submission(full, joint=[short], submitted_at=march)  # a confirmed joint item counts for each unit
    make_submission(short, submitted_at=march, is_invalid=True, invalid_reason="重复")  # does not count
    make_submission(short, submitted_at=shanghai(YEAR, 2, 28))  # another month
    for _ in range(int(rules.quota_for(Sequence.BUREAU, False))):
        make_submission(full, submitted_at=march)

    send_reminders(shanghai(YEAR, 3, QUOTA_FROM_DAY - 1, 23))
    assert not Notice.objects.filter(kind=NoticeKind.QUOTA).exists()
    send_reminders(shanghai(YEAR, 3, QUOTA_FROM_DAY, 8))
    counted = 5 + 1
    quota = rules.quota_for(Sequence.DISTRICT, False)
    need = math.ceil(quota - counted)
    assert texts(officers[short.pk], NoticeKind.QUOTA) == [
        f"3月贵单位已报送{counted}条信息，本月报送定额{int(quota)}条，还需报送{need}条。"]
    assert texts(officers[full.pk], NoticeKind.QUOTA) == []
    assert texts(officers[later.pk], NoticeKind.QUOTA) == []
    # Units A and B (bureaus without items) are told too, each its own numbers, and nobody else.
    bureau = int(rules.quota_for(Sequence.BUREAU, False))
    assert texts(personas["officer_a"], NoticeKind.QUOTA) == [
        f"3月贵单位已报送0条信息，本月报送定额{bureau}条，还需报送{bureau}条。"]
    assert Notice.objects.filter(kind=NoticeKind.QUOTA).count() == 3
    # Every later run of the month adds nothing.
    assert send_reminders(shanghai(YEAR, 3, 28, 8)).notices == 0


def test_run_twice_sends_once_and_the_command_says_so(personas, request_due, settings):
    settings.EMAIL_HOST, settings.EMAIL_BACKEND = "smtp.example.org", "django.core.mail.backends.locmem.EmailBackend"
    User.objects.filter(pk=personas["officer_a"].pk).update(email="a@example.org")
    first = send_reminders(QUIET)
    assert (first.notices, first.mails) == (1, 1) and len(mail.outbox) == 1
    again = send_reminders(QUIET)
    assert (again.reminders, again.notices, again.mails) == (0, 0, 0) and len(mail.outbox) == 1
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "站内消息" in out.getvalue()
    assert SentReminder.objects.filter(key__startswith="deadline3:").count() == 1


def test_the_worker_runs_the_same_reminders(personas, run_tasks):
    out = io.StringIO()
    call_command("send_reminders", "--queue", stdout=out)
    assert DBTaskResult.objects.count() == 1 and "任务队列" in out.getvalue()
    assert run_tasks() == 1
    written = Notice.objects.count()
    assert written == DBTaskResult.objects.get().return_value
    assert send_reminders().notices == 0  # what the worker sent is not sent again
    send_reminders_task.enqueue()
    run_tasks()
    assert Notice.objects.count() == written


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once():
    unit = make_unit()
    officer = make_user(Role.OFFICER, unit)
    request = make_request([unit], deadline=QUIET + dt.timedelta(days=2))
    SpecialRequest.objects.filter(pk=request.pk).update(created_at=QUIET - dt.timedelta(days=10))
    results = run_together(lambda: send_reminders(QUIET), lambda: send_reminders(QUIET))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.notices for r in results) == 1
    assert Notice.objects.filter(recipient=officer).count() == 1


def test_every_reminder_links_to_a_page_its_recipient_may_open(client, personas, request_due):
    for now in (QUIET, request_due.deadline + dt.timedelta(minutes=1), shanghai(YEAR, 3, QUOTA_FROM_DAY, 9)):
        send_reminders(now)
    kinds = set()
    for notice in Notice.objects.select_related("recipient"):
        kinds.add(notice.kind)
        client.force_login(notice.recipient)
        assert client.get(notice.link).status_code == 200, (notice.kind, notice.link)
    assert kinds == {NoticeKind.DEADLINE, NoticeKind.OVERDUE, NoticeKind.UNPUBLISHED, NoticeKind.QUOTA}
