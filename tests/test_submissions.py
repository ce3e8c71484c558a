"""Information items (报送): reporting, entering, correcting, the list and the item page, invalidation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, EventKind
from submissions.models import JointUnit, Submission
from tests.factories import (
    PERSONAS,
    login,
    make_adoption,
    make_instruction,
    make_request,
    make_submission,
    make_unit,
    recorded,
    shanghai,
)

pytestmark = pytest.mark.django_db




def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def item_post(**kw) -> dict:
    data = {"title": "道里区推进冬季供热保障", "info_type": "general", "body": "正文内容", "form_token": str(uuid.uuid4())}
    data.update(kw)
    return data


# --- reporting ----------------------------------------------------------------------------------------


def test_officer_reports_item_for_own_unit_with_system_time(client, personas):
    officer = personas["officer_a"]
    other = make_unit()
    before = timezone.now()
    response = login(client, officer).post(reverse("submissions:create"), item_post(joint_units=other.name))
    item = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("submissions:detail", args=[item.pk])
    assert item.unit == officer.unit
    assert before <= item.submitted_at <= timezone.now()
    assert item.created_by == officer
    assert item.ledger_no == f"W{timezone.localtime(item.submitted_at).year}-{item.pk:06d}"
    # Named by an officer: pending until that unit confirms (RULES.md decision 10), so not yet sharing points.
    assert item.unit_count == 1 and [(j.unit, j.confirmed) for j in item.joint_units.all()] == [(other, False)]
    change = recorded(model="submissions.Submission", object_id=item.pk).get()
    assert change.kind == EventKind.CREATE and change.user == officer
    assert change.changes["标题"] == ["", "道里区推进冬季供热保障"]
    assert change.changes["联合报送单位"] == ["", f"{other.name}（待确认）"]


def test_officer_cannot_choose_unit_or_time(client, personas):
    """Tampered fields: an officer's unit and time are never taken from the form."""
    officer = personas["officer_a"]
    other = make_unit()
    login(client, officer).post(
        reverse("submissions:create"), item_post(unit=other.pk, submitted_at="2020-01-01T08:00"),
    )
    item = Submission.objects.get()
    assert item.unit == officer.unit and item.submitted_at.year == timezone.localdate().year


def test_staff_enters_item_for_any_unit_with_real_time(client, personas):
    unit = make_unit()
    moment = timezone.now() - dt.timedelta(days=3)
    response = login(client, personas["staff"]).post(
        reverse("submissions:create"), item_post(unit=unit.pk, submitted_at=local_input(moment)),
    )
    assert response.status_code == 302
    item = Submission.objects.get()
    assert item.unit == unit
    assert item.submitted_at == moment.replace(second=0, microsecond=0)


def test_double_submitted_form_creates_one_item(client, personas):
    data = item_post()
    client = login(client, personas["officer_a"])
    first = client.post(reverse("submissions:create"), data)
    second = client.post(reverse("submissions:create"), data)
    item = Submission.objects.get()
    assert first["Location"] == second["Location"] == reverse("submissions:detail", args=[item.pk])
    assert recorded().count() == 1


def test_form_without_token_is_refused(client, personas):
    data = item_post()
    del data["form_token"]
    response = login(client, personas["officer_a"]).post(reverse("submissions:create"), data)
    assert response.status_code == 200 and "表单已失效" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"title": ""}, "请填写标题"),
        ({"title": "长" * 301}, "300"),
        ({"body": "文" * 20001}, "20000"),
        ({"info_type": "poem"}, "不在可选范围内，请重新选择。"),
    ],
)
def test_bad_item_input_saves_nothing_and_keeps_values(client, personas, override, message):
    data = item_post(**override)
    response = login(client, personas["officer_a"]).post(reverse("submissions:create"), data)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert not Submission.objects.exists()
    assert data["body"][:50] in body  # the typed text is kept


def test_joint_unit_cannot_be_own_unit(client, personas):
    officer = personas["officer_a"]
    response = login(client, officer).post(reverse("submissions:create"), item_post(joint_units=officer.unit.name))
    assert "联合报送单位不能包含报送单位本身" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(("name", "error"), [
    ("停用单位", "单位“停用单位”已停用，不能选择。"),
    ("没有这个单位", "没有名为“没有这个单位”的单位。"),
])
def test_joint_unit_must_be_an_active_unit(client, personas, name, error):
    make_unit(name="停用单位", is_active=False)
    joint = f"{make_unit(name='南岗区').name}\n{name}"
    response = login(client, personas["officer_a"]).post(reverse("submissions:create"), item_post(joint_units=joint))
    html = response.content.decode()
    assert error in html and "南岗区”" not in html  # only the refused name is named
    assert f"南岗区\n{name}</textarea>" in html  # what was typed is kept
    assert not Submission.objects.exists()


@pytest.mark.parametrize(("name", "error"), [
    ("停用单位", "单位“停用单位”已停用，不能选择。"),
    ("没有这个单位", "没有名为“没有这个单位”的单位。"),
])
def test_staff_item_unit_must_be_an_active_unit(client, personas, name, error):
    make_unit(name="停用单位", is_active=False)
    data = item_post(unit=name, submitted_at=local_input(timezone.now() - dt.timedelta(hours=1)))
    html = login(client, personas["staff"]).post(reverse("submissions:create"), data).content.decode()
    assert error in html and f'value="{name}"' in html
    assert not Submission.objects.exists()


def test_staff_submission_time_not_in_future(client, personas):
    unit = make_unit()
    data = item_post(unit=unit.pk, submitted_at=local_input(timezone.now() + dt.timedelta(days=1)))
    response = login(client, personas["staff"]).post(reverse("submissions:create"), data)
    assert "报送时间不能晚于当前时间" in response.content.decode()
    assert not Submission.objects.exists()


def test_staff_submission_time_not_before_unit_assessed_from(client, personas):
    this_month = timezone.localdate().replace(day=1)
    unit = make_unit(assessed_from=this_month)
    data = item_post(unit=unit.pk, submitted_at=local_input(shanghai(this_month.year - 1, 12, 31, 10)))
    response = login(client, personas["staff"]).post(reverse("submissions:create"), data)
    body = response.content.decode()
    assert f"不能早于该单位的起始考核月份（{this_month.year}年{this_month.month}月）" in body
    assert "2" in body and data["title"] in body
    assert not Submission.objects.exists()


def test_viewer_cannot_report(client, personas):
    response = login(client, personas["viewer"]).post(reverse("submissions:create"), item_post())
    assert response.status_code == 403
    assert not Submission.objects.exists()


# --- correcting ---------------------------------------------------------------------------------------


def edit_post(item: Submission, **kw) -> dict:
    data = {
        "unit": item.unit.name, "title": item.title, "info_type": item.info_type, "body": item.body,
        "submitted_at": local_input(item.submitted_at), "version": item.version,
        "joint_units": "\n".join(j.unit.name for j in item.joint_units.all()),
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_corrects_item_with_history_and_unit_count(client, personas):
    a, b, c = make_unit(), make_unit(), make_unit()
    item = make_submission(a, joint=[b], title="旧标题")
    response = login(client, personas["staff"]).post(
        reverse("submissions:edit", args=[item.pk]), edit_post(item, title="新标题", joint_units=f"{b.name}、{c.name}"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "新标题" and item.version == 2 and item.unit_count == 3
    assert set(JointUnit.objects.filter(submission=item).values_list("unit_id", flat=True)) == {b.pk, c.pk}
    change = recorded(kind=EventKind.UPDATE).get()
    assert change.changes["标题"] == ["旧标题", "新标题"]
    assert change.changes["联合报送单位"] == [b.name, "、".join(sorted([b.name, c.name]))]
    assert change.object_id == item.pk


def test_removing_joint_units_brings_unit_count_back(client, personas):
    a, b = make_unit(), make_unit()
    item = make_submission(a, joint=[b])
    data = edit_post(item)
    data.pop("joint_units")
    login(client, personas["staff"]).post(reverse("submissions:edit", args=[item.pk]), data)
    item.refresh_from_db()
    assert item.unit_count == 1 and not item.joint_units.exists()


def test_stale_save_is_refused_and_keeps_input(client, personas):
    item = make_submission(make_unit(), title="原标题")
    first, second = edit_post(item, title="甲的修改"), edit_post(item, title="乙的修改")
    client_a = login(client, personas["staff"])
    assert client_a.post(reverse("submissions:edit", args=[item.pk]), first).status_code == 302
    from django.test import Client

    client_b = login(Client(), personas["admin"])
    response = client_b.post(reverse("submissions:edit", args=[item.pk]), second)
    body = response.content.decode()
    assert response.status_code == 200 and "已被他人修改" in body
    assert 'value="乙的修改"' in body and "甲的修改" in body  # own input kept, the current content shown
    item.refresh_from_db()
    assert item.title == "甲的修改" and item.version == 2
    # Having seen the other change, a second save deliberately overwrites it.
    again = response.context["form"].data.copy()
    assert client_b.post(reverse("submissions:edit", args=[item.pk]), again).status_code == 302
    item.refresh_from_db()
    assert item.title == "乙的修改" and item.version == 3


def test_unchanged_save_records_nothing(client, personas):
    item = make_submission(make_unit())
    login(client, personas["staff"]).post(reverse("submissions:edit", args=[item.pk]), edit_post(item))
    item.refresh_from_db()
    assert item.version == 1 and not recorded().exists()


# --- invalidation -------------------------------------------------------------------------------------


def test_mark_invalid_needs_reason_and_undo_is_kept(client, personas):
    item = make_submission(make_unit())
    client = login(client, personas["staff"])
    response = client.post(reverse("submissions:invalidate", args=[item.pk]), {"reason": "  "})
    assert response.status_code == 400 and "标记无效必须填写原因" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_invalid
    client.post(reverse("submissions:invalidate", args=[item.pk]), {"reason": "重复报送"})
    item.refresh_from_db()
    assert item.is_invalid and item.invalid_reason == "重复报送"
    assert not Submission.objects.counted().filter(pk=item.pk).exists()
    client.post(reverse("submissions:restore", args=[item.pk]))
    item.refresh_from_db()
    assert not item.is_invalid and item.invalid_reason == ""
    actions = list(recorded().values_list("kind", flat=True))
    assert actions == [EventKind.INVALIDATE, EventKind.RESTORE]
    page = client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "重复报送" in page and "恢复有效" in page


def test_invalidation_reason_too_long(client, personas):
    item = make_submission(make_unit())
    response = login(client, personas["staff"]).post(reverse("submissions:invalidate", args=[item.pk]), {"reason": "因" * 201})
    assert response.status_code == 400 and "200" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_invalid


# --- the list -----------------------------------------------------------------------------------------


def test_officer_list_shows_own_and_joint_items_only(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    own = make_submission(a, title="本单位信息")
    joint = make_submission(make_unit(), joint=[a], title="联合信息")
    other = make_submission(b, title="他单位信息")
    page = login(client, personas["officer_a"]).get(reverse("submissions:list")).content.decode()
    assert own.title in page and joint.title in page and other.title not in page


def test_list_filters(client, personas):
    a = make_unit(sequence="district")
    b = make_unit(sequence="county")
    march = make_submission(a, title="三月动态", submitted_at=shanghai(2024, 3, 31, 23, 30))
    april = make_submission(a, title="四月调研", info_type="small_research", submitted_at=shanghai(2024, 4, 1, 0, 10))
    joint = make_submission(b, joint=[a], title="县里联合", submitted_at=shanghai(2024, 5, 3))
    invalid = make_submission(b, title="无效信息", invalid_reason="重复", submitted_at=shanghai(2024, 5, 4))
    client = login(client, personas["viewer"])

    def titles(**params) -> set[str]:
        page = client.get(reverse("submissions:list"), params).context["page"]
        return {item.title for item in page}

    assert titles(month="2024-03") == {march.title}  # month in Asia/Shanghai time
    assert titles(day="2024-04-01") == {april.title}  # 00:10 on 1 April in Beijing is still 31 March in UTC
    assert titles(day="2024-03-31") == {march.title}
    refused = client.get(reverse("submissions:list"), {"day": "2024-02-30"})
    assert refused.status_code == 200 and "日期格式应为 2024-03-05。" in refused.content.decode()
    assert titles(unit=a.pk) == {march.title, april.title, joint.title}
    assert titles(sequence="county") == {joint.title, invalid.title}
    assert titles(info_type="small_research") == {april.title}
    assert titles(status="invalid") == {invalid.title}
    assert titles(status="valid", unit=b.pk) == {joint.title}
    assert titles(q="调研") == {april.title}
    response = client.get(reverse("submissions:list"), {"month": "2024-13"})
    assert "月份格式应为" in response.content.decode()


def test_list_newest_first_and_paginated(client, personas):
    unit = make_unit()
    base = timezone.now() - dt.timedelta(days=10)
    Submission.objects.bulk_create(
        Submission(ledger_no=f"P{i}", unit=unit, title=f"信息{i}", info_type="general",
                   submitted_at=base + dt.timedelta(minutes=i))
        for i in range(120)
    )
    client = login(client, personas["staff"])
    first = client.get(reverse("submissions:list")).context["page"]
    assert len(first) == 50 and first[0].title == "信息119" and first.paginator.num_pages == 3
    third = client.get(reverse("submissions:list"), {"page": 3}).context["page"]
    assert len(third) == 20 and third[-1].title == "信息0"


def many_items(count: int = 120) -> list[Submission]:
    units = [make_unit() for _ in range(110)]
    base = timezone.now() - dt.timedelta(days=10)
    items = Submission.objects.bulk_create(
        Submission(ledger_no=f"Q{i}", unit=units[i % 110], title=f"信息{i}", info_type="general",
                   submitted_at=base + dt.timedelta(minutes=i), unit_count=2)
        for i in range(count)
    )
    items = list(Submission.objects.order_by("-submitted_at")[:60])
    JointUnit.objects.bulk_create(JointUnit(submission=item, unit=units[(i + 1) % 110]) for i, item in enumerate(items))
    for item in items[:30]:
        make_adoption(item, adopted_on=timezone.localdate())
    return items


@pytest.mark.parametrize(("persona", "queries"), [("staff", 7), ("officer_a", 7)])
def test_list_query_count_is_fixed(client, personas, django_assert_num_queries, persona, queries):
    many_items()
    user = personas[persona]
    if persona == "officer_a":
        Submission.objects.update(unit=user.unit)
    client = login(client, user)
    # session, user (officer: with their unit), data version, count, the page's rows (by their ids in a subquery on
    # the index alone), joint units, adoptions; no unit choices: they are loaded as one types
    with django_assert_num_queries(queries):
        response = client.get(reverse("submissions:list"))
    assert len(response.context["page"]) == 50
    with django_assert_num_queries(queries - 1):  # the count is kept until the data changes
        assert len(client.get(reverse("submissions:list"), {"page": 3}).context["page"]) == 20
    make_submission(user.unit if persona == "officer_a" else make_unit())
    assert client.get(reverse("submissions:list")).context["page"].paginator.count == 121


def test_a_list_row_shows_the_items_facts_with_its_text_escaped(client, personas):
    a, b, c = make_unit(name="甲<单位>"), make_unit(name="乙&单位"), make_unit(name="丙单位")
    item = make_submission(a, joint=[b], pending=[c], title='<script>alert("x")</script>', info_type="small_research",
                           ledger_no="L<1>", special_request=make_request([a]), submitted_at=shanghai(2024, 3, 5, 9, 7),
                           desk_state="adopted")
    make_adoption(item, carrier="哈尔滨<政务>", issue_no="第3期")
    make_adoption(item, level="province", adoption_type="research")
    make_submission(a, title="退回的信息", desk_state="returned", desk_note="请补充<数据>", invalid_reason="重复",
                    submitted_at=shanghai(2024, 3, 1))
    page = login(client, personas["staff"]).get(reverse("submissions:list")).content.decode()
    cells = [
        '<td class="text-nowrap" data-label="信息编号">L&lt;1&gt;</td>',
        '<td data-label="报送单位">甲&lt;单位&gt;<br><small class="text-muted">联合：乙&amp;单位</small>'
        '<br><small class="text-muted">联合：丙单位（待确认）</small></td>',
        f'<td class="card-title-cell" data-label="标题"><a href="/items/{item.pk}/">'
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a> <span class="badge text-bg-info">专约</span></td>',
        '<td class="text-nowrap" data-label="类型">小型调研</td>',
        '<td class="text-nowrap" data-label="报送时间">2024年3月5日 09:07</td>',
        '<td class="text-nowrap" data-label="采用"><span class="badge text-bg-success">市</span> '
        '<span class="badge text-bg-success">省</span> </td>',
        '<td data-label="采编"><span class="badge text-bg-success">已采用（《哈尔滨&lt;政务&gt;》第3期）</span></td>',
        '<td data-label="状态">有效</td>',
    ]
    assert "<tr>\n" + "".join(f"    {cell}\n" for cell in cells) + "  </tr>" in page
    assert '<tr class="text-muted">' in page and "<script>" not in page
    assert ('<span class="badge text-bg-warning">退回修改</span>'
            '<div class="small text-muted">意见：请补充&lt;数据&gt;</div>') in page
    assert '<td data-label="状态"><span class="badge text-bg-secondary">无效</span></td>' in page


def test_the_kept_filter_form_shows_each_requests_own_values_and_a_renamed_unit(client, personas):
    unit = make_unit(name="旧名称单位")
    login(client, personas["staff"])

    def form(**params) -> str:
        page = client.get(reverse("submissions:list"), params).content.decode()
        start = page.index('<form method="get"')
        return page[start:page.index("</form>", start)]

    assert form() == form() and 'value="2024-03"' not in form()
    assert 'value="2024-03"' in form(month="2024-03") and 'value="2024-04"' in form(month="2024-04")
    assert 'value="2024-03"' in form(month="2024-03", q="供热") and 'value="供热"' in form(month="2024-03", q="供热")
    for _ in range(2):  # an error is shown every time
        assert "月份格式应为" in form(month="2024-13")
    assert 'value="旧名称单位"' in form(unit=unit.pk)
    unit.name = "新名称单位"
    unit.save()
    assert 'value="新名称单位"' in form(unit=unit.pk)
    login(client, personas["officer_a"])  # an officer's form has no unit and no sequence
    assert 'name="unit"' not in form() and 'name="sequence"' not in form() and 'name="month"' in form()


def test_the_unit_filter_takes_a_name_or_an_id_and_suggests_names(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    make_submission(a, title="甲的信息")
    make_submission(b, title="乙的信息")
    login(client, personas["staff"])
    for value in (a.name, str(a.pk)):
        page = client.get(reverse("submissions:list"), {"unit": value}).content.decode()
        assert "甲的信息" in page and "乙的信息" not in page and f'value="{a.name}"' in page
    page = client.get(reverse("submissions:list"), {"unit": "没有这个单位"}).content.decode()
    assert "没有名为“没有这个单位”的单位。" in page and "甲的信息" in page and '<select name="unit"' not in page
    choices = client.get(reverse("units:choices"), {"q": a.name[-2:]}).json()["names"]
    assert a.name in choices
    login(client, personas["officer_b"])  # an officer is offered only their own unit
    assert client.get(reverse("units:choices"), {"q": ""}).json() == {"names": [b.name]}
    client.logout()
    assert client.get(reverse("units:choices")).status_code == 302


# --- the item page ------------------------------------------------------------------------------------


def test_item_page_shows_everything(client, personas):
    a, b = make_unit(), make_unit()
    request = make_request([a], code="ZY-9", title="春耕专约")
    item = make_submission(a, joint=[b], title="春耕生产", special_request=request, body="正文在此")
    make_adoption(item, level="city", adoption_type="large_research", carrier="哈尔滨政务信息", issue_no="第8期")
    make_instruction(item, level="city", kind="decision", leader="市长")
    page = login(client, personas["viewer"]).get(reverse("submissions:detail", args=[item.pk])).content.decode()
    for text in ("春耕生产", "正文在此", b.name, "ZY-9", "哈尔滨政务信息", "第8期", "大型调研", "决策性", "市长"):
        assert text in page
    assert "5.00" in page and "2.50" in page  # city large research 5 points, shared by 2 units
    assert "10.00" in page and "5.00" in page
    assert "记录采用" not in page  # a viewer changes nothing


def test_item_page_query_count_is_fixed(client, personas, django_assert_num_queries):
    item = make_submission(make_unit(), joint=[make_unit(), make_unit()])
    staff = personas["staff"]
    for level in ("city", "province", "state"):
        make_adoption(item, level=level, adoption_type="general", created_by=staff)
    for i in range(40):
        make_instruction(item, kind="read", leader=f"领导{i}", created_by=staff)
    AuditEvent.objects.bulk_create(
        AuditEvent(model="submissions.Submission", object_id=item.pk, kind="update", summary=f"第{i}次", user=staff,
                   username=staff.username, at=timezone.now())
        for i in range(60)
    )
    client = login(client, staff)
    # session, user, item, adoptions, instructions, rules (assessment year + rule set), joint units, history
    with django_assert_num_queries(9):
        response = client.get(reverse("submissions:detail", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert all(reverse("submissions:instruction_edit", args=[item.pk, i.pk]) in page for i in item.instructions.all())
    assert item.instructions.count() == 40


# --- access -------------------------------------------------------------------------------------------

EXPECTED = {
    # url, method: admin, staff, officer_a, officer_b, viewer, anonymous ("login" = redirect to login)
    ("submissions:list", "get", False): (200, 200, 200, 200, 200, "login"),
    ("submissions:create", "get", False): (200, 200, 200, 200, 403, "login"),
    ("submissions:detail", "get", True): (200, 200, 200, 404, 200, "login"),
    # An item off the desk (ledger, before the desk) stays the office's to correct; another unit's is not found.
    ("submissions:edit", "get", True): (200, 200, 403, 404, 403, "login"),
    ("submissions:invalidate", "post", True): (302, 302, 403, 403, 403, "login"),
    ("submissions:restore", "post", True): (302, 302, 403, 403, 403, "login"),
}


@pytest.mark.parametrize(("url_name", "method", "with_item"), list(EXPECTED))
def test_item_views_by_persona(client, personas, url_name, method, with_item):
    item = make_submission(personas["officer_a"].unit)
    url = reverse(url_name, args=[item.pk] if with_item else [])
    for persona, expected in zip(PERSONAS, EXPECTED[(url_name, method, with_item)], strict=True):
        client.logout()
        login(client, personas[persona])
        data = {"reason": "重复"} if method == "post" else None
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), persona
        else:
            assert response.status_code == expected, persona
    item.refresh_from_db()
    assert item.version == 1


def test_officer_b_cannot_see_joint_item_of_others_but_joint_officer_can(client, personas):
    item = make_submission(make_unit(), joint=[personas["officer_b"].unit])
    assert login(client, personas["officer_b"]).get(reverse("submissions:detail", args=[item.pk])).status_code == 200
    client.logout()
    assert login(client, personas["officer_a"]).get(reverse("submissions:detail", args=[item.pk])).status_code == 404


def test_officer_sees_adoptions_but_no_staff_forms(client, personas):
    item = make_submission(personas["officer_a"].unit)
    make_adoption(item, level="city", adoption_type="urgent")
    page = login(client, personas["officer_a"]).get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "紧急重要" in page and "2.00" in page
    assert "记录采用" not in page and "标记无效" not in page
