"""Notices (站内消息): each event to exactly the people it concerns, the bell's count, reading them, and e-mail."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import SECURITY_KINDS, AuditEvent
from awards.services import finalize_year
from bulletins.publishing import publish_bulletin
from editorial import services as desk
from harbin_infoassess.navigation import NAV, _visible
from notifications import services as notices
from notifications.mail import mail_digests, mail_pending
from notifications.models import Notice, NoticeKind
from submissions import services
from submissions.models import Adoption, DeskState, LeaderInstruction
from submissions.services import ItemInput
from tests.factories import (
    login,
    make_basic_work,
    make_carrier,
    make_issue,
    make_submission,
    make_unit,
    make_user,
    on_postgresql,
    run_together,
    shanghai,
)

pytestmark = pytest.mark.django_db
YEAR = 2024
MAIL_ON = {"EMAIL_HOST": "smtp.example.org", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def received(user: User, kind: str | None = None) -> list[str]:
    found = Notice.objects.filter(recipient=user)
    return list((found.filter(kind=kind) if kind else found).values_list("text", flat=True))


def everyone_else(personas, *concerned: str) -> list[User]:
    return [u for name, u in personas.items() if u is not None and name not in concerned]


def assert_only(personas, kind: str, *concerned: str) -> None:
    """Exactly one notice of `kind` to each concerned persona, none to anybody else."""
    for name in concerned:
        assert len(received(personas[name], kind)) == 1, name
    for user in everyone_else(personas, *concerned):
        assert received(user) == [], user.username


@pytest.fixture
def officer_c():
    return make_user(Role.OFFICER, make_unit())


# --- events ------------------------------------------------------------------------------------------------------


def test_a_special_request_is_told_to_its_target_units_officers_once(personas, unit_a, unit_b):
    staff = personas["staff"]
    fields = {"code": "ZY1", "title": "营商环境", "deadline": timezone.now() + dt.timedelta(days=5)}
    request = services.save_request(None, fields, [unit_a], user=staff, token=uuid.uuid4())
    assert_only(personas, NoticeKind.REQUEST, "officer_a")
    assert "营商环境" in received(personas["officer_a"])[0]
    # Adding unit B tells B; A is not told again.
    services.save_request(request, {"title": "营商环境"}, [unit_a, unit_b], user=staff, version=request.version)
    assert_only(personas, NoticeKind.REQUEST, "officer_a", "officer_b")
    assert Notice.objects.get(recipient=personas["officer_b"]).link == reverse("submissions:request_detail", args=[request.pk])


def test_an_adoption_is_told_to_the_unit_and_its_confirmed_joint_units_never_a_pending_one(personas, unit_a, unit_b,
                                                                                            officer_c):
    item = make_submission(unit_a, joint=[officer_c.unit], pending=[unit_b], title="冰雪经济")
    fields = {"submission": item, "level": "province", "adoption_type": "general", "adopted_on": dt.date.today(),
              "carrier": "黑龙江信息", "issue_no": "第3期"}
    services.create_fact(Adoption, fields, user=personas["staff"], token=uuid.uuid4())
    assert_only({**personas, "officer_c": officer_c}, NoticeKind.ADOPTED, "officer_a", "officer_c")
    assert received(personas["officer_a"]) == ["“冰雪经济”被省政府办公厅采用（黑龙江信息第3期）"]


def test_a_leader_instruction_is_told_to_the_items_units(personas, unit_a):
    item = make_submission(unit_a, title="冰雪经济")
    fields = {"submission": item, "level": "city", "kind": "affirm", "instructed_on": dt.date.today(), "leader": "张市长"}
    services.create_fact(LeaderInstruction, fields, user=personas["staff"], token=uuid.uuid4())
    assert_only(personas, NoticeKind.INSTRUCTED, "officer_a")
    assert received(personas["officer_a"]) == ["“冰雪经济”获张市长肯定性批示（市领导）"]


def test_a_corrected_or_deleted_adoption_or_instruction_is_told_to_the_items_units_an_unchanged_save_is_not(
        personas, unit_a, officer_c):
    item = make_submission(unit_a, joint=[officer_c.unit], title="冰雪经济")
    staff, today = personas["staff"], dt.date.today()
    adoption = services.create_fact(Adoption, {"submission": item, "level": "city", "adoption_type": "general",
                                               "adopted_on": today}, user=staff, token=uuid.uuid4())
    instruction = services.create_fact(LeaderInstruction, {"submission": item, "level": "city", "kind": "read",
                                                           "instructed_on": today}, user=staff, token=uuid.uuid4())
    Notice.objects.all().delete()

    adoption = services.update_fact(adoption, {"level": "province"}, user=staff, version=adoption.version)
    services.update_fact(adoption, {"level": "province"}, user=staff, version=adoption.version)  # nothing changed
    services.update_fact(instruction, {"kind": "affirm", "leader": "张市长"}, user=staff, version=instruction.version)
    services.delete_fact(Adoption.objects.get(pk=adoption.pk), user=staff)

    people = {**personas, "officer_c": officer_c}
    assert all(received(user) == [] for user in everyone_else(people, "officer_a", "officer_c"))
    for officer in ("officer_a", "officer_c"):
        assert received(people[officer]) == [
            "记录已更正为：“冰雪经济”被省政府办公厅采用",
            "记录已更正为：“冰雪经济”获张市长肯定性批示（市领导）",
            "记录已删除：“冰雪经济”被省政府办公厅采用",
        ]


def test_a_joint_unit_named_by_an_officer_is_asked_to_confirm_one_named_by_the_office_is_not(personas, unit_a, unit_b):
    def report(user, joint):
        data = ItemInput(unit=unit_a, title="联合", body="", info_type="general", submitted_at=timezone.now(),
                         special_request=None, joint_units=joint)
        return services.report_item(data, user=user, token=uuid.uuid4())

    report(personas["staff"], [unit_b])
    assert Notice.objects.count() == 0
    report(personas["officer_a"], [unit_b])
    assert_only(personas, NoticeKind.JOINT, "officer_b")
    assert Notice.objects.get().link == reverse("submissions:joint_list")


def test_an_item_returned_by_the_desk_is_told_to_the_reporting_unit(personas, unit_a, unit_b):
    item = make_submission(unit_a, joint=[unit_b], desk_state=DeskState.PENDING, title="退回的信息")
    desk.decide(item, "returned", user=personas["staff"], version=item.version, comment="请补充数据")
    assert_only(personas, NoticeKind.RETURNED, "officer_a")
    assert received(personas["officer_a"]) == ["“退回的信息”被退回修改：请补充数据"]


def test_a_published_issue_tells_each_items_units_in_a_constant_number_of_queries(personas, unit_a, unit_b):
    def publish(units):
        issue = make_issue(make_carrier(), [make_submission(u, submitted_at=timezone.now()) for u in units])
        with CaptureQueriesContext(connection) as queries:
            desk.publish_issue(issue, user=personas["staff"], version=issue.version, issued_on=timezone.localdate())
        return len(queries)

    few = publish([unit_a, unit_b])
    assert_only(personas, NoticeKind.ADOPTED, "officer_a", "officer_b")
    many = [make_unit() for _ in range(6)]
    for unit in many:
        make_user(Role.OFFICER, unit)
    # The adoptions' audit records are written in batches too: the whole publication does not grow with the items.
    assert publish(many) == few
    assert Notice.objects.filter(kind=NoticeKind.ADOPTED).count() == 2 + 6


def test_a_published_bulletin_and_a_finalized_year_tell_every_officer_and_nobody_else(personas, unit_a, unit_b):
    for unit in (unit_a, unit_b):
        make_submission(unit, submitted_at=shanghai(YEAR, 3, 2))
    publish_bulletin(dt.date(YEAR, 3, 1), personas["staff"])
    assert_only(personas, NoticeKind.BULLETIN, "officer_a", "officer_b")
    make_basic_work(unit_a, year=YEAR)
    make_basic_work(unit_b, year=YEAR)
    finalize_year(YEAR, personas["admin"])
    assert_only(personas, NoticeKind.FINALIZED, "officer_a", "officer_b")
    assert received(personas["officer_a"], NoticeKind.FINALIZED) == [f"{YEAR}年度考核结果已确定（第1版）。"]


def test_notifying_many_people_costs_the_same_queries_as_notifying_one(django_assert_num_queries):
    one = [make_user(Role.OFFICER)]
    many = [make_user(Role.OFFICER) for _ in range(40)]
    # A savepoint, one INSERT ... SELECT, one UPDATE of the unread counts, the savepoint released.
    with django_assert_num_queries(4):
        notices.notify_units([one[0].unit_id], NoticeKind.BULLETIN, "一")
    with django_assert_num_queries(4):
        notices.notify_units([u.unit_id for u in many], NoticeKind.BULLETIN, "多")
    assert all(u.unread_notices == 1 for u in User.objects.filter(pk__in=[u.pk for u in one + many]))


def test_inactive_accounts_and_office_roles_get_no_unit_notices(personas, unit_a):
    gone = make_user(Role.OFFICER, unit_a, is_active=False)
    notices.notify_units([unit_a.pk], NoticeKind.BULLETIN, "通报")
    assert received(gone) == []
    assert_only(personas, NoticeKind.BULLETIN, "officer_a")


# --- the unread count and reading ----------------------------------------------------------------------------------


def test_the_unread_count_follows_the_notices(personas):
    officer = personas["officer_a"]
    for n in range(3):
        notices.notify([officer.pk], NoticeKind.BULLETIN, f"通报{n}")
    officer.refresh_from_db()
    assert officer.unread_notices == Notice.objects.filter(recipient=officer, read_at__isnull=True).count() == 3
    notices.mark_read(Notice.objects.filter(recipient=officer).first())
    officer.refresh_from_db()
    assert officer.unread_notices == 2


def test_the_list_shows_unread_first_fifty_a_page_with_pinned_queries(client_for, personas, django_assert_num_queries):
    officer = personas["officer_a"]
    for n in range(60):
        notices.notify([officer.pk], NoticeKind.BULLETIN, f"通报{n:02d}")
    first = Notice.objects.filter(recipient=officer).order_by("created_at", "id").first()
    Notice.objects.exclude(pk=first.pk).update(read_at=timezone.now())
    assert notices.recount_unread() == 1  # the update above went around the service
    client = client_for("officer_a")
    # Session, user with the officer's unit (the header), the count of the pages, the page's notices.
    with django_assert_num_queries(4):
        response = client.get(reverse("notifications:list"))
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.paginator.count == 60
    assert page.object_list[0] == first  # the oldest, but unread
    assert len(client.get(reverse("notifications:list"), {"page": 2}).context["page"].object_list) == 10


def test_marking_read_one_and_all_only_ones_own(client_for, personas):
    mine = [Notice.objects.get(pk=pk) for pk in _notices(personas["officer_a"], 3)]
    theirs = _notices(personas["officer_b"], 2)
    client = client_for("officer_a")
    # Another's notice: 404, and it stays unread.
    assert client.post(reverse("notifications:read", args=[theirs[0]])).status_code == 404
    assert Notice.objects.get(pk=theirs[0]).read_at is None
    response = client.post(reverse("notifications:read", args=[mine[0].pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == mine[0].link
    assert Notice.objects.get(pk=mine[0].pk).read_at is not None
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notice.objects.filter(recipient=personas["officer_a"], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=personas["officer_b"], read_at__isnull=True).count() == 2
    personas["officer_b"].refresh_from_db()
    assert personas["officer_b"].unread_notices == 2
    # The reader's own state: not an audited change of the facts (the login is the only record).
    assert not AuditEvent.objects.exclude(kind__in=SECURITY_KINDS).exists()


def _notices(user: User, n: int) -> list[int]:
    for i in range(n):
        notices.notify([user.pk], NoticeKind.BULLETIN, f"通报{i}", reverse("bulletins:list"))
    return list(Notice.objects.filter(recipient=user).values_list("pk", flat=True))


def test_reading_needs_a_login_and_a_post(client_for, personas):
    pk = _notices(personas["officer_a"], 1)[0]
    anonymous = client_for("anonymous")
    assert anonymous.get(reverse("notifications:list")).status_code == 302
    assert anonymous.post(reverse("notifications:read", args=[pk])).status_code == 302
    assert client_for("officer_a").get(reverse("notifications:read", args=[pk])).status_code == 405
    for persona in ("admin", "staff", "viewer", "officer_b"):
        assert client_for(persona).post(reverse("notifications:read", args=[pk])).status_code == 404
    assert Notice.objects.get(pk=pk).read_at is None


def test_an_auditor_sees_the_bell_and_their_own_list(client):
    auditor = make_user(Role.AUDITOR)
    notices.notify([auditor.pk], NoticeKind.BULLETIN, "通报")
    assert login(client, auditor).get(reverse("notifications:list")).status_code == 200


def test_repair_derived_recounts_a_count_changed_outside_the_system(personas):
    _notices(personas["officer_a"], 3)
    User.objects.filter(pk=personas["officer_a"].pk).update(unread_notices=7)
    out = io.StringIO()
    call_command("repair_derived", stdout=out)
    assert "已修复未读消息数 1 个账号" in out.getvalue()
    personas["officer_a"].refresh_from_db()
    assert personas["officer_a"].unread_notices == 3
    assert notices.recount_unread() == 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_notices_to_one_person_add_up():
    officer = make_user(Role.OFFICER)
    results = run_together(*[lambda n=n: notices.notify([officer.pk], NoticeKind.BULLETIN, f"通报{n}") for n in range(4)])
    assert results == [1] * 4
    officer.refresh_from_db()
    assert officer.unread_notices == Notice.objects.filter(recipient=officer).count() == 4


# --- the bell: on every page, from the user row the login already read ---------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_page_without_a_query(personas):
    for name, user in {**personas, "auditor": make_user(Role.AUDITOR)}.items():
        if user is None:
            continue
        _notices(user, 2)
        client = login(Client(), user)
        for entry in NAV:
            if not _visible(entry, user):
                continue
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(entry.url_name), follow=True)
            assert response.status_code == 200, (name, entry.url_name)
            assert 'data-unread="2"' in response.content.decode(), (name, entry.url_name)
            assert not [q for q in queries if "notifications_notice" in q["sql"]], (name, entry.url_name)


def test_the_bell_adds_no_query_to_a_page(client_for, personas):
    client = client_for("officer_a")
    url = reverse("home")
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    _notices(personas["officer_a"], 5)
    with CaptureQueriesContext(connection) as with_notices:
        response = client.get(url)
    assert len(with_notices) == len(without)
    assert 'data-unread="5"' in response.content.decode()


# --- e-mail ----------------------------------------------------------------------------------------------------------


def test_no_mail_unless_configured(settings, personas, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    personas["officer_a"].email = "a@example.org"
    personas["officer_a"].save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notices.notify([personas["officer_a"].pk], NoticeKind.BULLETIN, "通报")
    assert callbacks == []
    assert mail_pending() == 0 and mail.outbox == []


def test_each_notice_is_mailed_after_the_commit_by_the_worker(settings, personas, run_tasks,
                                                              django_capture_on_commit_callbacks):
    settings.EMAIL_HOST, settings.EMAIL_BACKEND = MAIL_ON["EMAIL_HOST"], MAIL_ON["EMAIL_BACKEND"]
    settings.SITE_URL = "https://infoassess.example.org"
    User.objects.filter(pk=personas["officer_a"].pk).update(email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify_units([personas["officer_a"].unit_id, personas["officer_b"].unit_id], NoticeKind.BULLETIN,
                             "3月采用通报已发布", "/bulletins/")
    assert mail.outbox == []  # nothing inside the write
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]  # officer B has no address
    assert "3月采用通报已发布" in mail.outbox[0].body and "https://infoassess.example.org/bulletins/" in mail.outbox[0].body
    assert mail_pending() == 0  # never twice


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("down")


def test_a_failing_mail_server_keeps_the_write_and_is_retried(settings, personas):
    settings.EMAIL_HOST, settings.EMAIL_BACKEND = "smtp.example.org", f"{__name__}.FailingBackend"
    User.objects.filter(pk=personas["officer_a"].pk).update(email="a@example.org")
    item = make_submission(personas["officer_a"].unit, desk_state=DeskState.PENDING)
    desk.decide(item, "returned", user=personas["staff"], version=item.version, comment="补充")
    assert mail_pending() == 0
    notice = Notice.objects.get()
    assert notice.mailed_at is None
    settings.EMAIL_BACKEND = MAIL_ON["EMAIL_BACKEND"]
    assert mail_pending() == 1 and len(mail.outbox) == 1


def test_a_digest_is_one_mail_a_day_with_the_days_notices(settings, personas):
    settings.EMAIL_HOST, settings.EMAIL_BACKEND = MAIL_ON["EMAIL_HOST"], MAIL_ON["EMAIL_BACKEND"]
    User.objects.filter(pk=personas["officer_a"].pk).update(email="a@example.org", notice_digest=True)
    _notices(personas["officer_a"], 3)
    assert mail_pending() == 0  # digest people get no single mails
    now, today = timezone.now(), timezone.localdate()  # Beijing time's day, whatever the hour in UTC
    morning = shanghai(today.year, today.month, today.day, 9)
    assert mail_digests(shanghai(today.year, today.month, today.day, 7)) == 0  # before 08:00 Beijing time
    assert mail_digests(max(morning, now)) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].body.count("：通报") == 3
    _notices(personas["officer_a"], 1)
    assert mail_digests(max(morning, now)) == 0  # one a day


def test_the_user_sets_their_own_address_and_digest(client_for, personas):
    client = client_for("officer_a")
    officer = personas["officer_a"]
    response = client.post(reverse("notifications:contact"),
                           {"email": "a@example.org", "notice_digest": "on", "version": officer.version})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.email, officer.notice_digest) == ("a@example.org", True)
    assert AuditEvent.objects.filter(object_id=str(officer.pk)).count() == 1
    # A stale form is refused and its values kept.
    response = client.post(reverse("notifications:contact"), {"email": "b@example.org", "version": officer.version - 1})
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    officer.refresh_from_db()
    assert officer.email == "a@example.org"
    response = client.post(reverse("notifications:contact"), {"email": "不是邮箱", "version": officer.version})
    page = response.content.decode()
    assert response.status_code == 200 and 'value="不是邮箱"' in page and "电子邮箱地址格式不正确" in page


def test_every_notice_links_to_a_page_its_recipient_may_open(client, personas, unit_a, unit_b, officer_c):
    staff = personas["staff"]
    request = services.save_request(None, {"code": "ZY9", "title": "约稿", "deadline": timezone.now() + dt.timedelta(days=3)},
                                    [unit_a], user=staff, token=uuid.uuid4())
    item = make_submission(unit_a, joint=[officer_c.unit], desk_state=DeskState.PENDING, special_request=request)
    services.create_fact(LeaderInstruction, {"submission": item, "level": "city", "kind": "read",
                                             "instructed_on": dt.date.today()}, user=staff, token=uuid.uuid4())
    services.create_fact(Adoption, {"submission": item, "level": "city", "adoption_type": "general",
                                    "adopted_on": dt.date.today()}, user=staff, token=uuid.uuid4())
    desk.decide(item, "returned", user=staff, version=item.version, comment="补充")
    data = ItemInput(unit=unit_a, title="联合", body="", info_type="general", submitted_at=timezone.now(),
                     special_request=None, joint_units=[unit_b])
    services.report_item(data, user=personas["officer_a"], token=uuid.uuid4())
    for unit in (unit_a, unit_b, officer_c.unit):
        make_submission(unit, submitted_at=shanghai(YEAR, 3, 2))
        make_basic_work(unit, year=YEAR)
    publish_bulletin(dt.date(YEAR, 3, 1), staff)
    finalize_year(YEAR, personas["admin"])
    kinds = set()
    for notice in Notice.objects.select_related("recipient"):
        kinds.add(notice.kind)
        assert login(client, notice.recipient).get(notice.link).status_code == 200, (notice.kind, notice.link)
    assert kinds == {NoticeKind.REQUEST, NoticeKind.INSTRUCTED, NoticeKind.ADOPTED, NoticeKind.RETURNED, NoticeKind.JOINT,
                     NoticeKind.BULLETIN, NoticeKind.FINALIZED}
