"""One audit trail (issue 10): every security event and every change, with user and address, on /audit/."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role, User
from audit.admin import AuditEventAdmin
from audit.models import AuditEvent, AuditRecordImmutable, EventKind
from audit.services import record, record_security_event
from awards.models import AwardPick
from scoring.models import RuleSet
from submissions.models import Submission
from tests.factories import (
    PASSWORD,
    login,
    make_basic_work,
    make_person,
    make_scored_unit,
    make_unit,
    make_user,
    recorded,
    ruleset_form_data,
    run_queued_tasks,
    shanghai,
)
from tests.ledger_builder import ledger_file
from units.models import Person, PersonRole, Sequence, Unit

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.7"


def browser(user: User | None = None, address: str = ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    return client


def audit_page(**filters) -> list[AuditEvent]:
    """The records /audit/ lists for an administrator with `filters`."""
    response = browser(make_user(Role.ADMIN)).get(reverse("audit:list"), filters)
    assert response.status_code == 200
    return list(response.context["events"])


def assert_listed(kind: str, who: User | None, address: str = ADDRESS, **filters) -> AuditEvent:
    """The newest record of `kind` on /audit/ is by `who` (None: a name tried, not a user) from `address`."""
    events = audit_page(kind=kind, **filters)
    assert events, f"no {kind} record"
    event = events[0]
    assert (event.user_id, event.address) == ((who.pk if who else None), address)
    if who is not None:
        assert event.username == who.username
    return event


# --- security events ---------------------------------------------------------------------------------------


def test_login_failed_login_and_logout_are_recorded_with_the_address():
    user = make_user(Role.STAFF, username="wangfang")
    client = browser()
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    client.post(reverse("login"), {"username": "wangfang", "password": PASSWORD})
    client.post(reverse("logout"))
    failed = assert_listed(EventKind.LOGIN_FAILED, None, user="nobody")
    assert failed.user is None and "nobody" in failed.summary
    assert_listed(EventKind.LOGIN, user, user="wangfang")
    assert_listed(EventKind.LOGOUT, user, user="wangfang")
    html = browser(make_user(Role.ADMIN)).get(reverse("audit:list"), {"user": "nobody"}).content.decode()
    assert "登录失败" in html and "nobody" in html and ADDRESS in html


def test_every_refused_access_is_recorded():
    officer = make_user(Role.OFFICER)
    assert browser(officer).get(reverse("accounts:list")).status_code == 403
    event = assert_listed(EventKind.ACCESS_DENIED, officer)
    assert "/accounts/" in event.summary and "您没有权限执行此操作" in event.summary
    # A refusal that is not a PermissionDenied of a view: the CSRF check.
    strict = Client(REMOTE_ADDR="198.51.100.9", enforce_csrf_checks=True)
    strict.force_login(officer)
    assert strict.post(reverse("logout")).status_code == 403
    assert_listed(EventKind.ACCESS_DENIED, officer, address="198.51.100.9")


@pytest.mark.parametrize("kind", [EventKind.LOCKED_OUT, EventKind.PASSWORD_CHANGED])
def test_lockouts_and_password_changes_from_other_signals(kind):
    """`record_security_event` is what a lockout library's or a password change's receiver calls."""
    request = RequestFactory().post("/login/", REMOTE_ADDR=ADDRESS)
    record_security_event(request, kind, "zhangsan", "连续登录失败，账户已锁定")
    event = assert_listed(kind, None, user="zhangsan")
    assert event.username == "zhangsan" and event.get_kind_display() in ("账户锁定", "修改密码")


# --- changes -----------------------------------------------------------------------------------------------


def _units_and_people(staff: Client) -> None:
    staff.post(reverse("units:create"), {"name": "新区", "sequence": "district", "is_ranked": "on"})
    unit = Unit.objects.get(name="新区")
    staff.post(reverse("units:edit", args=[unit.pk]), {"name": "新区", "short_name": "新", "sequence": "district",
                                                       "is_ranked": "on", "version": 1})
    staff.post(reverse("units:deactivate", args=[unit.pk]), {"confirmed": "1"})
    staff.post(reverse("units:person_create", args=[unit.pk]), {"role": "information_officer", "name": "李四", "is_active": "on"})
    person = unit.people.get()
    staff.post(reverse("units:person_edit", args=[person.pk]), {"role": "information_officer", "name": "李四",
                                                                "post": "科员", "is_active": "on", "version": 1})
    staff.post(reverse("units:person_delete", args=[person.pk]), {"confirmed": "1"})


def _accounts(admin: Client) -> None:
    admin.post(reverse("accounts:create"), {"username": "newviewer", "first_name": "赵六", "role": "viewer",
                                            "password1": "Gx7#kq2Lm9!p", "password2": "Gx7#kq2Lm9!p"})
    account = User.objects.get(username="newviewer")
    admin.post(reverse("accounts:edit", args=[account.pk]), {"username": "newviewer", "first_name": "赵六",
                                                             "role": "auditor", "version": 1})
    admin.post(reverse("accounts:password", args=[account.pk]), {"new_password1": "Hy8$wr3Pn0@q",
                                                                 "new_password2": "Hy8$wr3Pn0@q"})
    admin.post(reverse("accounts:deactivate", args=[account.pk]), {"confirmed": "1"})


def _rule_sets(admin: Client) -> None:
    source = RuleSet.objects.get(name="2008")
    admin.post(reverse("scoring:ruleset_copy", args=[source.pk]), {"name": "2025版", "description": ""})
    copy = RuleSet.objects.get(name="2025版")
    admin.post(reverse("scoring:ruleset_edit", args=[copy.pk]), ruleset_form_data(copy, monthly_quota__district="12"))
    admin.post(reverse("scoring:year_list"), {"year": 2025, "rule_set": copy.pk})


def _basic_work(staff: Client) -> None:
    unit = make_unit()
    staff.post(reverse("scoring:basic_unit", args=[unit.pk, 2024]),
               {**{f"item{i}": "4.5" for i in range(1, 9)}, "method": "spot_check", "note": "", "version": 0,
                "confirmed": "1"})


def _facts(staff: Client) -> None:
    unit = make_unit()
    staff.post(reverse("submissions:failure_create"), {"unit": unit.pk, "occurred_on": "2024-03-01", "kind": "late",
                                                       "description": "", "form_token": "8d1f4a2e-0b7c-4c55-9d0e-1a2b3c4d5e6f"})


def _ledger(staff: Client) -> None:
    staff.post(reverse("scoring:import"), {"file": _ledger_upload("台账标题")})
    run_queued_tasks()  # the background worker imports it


def _ledger_upload(title: str, unit: str = "道里区"):
    upload = ledger_file({
        "单位": [{"单位名称": "道里区", "序列": "区政府"}, {"单位名称": "南岗区", "序列": "区政府"}],
        "报送": [{"信息编号": "L1", "单位名称": unit, "标题": title, "报送时间": "2024-03-01 09:00", "信息类型": "一般动态"}],
    })
    upload.name = "ledger.xlsx"
    return upload


def _bulletin(staff: Client) -> None:
    staff.post(reverse("bulletins:publish", args=["2024-03"]), {"reason": "", "confirmed": "1"})


def _year_end(admin: Client) -> None:
    units = [make_scored_unit(Sequence.DISTRICT, n, name=f"区{n}") for n in (9, 8, 7, 6, 5, 1)]
    leader = make_person(units[0], role=PersonRole.LEADER_IN_CHARGE, name="甲领导")
    admin.post(reverse("awards:finalize", args=[2024]), {"reason": "", "confirmed": "1"})
    admin.post(reverse("awards:pick", args=[2024]), {"kind": "organizer", "target": leader.pk, "action": "pick",
                                                       "version": 1})
    assert AwardPick.objects.count() == 1
    officer = make_person(units[1], role=PersonRole.INFORMATION_OFFICER, name="乙信息员")
    admin.post(reverse("awards:contribution", args=[2024]), {"person": "乙信息员（区8）", "note": "抗洪期间连续报送"})
    admin.post(reverse("awards:contribution_delete", args=[2024, officer.pk]))


CHANGES: dict[str, tuple[str, Callable[[Client], None], list[tuple[str, str]]]] = {
    # name: (who, what they do, [(kind, model)] that must be recorded)
    "units and people": (Role.STAFF, _units_and_people, [
        (EventKind.CREATE, "units.Unit"), (EventKind.UPDATE, "units.Unit"), (EventKind.CREATE, "units.Person"),
        (EventKind.UPDATE, "units.Person"), (EventKind.DELETE, "units.Person"),
    ]),
    "accounts and roles": (Role.ADMIN, _accounts, [
        (EventKind.CREATE, "accounts.User"), (EventKind.UPDATE, "accounts.User"), (EventKind.PASSWORD_CHANGED, "accounts.User"),
    ]),
    "rule sets and years": (Role.ADMIN, _rule_sets, [
        (EventKind.CREATE, "scoring.RuleSet"), (EventKind.UPDATE, "scoring.RuleSet"),
        (EventKind.CREATE, "scoring.AssessmentYear"),
    ]),
    "basic work": (Role.STAFF, _basic_work, [(EventKind.CREATE, "scoring.BasicWorkEntry")]),
    "facts": (Role.STAFF, _facts, [(EventKind.CREATE, "submissions.UrgentFailure")]),
    "ledger import": (Role.STAFF, _ledger, [
        (EventKind.IMPORT, ""), (EventKind.CREATE, "units.Unit"), (EventKind.CREATE, "submissions.Submission"),
    ]),
    "bulletin publishing": (Role.STAFF, _bulletin, [(EventKind.PUBLISH, "bulletins.BulletinVersion")]),
    "finalizing and award picks": (Role.ADMIN, _year_end, [
        (EventKind.FINALIZE, "awards.YearResult"), (EventKind.CREATE, "awards.AwardPick"),
        (EventKind.CREATE, "awards.SpecialContribution"), (EventKind.DELETE, "awards.SpecialContribution"),
    ]),
}


@pytest.mark.parametrize("name", CHANGES)
def test_every_change_is_on_the_audit_page_with_user_and_address(name):
    role, act, expected = CHANGES[name]
    user = make_user(role)
    act(browser(user))
    for kind, model in expected:
        filters = {"model": model} if model else {}
        assert_listed(kind, user, **filters)


def test_changes_carry_before_and_after_and_the_unit():
    staff = make_user(Role.STAFF)
    _units_and_people(browser(staff))
    unit = Unit.objects.get(name="新区")
    edits = [e.changes for e in audit_page(kind=EventKind.UPDATE, model="units.Unit", object_id=unit.pk)]
    assert {"简称": ["", "新"]} in edits and {"启用": ["是", "否"]} in edits
    deleted = audit_page(kind=EventKind.DELETE, model="units.Person")[0]
    assert deleted.changes["姓名"] == ["李四", ""] and (deleted.unit_id, deleted.unit_name) == (unit.pk, "新区")
    assert audit_page(unit=unit.pk) and all(e.unit_id == unit.pk for e in audit_page(unit=unit.pk))


def test_a_ledger_reload_that_moves_or_retitles_an_item_is_on_its_history():
    staff = make_user(Role.STAFF)
    client = browser(staff)
    client.post(reverse("scoring:import"), {"file": _ledger_upload("旧标题")})
    run_queued_tasks()
    client.post(reverse("scoring:import"), {"file": _ledger_upload("新标题", unit="南岗区")})
    run_queued_tasks()
    item = Submission.objects.get(ledger_no="L1")
    assert (item.title, item.unit.name) == ("新标题", "南岗区")
    change = recorded(kind=EventKind.UPDATE, model="submissions.Submission", object_id=item.pk).get()
    assert change.changes["标题"] == ["旧标题", "新标题"] and change.changes["报送单位"] == ["道里区", "南岗区"]
    assert (change.username, change.address) == (staff.username, ADDRESS)
    page = browser(staff).get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "旧标题" in page and "南岗区" in page and "台账导入" in page
    # Loading the same workbook again changes nothing: only the import itself is recorded.
    before = recorded().count()
    client.post(reverse("scoring:import"), {"file": _ledger_upload("新标题", unit="南岗区")})
    run_queued_tasks()
    assert recorded().count() == before + 1 and recorded().last().kind == EventKind.IMPORT


# --- records are kept --------------------------------------------------------------------------------------


def test_records_survive_the_deletion_of_their_user():
    user = make_user(Role.STAFF, username="leaving")
    browser().post(reverse("login"), {"username": "leaving", "password": PASSWORD})
    browser(user).post(reverse("units:create"), {"name": "留痕单位", "sequence": "bureau"})
    user.delete()
    events = audit_page(user="leaving")
    assert {e.kind for e in events} >= {EventKind.LOGIN, EventKind.CREATE}
    assert all(e.user_id is None and e.username == "leaving" for e in events)
    assert "leaving" in browser(make_user(Role.ADMIN)).get(reverse("audit:list")).content.decode()


def test_records_cannot_be_changed_or_deleted_through_the_system(rf):
    event = record(EventKind.LOGIN, user=None, username="x", summary="登录成功")
    event.summary = "改过"
    with pytest.raises(AuditRecordImmutable):
        event.save()
    with pytest.raises(AuditRecordImmutable):
        event.delete()
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(summary="改过")
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "登录成功"
    request = rf.get("/")
    request.user = make_user(Role.ADMIN, is_superuser=True, is_staff=True)
    admin = AuditEventAdmin(AuditEvent, None)
    assert not (admin.has_add_permission(request) or admin.has_change_permission(request, event)
                or admin.has_delete_permission(request, event))


def _aged(days: int, n: int = 1) -> None:
    at = timezone.now() - dt.timedelta(days=days)
    AuditEvent.objects.bulk_create(AuditEvent(at=at, kind=EventKind.LOGIN, username=f"old{i}") for i in range(n))


def test_prune_audit_refuses_records_younger_than_180_days():
    _aged(30)
    for args in (["--days", "179"], ["--before", timezone.localdate().isoformat()]):
        with pytest.raises(CommandError, match="审计记录至少保留180天"):
            call_command("prune_audit", *args)
    assert AuditEvent.objects.count() == 1


def test_prune_audit_deletes_old_records_only_and_says_so():
    _aged(400, n=3)
    _aged(100, n=2)
    out = io.StringIO()
    call_command("prune_audit", "--days", "365", stdout=out)
    assert "3 条" in out.getvalue()
    assert AuditEvent.objects.filter(kind=EventKind.LOGIN).count() == 2
    assert AuditEvent.objects.get(kind=EventKind.PRUNE).summary.endswith("3 条")


def test_prune_audit_without_arguments_keeps_the_retention_setting(settings):
    settings.AUDIT_RETENTION_DAYS = 300
    _aged(400)
    _aged(250)
    call_command("prune_audit", stdout=io.StringIO())
    assert AuditEvent.objects.filter(kind=EventKind.LOGIN).count() == 1
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(CommandError, match="审计记录至少保留180天"):
        call_command("prune_audit")


@pytest.mark.parametrize("args", [["--days", "abc"], ["--before", "2024-13-01"], ["--days", "200", "--before", "2020-01-01"]])
def test_prune_audit_refuses_bad_arguments(args):
    _aged(400)
    with pytest.raises(CommandError):
        call_command("prune_audit", *args)
    assert AuditEvent.objects.count() == 1


# --- the page ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [
    ("admin", 200), ("auditor", 200), ("staff", 403), ("officer_a", 403), ("viewer", 403), ("anonymous", 302),
])
def test_who_reads_the_audit_trail(client, personas, persona, status):
    user = make_user(Role.AUDITOR) if persona == "auditor" else personas[persona]
    response = login(client, user).get(reverse("audit:list"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))
    if user is not None:
        home = client.get(reverse("home")).content.decode()
        assert ("审计日志" in home) == (status == 200)


def test_the_auditor_reads_the_reports_and_changes_nothing(client, personas, unit_a):
    auditor = make_user(Role.AUDITOR)
    client.force_login(auditor)
    for url in (reverse("audit:list"), reverse("scoring:ranking"), reverse("bulletins:list"), reverse("awards:index"),
                reverse("home")):
        assert client.get(url).status_code == 200, url
    for url in (reverse("submissions:list"), reverse("units:list"), reverse("scoring:basic_list"),
                reverse("submissions:failure_list"), reverse("accounts:list")):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("units:create"), {"name": "审计员新增", "sequence": "bureau"}).status_code == 403
    assert client.post(reverse("bulletins:publish", args=["2024-03"]), {}).status_code == 403
    assert client.post(reverse("awards:finalize", args=[2024]), {}).status_code == 403
    assert not Unit.objects.filter(name="审计员新增").exists()
    nav = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    assert nav == ["首页", "考核排名", "采用通报", "年度评比", "审计日志"]


def test_filters_by_time_user_unit_kind_and_object():
    unit, other = make_unit(), make_unit()
    early = AuditEvent(at=shanghai(2024, 3, 1, 23, 59), username="甲", kind=EventKind.UPDATE, model="units.Unit",
                       object_id=unit.pk, unit_id=unit.pk, unit_name=unit.name, summary="早")
    late = AuditEvent(at=shanghai(2024, 3, 2, 0, 1), username="乙", kind=EventKind.LOGIN, unit_id=other.pk, summary="晚")
    AuditEvent.objects.bulk_create([early, late])
    summaries = lambda **f: [e.summary for e in audit_page(**f)]  # noqa: E731
    assert summaries(start="2024-03-02", end="2024-03-02") == ["晚"]  # days are Beijing days
    assert summaries(end="2024-03-01") == ["早"]
    assert summaries(user="甲") == ["早"]
    assert summaries(unit=other.pk) == ["晚"]
    assert summaries(kind=EventKind.LOGIN, start="2024-01-01", end="2024-12-31") == ["晚"]
    assert summaries(model="units.Unit", object_id=unit.pk) == ["早"]


@pytest.mark.parametrize(("params", "message"), [
    ({"start": "2024-02-30"}, "起始日期格式不正确"),
    ({"start": "0001-01-01"}, "日期应在2000年至2100年之间"),
    ({"end": "9999-12-31"}, "日期应在2000年至2100年之间"),
    ({"start": "2024-03-02", "end": "2024-03-01"}, "截止日期不能早于起始日期"),
    ({"kind": "hack"}, "所选事件类型不存在"),
    ({"unit": "²"}, "没有名为“²”的单位。"),
    ({"model": "auth.Nothing"}, "所选对象类型不存在"),
    ({"object_id": "' OR 1=1"}, "对象编号应为正整数"),
    ({"object_id": "5"}, "按对象编号筛选时请选择对象类型"),
    ({"page": "-1"}, "页码应为正整数"),
])
def test_bad_filters_are_refused_in_chinese(params, message):
    response = browser(make_user(Role.ADMIN)).get(reverse("audit:list"), params)
    assert response.status_code == 400 and message in response.content.decode()


def test_fifty_a_page_newest_first_in_beijing_time():
    start = shanghai(2024, 5, 1, 8, 0)
    AuditEvent.objects.bulk_create(
        AuditEvent(at=start + dt.timedelta(minutes=i), username=f"u{i}", kind=EventKind.LOGIN) for i in range(120)
    )
    admin = browser(make_user(Role.ADMIN))
    first = admin.get(reverse("audit:list"), {"start": "2024-05-01", "end": "2024-05-01"})
    assert [e.username for e in first.context["events"]] == [f"u{i}" for i in range(119, 69, -1)]
    assert first.context["has_next"] and "2024年5月1日 09:59:00" in first.content.decode()  # 08:00 + 119 min, UTC+8
    third = admin.get(reverse("audit:list"), {"start": "2024-05-01", "end": "2024-05-01", "page": 3})
    assert [e.username for e in third.context["events"]] == [f"u{i}" for i in range(19, -1, -1)]
    assert not third.context["has_next"]


def test_the_page_query_count_is_fixed(django_assert_num_queries):
    AuditEvent.objects.bulk_create(
        AuditEvent(at=timezone.now(), username=f"u{i}", kind=EventKind.UPDATE, changes={"标题": ["a", "b"]})
        for i in range(300)
    )
    for _ in range(20):
        make_unit()
    client = browser(make_user(Role.ADMIN))
    # session, user, one page of records (no COUNT): the unit filter is typed, no list of units
    with django_assert_num_queries(3):
        response = client.get(reverse("audit:list"), {"kind": EventKind.UPDATE})
    assert len(response.context["events"]) == 50


def test_the_filtered_records_export_to_xlsx():
    unit = make_unit(name="道里区")
    AuditEvent.objects.bulk_create([
        AuditEvent(at=shanghai(2024, 3, 1, 9, 30), username="甲", address="10.0.0.1", kind=EventKind.UPDATE,
                   model="units.Unit", object_id=unit.pk, object_repr="道里区", unit_id=unit.pk, unit_name="道里区",
                   summary="=1+1", changes={"简称": ["", "道里"]}),
        AuditEvent(at=shanghai(2024, 3, 1, 10, 0), username="乙", kind=EventKind.LOGIN_FAILED, summary="不应导出"),
    ])
    response = browser(make_user(Role.ADMIN)).get(reverse("audit:list"), {"unit": unit.pk, "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0] == ["时间（北京时间）", "用户", "地址", "事件", "对象", "单位", "摘要", "变更（原值 → 新值）"]
    assert rows[1:] == [["2024年3月1日 09:30:00", "甲", "10.0.0.1", "修改", "道里区", "道里区", "=1+1", "简称：（空） → 道里"]]
    assert sheet["G4"].data_type == "s"  # a formula-like summary stays text
    assert browser(make_user(Role.VIEWER)).get(reverse("audit:list"), {"format": "xlsx"}).status_code == 403


def test_item_history_keeps_its_facts_from_the_copied_records():
    """The item page reads its own and its adoptions' records (as the copied FactChange rows are shaped)."""
    unit = make_unit()
    item = Submission.objects.create(unit=unit, ledger_no="H1", title="历史", info_type="general", submitted_at=timezone.now())
    AuditEvent.objects.bulk_create([
        AuditEvent(at=timezone.now(), username="甲", kind=EventKind.CREATE, model="submissions.Submission",
                   object_id=item.pk, summary="报送"),
        AuditEvent(at=timezone.now(), username="乙", kind=EventKind.DELETE, model="submissions.Adoption", object_id=99,
                   parent_model="submissions.Submission", parent_id=item.pk, summary="删除的采用"),
    ])
    html = browser(make_user(Role.STAFF)).get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "报送" in html and "删除的采用" in html and "乙" in html


def test_basic_work_records_name_the_unit():
    entry = make_basic_work(year=2024)
    staff = make_user(Role.STAFF)
    browser(staff).post(reverse("scoring:basic_unit", args=[entry.unit_id, 2024]),
                        {**{f"item{i}": "4.0" for i in range(1, 9)}, "method": "spot_check", "note": "复核", "version": 1,
                         "confirmed": "1"})
    event = assert_listed(EventKind.UPDATE, staff, model="scoring.BasicWorkEntry")
    assert event.unit_id == entry.unit_id and event.changes["第1项"] == ["5.0", "4.0"]


@pytest.mark.parametrize("value", ["²", "-1", "' OR 1=1", "x" * 10_000, "\x00", "0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("name", ["start", "end", "user", "unit", "kind", "model", "object_id", "page", "format"])
def test_hostile_filter_values_are_never_a_500(name, value):
    response = browser(make_user(Role.ADMIN)).get(reverse("audit:list"), {"model": "units.Unit", name: value})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        html = response.content.decode()
        errors = [e for field in response.context["filters"].errors.values() for e in field]
        assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors
        assert "is-invalid" in html or "text-danger" in html or "invalid-feedback" in html


def test_changes_on_the_django_admin_site_are_recorded():
    superuser = make_user(Role.ADMIN, is_superuser=True, is_staff=True)
    unit = make_unit(name="后台单位")
    url = reverse("admin:units_unit_change", args=[unit.pk])
    response = browser(superuser).post(url, {"name": "后台单位", "short_name": "后台", "sequence": "bureau", "is_ranked": "on",
                                             "is_active": "on", "people-TOTAL_FORMS": "0", "people-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = assert_listed(EventKind.UPDATE, superuser, model="units.Unit", object_id=unit.pk)
    assert event.summary.startswith("管理后台：后台单位") and event.unit_id == unit.pk


def test_the_admin_site_has_no_bulk_delete_and_a_single_delete_is_recorded():
    """"Delete selected" logs in bulk, without the signal the audit trail listens to: it is switched off."""
    from django.contrib import admin
    from django.test import RequestFactory

    superuser = make_user(Role.ADMIN, is_superuser=True, is_staff=True)
    request = RequestFactory().get("/django-admin/")
    request.user = superuser
    offering = {model._meta.label for model, model_admin in admin.site._registry.items()
                if "delete_selected" in model_admin.get_actions(request)}
    assert offering == set()

    people = [make_person(make_unit(), name=f"后台人员{n}") for n in range(2)]
    client = browser(superuser)
    response = client.post(reverse("admin:units_person_changelist"),
                           {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"})
    assert response.status_code in (200, 302) and Person.objects.filter(pk__in=[p.pk for p in people]).count() == 2

    response = client.post(reverse("admin:units_person_delete", args=[people[0].pk]), {"post": "yes"})
    assert response.status_code == 302 and not Person.objects.filter(pk=people[0].pk).exists()
    event = assert_listed(EventKind.DELETE, superuser, model="units.Person", object_id=people[0].pk)
    assert event.summary.startswith("管理后台：后台人员0")
