"""The editorial desk (issue 15): inbox, decisions, composing and publishing issues, adoptions following."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from audit.models import AuditEvent, EventKind
from bulletins.services import build_bulletin
from editorial import services
from editorial.document import issue_docx
from editorial.models import Carrier, Decision, Issue, IssueItem, IssueStatus
from editorial.views import _entries
from scoring.engine import round2
from scoring.ledger import import_ledger
from scoring.services import compute_scores, rules_for_year
from submissions import services as submission_services
from submissions.models import Adoption, DeskState, Submission
from tests.factories import login, make_adoption, make_carrier, make_issue, make_request, make_submission, make_unit
from tests.ledger_builder import ledger_file

pytestmark = pytest.mark.django_db


def on_desk(unit, **kw) -> Submission:
    kw.setdefault("desk_state", DeskState.PENDING)
    return make_submission(unit, **kw)


def city_points(year: int, adoption_type: str = "general") -> Decimal:
    return round2(rules_for_year(year).rules().adoption_points["city"][adoption_type])


def unit_score(unit, year: int):
    return next(s for s in compute_scores(year).scores if s.facts.unit_id == unit.pk)


def publish(issue: Issue, user, day: dt.date | None = None) -> Issue:
    issue.refresh_from_db()
    return services.publish_issue(issue, user=user, version=issue.version, issued_on=day or timezone.localdate())


# --- the whole path ----------------------------------------------------------------------------------------


def test_reported_item_is_adopted_published_scored_and_shown_to_its_unit(client, personas, unit_a):
    carrier = make_carrier(name="哈尔滨政务信息测试版")
    officer, staff = personas["officer_a"], personas["staff"]
    today = timezone.localdate()

    login(client, officer)
    response = client.post(reverse("submissions:create"), {
        "title": "道里区推进冰雪旅游", "info_type": "general", "body": "第一段。\n第二段。",
        "form_token": "6f1e2d3c-0000-4000-8000-000000000001",
    })
    assert response.status_code == 302
    item = Submission.objects.get(title="道里区推进冰雪旅游")
    assert item.desk_state == DeskState.PENDING

    login(client, staff)
    assert "道里区推进冰雪旅游" in client.get(reverse("editorial:inbox")).content.decode()
    client.post(reverse("editorial:issue_create"), {"carrier": carrier.pk})
    issue = Issue.objects.get(carrier=carrier)
    item.refresh_from_db()
    response = client.post(reverse("editorial:decide", args=[item.pk]),
                           {"action": "selected", "issue": issue.pk, "version": item.version})
    assert response.status_code == 302
    entry = issue.entries.get()
    edit = reverse("editorial:entry_edit", args=[issue.pk, entry.pk])
    client.post(edit, {"title": "道里区冰雪旅游持续升温", "body": "编辑后的正文。", "adoption_type": "general", "version": 1})
    stale = client.post(edit, {"title": "另一位编辑的标题", "body": "", "adoption_type": "general", "version": 1})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    client.post(reverse("editorial:issue_edit", args=[issue.pk]),
                {"editor_note": "", "responsible_editor": "张编辑", "signed_by": "李主任", "version": 1})
    issue.refresh_from_db()
    response = client.post(reverse("editorial:issue_publish", args=[issue.pk]),
                           {"issued_on": today.isoformat(), "version": issue.version})
    assert response.status_code == 302

    issue.refresh_from_db()
    assert (issue.status, issue.year, issue.number, issue.total_number) == (IssueStatus.PUBLISHED, today.year, 1, 1)
    adoption = Adoption.objects.get(submission=item)
    assert (adoption.level, adoption.adoption_type, adoption.adopted_on) == ("city", "general", today)
    assert (adoption.carrier, adoption.issue_no) == (carrier.name, f"{today.year}年第1期")
    item.refresh_from_db()
    assert (item.title, item.body) == ("道里区推进冰雪旅游", "第一段。\n第二段。")  # the unit's original is untouched

    assert unit_score(unit_a, today.year).adoption == city_points(today.year)
    bulletin = build_bulletin(today.year, today.month)
    row = next(r for r in bulletin["units"] if r["unit"] == unit_a.name)
    assert row["adopted"]["month"]["city"] == 1
    assert any(e["submission_id"] == item.pk and e["carrier"] == carrier.name for e in bulletin["adopted_items"])

    login(client, officer)
    fate = f"已采用（《{carrier.name}》{today.year}年第1期）"
    assert fate in client.get(reverse("submissions:list")).content.decode()
    assert fate in client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert fate in client.get(reverse("home")).content.decode()

    login(client, staff)
    response = client.get(reverse("editorial:issue_download", args=[issue.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert texts[0] == carrier.name and f"{today.year}年第1期（总第1期）" in texts[1]
    assert "道里区冰雪旅游持续升温" in texts and "编辑后的正文。" in texts
    assert f"（{unit_a.name}报送）" in texts
    assert any("责任编辑：张编辑" in t and "签发：李主任" in t for t in texts)


def test_docx_names_every_unit_of_a_joint_item_in_red_masthead(personas, unit_a, unit_b):
    item = on_desk(unit_a, joint=[unit_b], pending=[make_unit(name="未确认的单位")], title="联合信息", body="正文一段。")
    issue = publish(make_issue(items=[item]), personas["staff"])
    document = Document(io.BytesIO(issue_docx(issue, _entries(issue))))
    texts = [p.text for p in document.paragraphs]
    assert f"（{unit_a.name}、{unit_b.name}报送）" in texts  # a joint unit that has not confirmed is not named
    masthead = document.paragraphs[0].runs[0]
    assert str(masthead.font.color.rgb) == "C00000"
    title = next(p for p in document.paragraphs if p.text == "联合信息").runs[0]
    assert title.font.name == "黑体"
    body = next(p for p in document.paragraphs if p.text == "正文一段。").runs[0]
    assert body.font.name == "仿宋_GB2312"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_numbers_restart_each_year_and_the_total_runs_on(personas):
    carrier = make_carrier()
    staff = personas["staff"]
    last_year = timezone.localdate().replace(month=1, day=2) - dt.timedelta(days=7)
    old = [on_desk(make_unit(), submitted_at=timezone.now() - dt.timedelta(days=400)) for _ in range(2)]
    first = publish(make_issue(carrier, [old[0]]), staff, last_year)
    second = publish(make_issue(carrier, [old[1]]), staff, last_year)
    third = publish(make_issue(carrier, [on_desk(make_unit())]), staff)
    assert [(i.number, i.total_number) for i in (first, second, third)] == [(1, 1), (2, 2), (1, 3)]


# --- decisions -----------------------------------------------------------------------------------------


def test_returned_item_is_edited_by_its_unit_and_comes_back_with_each_round_kept(client, personas, unit_a):
    item = on_desk(unit_a, title="初稿")
    login(client, personas["staff"])
    url = reverse("editorial:decide", args=[item.pk])
    response = client.post(url, {"action": "returned", "comment": "", "version": item.version})
    assert response.status_code == 400 and "退回修改必须填写修改意见" in response.content.decode()
    client.post(url, {"action": "returned", "comment": "请补充数据", "version": item.version})
    item.refresh_from_db()
    assert (item.desk_state, item.desk_note) == (DeskState.RETURNED, "请补充数据")

    login(client, personas["officer_a"])
    page = client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "退回修改" in page and "请补充数据" in page and "修改后重新报送" in page
    response = client.post(reverse("submissions:edit", args=[item.pk]), {
        "title": "补充后的稿子", "info_type": "general", "body": "有了数据", "version": item.version,
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.desk_state, item.title) == (DeskState.PENDING, "补充后的稿子")

    login(client, personas["staff"])
    client.post(reverse("editorial:decide", args=[item.pk]), {"action": "rejected", "comment": "", "version": item.version})
    assert list(Decision.objects.filter(submission=item).values_list("action", flat=True)) == ["returned", "rejected"]
    page = client.get(reverse("editorial:review", args=[item.pk])).content.decode()
    assert "请补充数据" in page and "补充后的稿子" in page
    login(client, personas["officer_a"])
    assert client.post(reverse("submissions:edit", args=[item.pk]), {"title": "再改"}).status_code == 403


def test_a_returned_answer_to_a_request_closed_since_keeps_its_request(client, personas, unit_a):
    request = make_request([unit_a], deadline=timezone.now() - dt.timedelta(hours=1))
    item = on_desk(unit_a, special_request=request, submitted_at=timezone.now() - dt.timedelta(days=1),
                   desk_state=DeskState.RETURNED, desk_note="请补充")
    login(client, personas["officer_a"])
    response = client.post(reverse("submissions:edit", args=[item.pk]), {
        "title": "补充后", "info_type": "general", "body": "", "special_request": request.pk, "version": item.version,
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.special_request, item.desk_state) == (request, DeskState.PENDING)
    assert item.submitted_at < request.deadline  # still answered on time


def test_two_editors_on_one_item_cannot_both_win(client, personas, unit_a):
    item = on_desk(unit_a)
    issue = make_issue()
    seen = item.version  # both editors opened the item at this version
    login(client, personas["staff"])
    first = client.post(reverse("editorial:decide", args=[item.pk]), {"action": "selected", "issue": issue.pk, "version": seen})
    login(client, personas["admin"])
    second = client.post(reverse("editorial:decide", args=[item.pk]), {"action": "rejected", "version": seen})
    assert first.status_code == 302 and second.status_code == 400
    assert "已被他人处理" in second.content.decode()
    item.refresh_from_db()
    assert item.desk_state == DeskState.SELECTED
    assert Decision.objects.filter(submission=item).count() == 1


def test_one_item_goes_into_issues_of_several_carriers(personas, unit_a):
    item = on_desk(unit_a)
    city, province = make_carrier(), make_carrier(level="province", adoption_type="general")
    staff = personas["staff"]
    for carrier in (city, province):
        issue = Issue.objects.create(carrier=carrier)
        item.refresh_from_db()
        services.decide(item, "selected", user=staff, version=item.version, issue=issue)
        publish(issue, staff)
        if carrier == city:
            item.refresh_from_db()
            with pytest.raises(services.DeskError, match="已刊发"):
                services.decide(item, "rejected", user=staff, version=item.version)
    assert sorted(Adoption.objects.filter(submission=item).values_list("level", flat=True)) == ["city", "province"]
    item.refresh_from_db()
    assert item.desk_state == DeskState.ADOPTED


def test_an_item_already_adopted_at_the_level_is_printed_but_earns_no_second_adoption(personas, unit_a):
    item = on_desk(unit_a)
    staff = personas["staff"]
    publish(make_issue(items=[item]), staff)
    second = publish(make_issue(items=[item]), staff)
    assert Adoption.objects.filter(submission=item).count() == 1
    assert second.entries.get().adoption is None


def test_a_carrier_with_several_types_needs_the_type_per_item(personas, unit_a):
    carrier = make_carrier(adoption_type="")
    item = on_desk(unit_a, info_type="small_research")
    issue = Issue.objects.create(carrier=carrier)
    with pytest.raises(services.DeskError, match="采用类型只能是"):
        services.decide(item, "selected", user=personas["staff"], version=item.version, issue=issue)
    services.decide(item, "selected", user=personas["staff"], version=item.version, issue=issue, adoption_type="small_research")
    publish(issue, personas["staff"])
    assert Adoption.objects.get(submission=item).adoption_type == "small_research"


def test_edits_of_a_draft_are_on_the_audit_trail_with_before_and_after(client, personas, unit_a):
    items = [on_desk(unit_a, title=f"信息{n}") for n in range(2)]
    issue = make_issue(items=items)
    entry = issue.entries.get(position=1)
    login(client, personas["staff"])
    client.post(reverse("editorial:issue_edit", args=[issue.pk]),
                {"editor_note": "", "responsible_editor": "张编辑", "signed_by": "", "version": issue.version})
    client.post(reverse("editorial:entry_edit", args=[issue.pk, entry.pk]),
                {"title": "信息0（刊发稿）", "body": entry.body, "adoption_type": entry.adoption_type, "version": entry.version})
    client.post(reverse("editorial:entry_move", args=[issue.pk, entry.pk, "down"]))
    client.post(reverse("editorial:entry_move", args=[issue.pk, entry.pk, "down"]))  # already last: nothing to record

    events = AuditEvent.objects.filter(kind=EventKind.UPDATE, user=personas["staff"]).order_by("id")
    fields, text, order = [(e.model, e.changes) for e in events]
    assert fields == ("editorial.Issue", {"责任编辑": ["", "张编辑"]})
    assert text == ("editorial.IssueItem", {"刊发标题": ["信息0", "信息0（刊发稿）"]})
    assert order == ("editorial.Issue", {"刊发顺序": ["1. 信息0（刊发稿）；2. 信息1", "1. 信息1；2. 信息0（刊发稿）"]})
    # The entry's record sits under its issue and its unit.
    assert (events[1].parent_model, events[1].parent_id, events[1].unit_id) == ("editorial.Issue", issue.pk, unit_a.pk)


def test_removing_an_item_from_a_draft_puts_it_back_in_the_inbox(client, personas, unit_a):
    items = [on_desk(unit_a, title=f"信息{n}") for n in range(3)]
    issue = make_issue(items=items)
    login(client, personas["staff"])
    entries = list(issue.entries.all())
    client.post(reverse("editorial:entry_move", args=[issue.pk, entries[2].pk, "up"]))
    assert list(issue.entries.values_list("title", flat=True)) == ["信息0", "信息2", "信息1"]
    assert client.post(reverse("editorial:entry_move", args=[issue.pk, entries[2].pk, "sideways"])).status_code == 404
    client.post(reverse("editorial:entry_remove", args=[issue.pk, entries[0].pk]))
    items[0].refresh_from_db()
    assert items[0].desk_state == DeskState.PENDING and issue.entries.count() == 2


def test_discarding_a_draft_puts_its_items_back_and_a_published_issue_cannot_be_discarded(client, personas, unit_a):
    items = [on_desk(unit_a) for _ in range(2)]
    draft = make_issue(items=items)
    login(client, personas["staff"])
    assert client.post(reverse("editorial:issue_discard", args=[draft.pk])).status_code == 302
    assert not Issue.objects.filter(pk=draft.pk).exists()
    assert set(Submission.objects.filter(pk__in=[i.pk for i in items]).values_list("desk_state", flat=True)) == {"pending"}
    published = publish(make_issue(items=items), personas["staff"])
    client.post(reverse("editorial:issue_discard", args=[published.pk]))
    assert Issue.objects.filter(pk=published.pk, status=IssueStatus.PUBLISHED).exists()
    assert login(client, personas["viewer"]).post(reverse("editorial:issue_discard", args=[published.pk])).status_code == 403


def test_officer_withdraws_a_pending_item_and_it_stops_counting(client, personas, unit_a):
    item = on_desk(unit_a)
    login(client, personas["officer_a"])
    # The first POST asks on the confirmation page (core.confirm) and changes nothing.
    asked = client.post(reverse("submissions:withdraw", args=[item.pk]))
    assert asked.status_code == 200 and f"请确认：撤回“{item.title}”" in asked.content.decode()
    item.refresh_from_db()
    assert item.desk_state == DeskState.PENDING and not item.is_invalid
    assert client.post(reverse("submissions:withdraw", args=[item.pk]), {"confirmed": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.desk_state == DeskState.WITHDRAWN and item.is_invalid
    assert client.post(reverse("submissions:withdraw", args=[item.pk]), {"confirmed": "1"}).status_code == 403
    decided = on_desk(unit_a)
    with pytest.raises(ValueError, match="已由办公厅处理"):
        Submission.objects.filter(pk=decided.pk).update(desk_state=DeskState.RESERVED)
        submission_services.withdraw_item(decided, user=personas["officer_a"])


# --- publishing and withdrawing ------------------------------------------------------------------------


def test_withdrawing_an_issue_removes_its_adoptions_and_restores_the_scores(client, personas, unit_a):
    year = timezone.localdate().year
    item = on_desk(unit_a)
    issue = publish(make_issue(items=[item]), personas["staff"])
    assert unit_score(unit_a, year).adoption == city_points(year)
    login(client, personas["staff"])
    response = client.post(reverse("editorial:issue_withdraw", args=[issue.pk]), {"reason": ""})
    assert response.status_code == 400 and "撤回必须填写原因" in response.content.decode()
    client.post(reverse("editorial:issue_withdraw", args=[issue.pk]), {"reason": "内容有误"})
    issue.refresh_from_db()
    item.refresh_from_db()
    assert issue.status == IssueStatus.WITHDRAWN and item.desk_state == DeskState.PENDING
    assert not Adoption.objects.filter(submission=item).exists()
    assert unit_score(unit_a, year).adoption == 0
    assert AuditEvent.objects.filter(parent_id=item.pk, model="submissions.Adoption", kind=EventKind.DELETE).exists()


def _draft_of(n: int) -> Issue:
    issue = make_issue(items=[on_desk(make_unit()) for _ in range(n)])
    issue.refresh_from_db()
    return issue


def test_publishing_50_items_runs_as_many_queries_as_publishing_2(personas, django_assert_max_num_queries):
    small, large, today = _draft_of(2), _draft_of(50), timezone.localdate()
    with CaptureQueriesContext(connection) as few:
        services.publish_issue(small, user=personas["staff"], version=small.version, issued_on=today)
    with django_assert_max_num_queries(len(few)):
        services.publish_issue(large, user=personas["staff"], version=large.version, issued_on=today)
    assert Adoption.objects.filter(issue_entry__issue=large).count() == 50
    assert AuditEvent.objects.filter(model="submissions.Adoption", kind=EventKind.CREATE).count() == 52


def test_publishing_refuses_an_empty_draft_and_a_stale_version(client, personas):
    issue = make_issue()
    login(client, personas["staff"])
    response = client.post(reverse("editorial:issue_publish", args=[issue.pk]),
                           {"issued_on": timezone.localdate().isoformat(), "version": issue.version})
    assert response.status_code == 400 and "还没有信息" in response.content.decode()
    response = client.post(reverse("editorial:issue_publish", args=[issue.pk]), {"issued_on": "2099-01-01", "version": 1})
    assert response.status_code == 400 and "日期不能晚于今天" in response.content.decode()
    issue.refresh_from_db()
    assert issue.is_draft


# --- upward submission -------------------------------------------------------------------------------------


def test_forwarded_item_records_a_provincial_adoption_from_the_carrier_list(client, personas, unit_a):
    province = make_carrier(name="省级测试刊物", level="province", adoption_type="general")
    item = on_desk(unit_a)
    issue = publish(make_issue(items=[item]), personas["staff"])
    entry = issue.entries.get()
    today = timezone.localdate().isoformat()
    login(client, personas["staff"])
    client.post(reverse("editorial:entry_forward", args=[issue.pk]), {"forwarded_on": today, "entries": [entry.pk]})
    entry.refresh_from_db()
    assert entry.forwarded_on == timezone.localdate()
    assert item.title in client.get(reverse("editorial:forwarded")).content.decode()
    response = client.post(reverse("editorial:upward_adoption", args=[entry.pk]),
                           {"carrier": province.pk, "issue_no": "第8期", "adopted_on": today})
    assert response.status_code == 302
    adoption = Adoption.objects.get(submission=item, level="province")
    assert (adoption.carrier, adoption.issue_no, adoption.adoption_type) == ("省级测试刊物", "第8期", "general")
    again = client.post(reverse("editorial:upward_adoption", args=[entry.pk]),
                        {"carrier": province.pk, "issue_no": "第9期", "adopted_on": today})
    assert again.status_code == 200 and "每个层级只能采用一次" in again.content.decode()


def test_an_adoption_by_hand_names_a_carrier_from_the_list(client, personas, unit_a):
    item = on_desk(unit_a, info_type="urgent")
    urgent = make_carrier(name="要情测试", adoption_type="urgent")
    login(client, personas["staff"])
    url = reverse("editorial:item_adoption", args=[item.pk])
    assert url in client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    early = client.post(url, {"carrier": urgent.pk, "adopted_on": "2000-01-01"})
    assert early.status_code == 200 and "不能早于信息的报送日期" in early.content.decode()
    today = timezone.localdate().isoformat()
    assert client.post(url, {"carrier": urgent.pk, "issue_no": "第3期", "adopted_on": today}).status_code == 302
    assert Adoption.objects.filter(submission=item, level="city", adoption_type="urgent", carrier="要情测试").exists()
    assert login(client, personas["viewer"]).get(url).status_code == 403


def test_carriers_named_by_typed_or_imported_adoptions_join_the_list(client, personas, unit_a):
    make_adoption(make_submission(unit_a), level="province", adoption_type="research", carrier="《台账里的省刊》")
    make_adoption(make_submission(unit_a), carrier="哈尔滨政务信息")
    login(client, personas["admin"])
    before = Carrier.objects.count()
    client.post(reverse("editorial:carrier_sync"))
    assert Carrier.objects.count() == before + 1
    assert Carrier.objects.get(name="台账里的省刊").level == "province"
    assert login(client, personas["staff"]).post(reverse("editorial:carrier_sync")).status_code == 403


# --- carriers ------------------------------------------------------------------------------------------


def test_carriers_from_the_migration_are_listed():
    names = set(Carrier.objects.values_list("name", flat=True))
    assert {"哈尔滨政务信息", "每日要情", "领导参阅", "调研与参考"} <= names
    assert Carrier.objects.filter(level="province").exists() and Carrier.objects.filter(level="state").exists()


def test_admin_manages_carriers_and_a_type_foreign_to_the_level_is_refused(client, personas):
    url = reverse("editorial:carrier_create")
    login(client, personas["staff"])
    assert client.get(url).status_code == 403
    login(client, personas["admin"])
    bad = client.post(url, {"name": "新刊", "level": "province", "adoption_type": "urgent", "frequency": "weekly", "order": 1})
    assert bad.status_code == 200 and "省级刊物只有这些采用类型" in bad.content.decode()
    assert client.post(url, {"name": "《新刊》", "level": "city", "adoption_type": "urgent", "frequency": "weekly",
                             "order": 1, "is_active": "on"}).status_code == 302
    assert client.post(url, {"name": "新刊", "level": "city", "frequency": "weekly", "order": 1}).status_code == 200
    carrier = Carrier.objects.get(name="新刊")
    created = AuditEvent.objects.get(kind=EventKind.CREATE, model="editorial.Carrier", object_id=carrier.pk)
    assert created.user == personas["admin"] and created.changes["刊物名称"] == ["", "新刊"]
    client.post(reverse("editorial:carrier_edit", args=[carrier.pk]),
                {"name": "新刊", "level": "city", "adoption_type": "general", "frequency": "weekly", "order": 1,
                 "version": carrier.version})
    changed = AuditEvent.objects.get(kind=EventKind.UPDATE, model="editorial.Carrier", object_id=carrier.pk)
    assert changed.changes["采用类型"] == ["紧急重要", "一般动态"] and changed.changes["在用"] == ["是", "否"]


# --- the inbox and access ------------------------------------------------------------------------------


def test_inbox_lists_pending_items_oldest_first_and_leaves_imported_ones_out(client, personas, unit_a):
    now = timezone.now()
    newer = on_desk(unit_a, title="较新", submitted_at=now - dt.timedelta(hours=1))
    older = on_desk(unit_a, title="较早", submitted_at=now - dt.timedelta(days=2), body="含关键词冰灯")
    make_submission(unit_a, title="台账导入的")  # not on the desk
    login(client, personas["viewer"])
    page = client.get(reverse("editorial:inbox")).content.decode()
    assert page.index(older.title) < page.index(newer.title) and "台账导入的" not in page
    filtered = client.get(reverse("editorial:inbox"), {"q": "冰灯"}).content.decode()
    assert "较早" in filtered and "较新" not in filtered
    bad = client.get(reverse("editorial:inbox"), {"date_from": "昨天", "unit": "999999"})
    assert bad.status_code == 200 and "日期格式应为" in bad.content.decode()


def test_inbox_runs_a_fixed_number_of_queries(client, personas, django_assert_num_queries):
    for _ in range(60):
        on_desk(make_unit(), joint=[make_unit()])
    login(client, personas["staff"])
    with django_assert_num_queries(5):
        response = client.get(reverse("editorial:inbox"))
    assert response.status_code == 200


def test_issue_page_runs_a_fixed_number_of_queries(client, personas, django_assert_num_queries):
    issue = make_issue(items=[on_desk(make_unit(), joint=[make_unit()]) for _ in range(30)])
    login(client, personas["staff"])
    with django_assert_num_queries(5):
        assert client.get(reverse("editorial:issue_detail", args=[issue.pk])).status_code == 200


@pytest.mark.parametrize("name", ["editorial:inbox", "editorial:issue_list", "editorial:carrier_list", "editorial:forwarded"])
def test_officers_never_see_the_desk_and_anonymous_is_sent_to_login(client, personas, name):
    url = reverse(name)
    assert login(client, personas["anonymous"]).get(url).status_code == 302
    assert login(client, personas["officer_a"]).get(url).status_code == 403
    assert login(client, personas["viewer"]).get(url).status_code == 200


def test_officers_cannot_open_drafts_or_items_and_viewers_only_read(client, personas, unit_a, unit_b):
    item = on_desk(unit_a)
    issue = make_issue(items=[on_desk(unit_a)])
    login(client, personas["officer_a"])
    assert client.get(reverse("editorial:issue_detail", args=[issue.pk])).status_code == 403
    assert client.get(reverse("editorial:review", args=[item.pk])).status_code == 403
    login(client, personas["officer_b"])
    assert client.get(reverse("submissions:detail", args=[item.pk])).status_code == 404
    assert client.post(reverse("submissions:edit", args=[item.pk]), {}).status_code == 404
    assert client.post(reverse("submissions:withdraw", args=[item.pk])).status_code == 404
    login(client, personas["viewer"])
    assert client.get(reverse("editorial:issue_detail", args=[issue.pk])).status_code == 200
    assert client.post(reverse("editorial:decide", args=[item.pk]), {"action": "rejected", "version": 1}).status_code == 403
    assert client.post(reverse("editorial:issue_publish", args=[issue.pk]), {}).status_code == 403
    assert client.get(reverse("editorial:review", args=[make_submission(unit_a).pk])).status_code == 404
    item.refresh_from_db()
    assert item.desk_state == DeskState.PENDING and IssueItem.objects.filter(issue=issue).count() == 1


def test_issue_list_and_forwarded_list_run_a_fixed_number_of_queries(client, personas, django_assert_num_queries):
    staff = personas["staff"]
    for _ in range(12):
        issue = publish(make_issue(items=[on_desk(make_unit()) for _ in range(3)]), staff)
        services.forward_entries(list(issue.entries.all()), timezone.localdate())
    login(client, staff)
    with django_assert_num_queries(6):  # the carrier choices of the new-issue form are read twice
        assert client.get(reverse("editorial:issue_list")).status_code == 200
    with django_assert_num_queries(5):
        response = client.get(reverse("editorial:forwarded"))
    assert len(response.context["page"]) == 36


def test_a_carrier_an_imported_adoption_names_joins_the_list_at_its_level():
    listed = Carrier.objects.count()
    def item(no: str, day: int) -> dict:
        return {"信息编号": no, "单位名称": "道里区", "标题": f"信息{no}", "报送时间": f"2024-03-0{day} 09:00",
                "信息类型": "一般动态"}

    def adoption(no: str, level: str, day: int, carrier: str) -> dict:
        return {"信息编号": no, "采用层级": level, "采用类型": "一般动态", "采用日期": f"2024-03-0{day}",
                "刊物": carrier, "期号": "3"}

    import_ledger(ledger_file({
        "单位": [{"单位名称": "道里区", "序列": "区政府"}],
        "报送": [item("L1", 1), item("L2", 2)],
        "采用": [adoption("L1", "省", 5, "《龙江新设刊物》"), adoption("L2", "市", 6, "哈尔滨政务信息")],
    }))
    new = Carrier.objects.get(name="龙江新设刊物")
    assert new.level == "province"
    # 《哈尔滨政务信息》 was listed already (the migration's set): named without its brackets, it is not added twice.
    assert Carrier.objects.count() == listed + 1
