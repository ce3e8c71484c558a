"""Special requests (专约/专报): creating, listing, answering, and the per-unit outcome (RULES.md decision 5)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import EventKind
from core.assessment import RequestOutcome
from harbin_infoassess.views import home
from submissions.models import SpecialRequest, Submission
from submissions.panels import home_panel
from submissions.services import outcome
from tests.factories import PERSONAS, login, make_request, make_submission, make_unit, recorded

pytestmark = pytest.mark.django_db




def request_post(targets=(), **kw) -> dict:
    data = {
        "code": "ZY2024-01", "title": "关于春耕生产情况的专约", "description": "请报送春耕进展",
        "deadline": (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "targets": "\n".join(u.name for u in targets), "form_token": str(uuid.uuid4()), "version": 1,
    }
    data.update(kw)
    return data


# --- decision 5, as a rule --------------------------------------------------------------------------------


def test_outcome_follows_decision_5():
    deadline = timezone.now()
    later = deadline + dt.timedelta(seconds=1)
    assert outcome(deadline, deadline, later) == RequestOutcome.ON_TIME  # at the deadline is on time
    assert outcome(deadline, later, later) == RequestOutcome.LATE
    assert outcome(deadline, None, deadline) == RequestOutcome.PENDING  # not yet: the deadline has not passed
    assert outcome(deadline, None, later) == RequestOutcome.MISSING


# --- creating and editing ---------------------------------------------------------------------------------


def test_staff_creates_request_with_targets_and_whole_sequences(client, personas):
    a = make_unit(sequence="bureau")
    d1, d2 = make_unit(sequence="district"), make_unit(sequence="district")
    make_unit(sequence="district", is_active=False)
    response = login(client, personas["staff"]).post(
        reverse("submissions:request_create"), request_post([a], target_sequences=["district"]),
    )
    req = SpecialRequest.objects.get()
    assert response["Location"] == reverse("submissions:request_detail", args=[req.pk])
    assert set(req.targets.all()) == {a, d1, d2}
    assert req.created_by == personas["staff"]
    change = recorded(model="submissions.SpecialRequest").get()
    assert change.kind == EventKind.CREATE and change.changes["专约编号"] == ["", "ZY2024-01"]


def test_double_submitted_request_creates_one(client, personas):
    data = request_post([make_unit()])
    client = login(client, personas["staff"])
    client.post(reverse("submissions:request_create"), data)
    second = client.post(reverse("submissions:request_create"), data)
    assert SpecialRequest.objects.count() == 1 and second.status_code == 302


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"targets": ""}, "请至少选择一个对象单位"),
        ({"targets": " 、\n ；"}, "请至少选择一个对象单位"),
        ({"title": ""}, "请填写标题。"),
        ({"code": "Z" * 51}, "50"),
        ({"deadline": ""}, "请填写截止时间"),
        ({"deadline": "明天"}, "截止时间格式不正确"),
        ({"targets": "没有这个单位"}, "没有名为“没有这个单位”的单位。"),
    ],
)
def test_bad_request_input(client, personas, override, message):
    data = {**request_post([make_unit()]), **override}
    response = login(client, personas["staff"]).post(reverse("submissions:request_create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not SpecialRequest.objects.exists()
    assert data["description"] in response.content.decode()


def test_deactivated_target_is_refused(client, personas):
    gone = make_unit(is_active=False)
    response = login(client, personas["staff"]).post(reverse("submissions:request_create"), request_post([gone]))
    assert f"单位“{gone.name}”已停用，不能选择。" in response.content.decode()
    assert not SpecialRequest.objects.exists()


def test_duplicate_code_is_refused(client, personas):
    make_request(code="ZY2024-01")
    response = login(client, personas["staff"]).post(reverse("submissions:request_create"), request_post([make_unit()]))
    assert "专约编号" in response.content.decode() and SpecialRequest.objects.count() == 1


def test_staff_edits_request_with_history(client, personas):
    a, b = make_unit(), make_unit()
    req = make_request([a], title="旧标题")
    data = request_post([a, b], code=req.code, title="新标题")
    del data["form_token"]
    login(client, personas["staff"]).post(reverse("submissions:request_edit", args=[req.pk]), data)
    req.refresh_from_db()
    assert req.title == "新标题" and set(req.targets.all()) == {a, b}
    change = recorded(model="submissions.SpecialRequest", kind=EventKind.UPDATE).get()
    assert change.changes["标题"] == ["旧标题", "新标题"]
    assert change.changes["对象单位"][1] == "、".join(sorted([a.name, b.name]))


# --- the request page ---------------------------------------------------------------------------------


def test_request_page_shows_each_target_outcome(client, personas):
    deadline = timezone.now() - dt.timedelta(days=1)
    on_time, late, missing, invalid_only = (make_unit() for _ in range(4))
    req = make_request([on_time, late, missing, invalid_only], deadline=deadline)
    make_submission(on_time, special_request=req, submitted_at=deadline)
    make_submission(on_time, special_request=req, submitted_at=deadline + dt.timedelta(hours=1))
    make_submission(late, special_request=req, submitted_at=deadline + dt.timedelta(minutes=1))
    make_submission(invalid_only, special_request=req, submitted_at=deadline - dt.timedelta(hours=1), invalid_reason="重复")
    response = login(client, personas["viewer"]).get(reverse("submissions:request_detail", args=[req.pk]))
    outcomes = {unit.pk: result for unit, _, result in response.context["rows"]}
    assert outcomes == {on_time.pk: "on_time", late.pk: "late", missing.pk: "missing", invalid_only.pk: "missing"}
    page = response.content.decode()
    assert "按时报送 1 个 · 逾期报送 1 个 · 未报送（未截止） 0 个 · 未报送 2 个" in page
    assert "迟报" not in page  # 迟报 is the urgent-information failure, not a request's outcome


def test_open_request_shows_not_yet(client, personas):
    unit = make_unit()
    req = make_request([unit], deadline=timezone.now() + dt.timedelta(days=2))
    response = login(client, personas["staff"]).get(reverse("submissions:request_detail", args=[req.pk]))
    assert [r[2] for r in response.context["rows"]] == ["pending"]
    assert "未报送（未截止）" in response.content.decode()


def test_officer_sees_only_own_row(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    req = make_request([a, b])
    response = login(client, personas["officer_a"]).get(reverse("submissions:request_detail", args=[req.pk]))
    assert [row[0] for row in response.context["rows"]] == [a]


def test_request_page_query_count_with_many_targets(client, personas, django_assert_num_queries):
    units = [make_unit() for _ in range(120)]
    deadline = timezone.now() - dt.timedelta(days=1)
    req = make_request(units, deadline=deadline)
    for i, unit in enumerate(units[:80]):
        make_submission(unit, special_request=req, submitted_at=deadline + dt.timedelta(hours=i % 3 - 1))
    client = login(client, personas["staff"])
    # session, user, request, targets, answers, history
    with django_assert_num_queries(6):
        response = client.get(reverse("submissions:request_detail", args=[req.pk]))
    assert len(response.context["rows"]) == 120


def test_request_list_query_count(client, personas, django_assert_num_queries):
    units = [make_unit() for _ in range(110)]
    for i in range(60):
        req = make_request(units[: 10 + i])
        make_submission(units[i], special_request=req)
    for persona in ("staff", "officer_a"):
        client.logout()
        if persona == "officer_a":
            through = SpecialRequest.targets.through
            through.objects.bulk_create(
                through(specialrequest=r, unit=personas["officer_a"].unit) for r in SpecialRequest.objects.all()
            )
        login(client, personas[persona])
        # session, user (officer: with the unit), count, page; staff: the page's targets, own and joint answers (a
        # union)
        with django_assert_num_queries(6 if persona == "staff" else 4):
            response = client.get(reverse("submissions:request_list"))
        assert len(response.context["page"]) == 50


def test_officer_list_shows_own_requests_with_own_outcome(client, personas):
    a = personas["officer_a"].unit
    mine = make_request([a], title="本单位专约", deadline=timezone.now() - dt.timedelta(days=1))
    make_request([personas["officer_b"].unit], title="他单位专约")
    make_submission(a, special_request=mine, submitted_at=timezone.now() - dt.timedelta(hours=1))
    response = login(client, personas["officer_a"]).get(reverse("submissions:request_list"))
    page = response.content.decode()
    assert "本单位专约" in page and "他单位专约" not in page
    assert [r.my_outcome for r in response.context["page"]] == ["late"]


# --- answering ----------------------------------------------------------------------------------------


def item_post(**kw) -> dict:
    return {"title": "作答信息", "info_type": "general", "body": "", "form_token": str(uuid.uuid4()), **kw}


def test_officer_answers_open_request(client, personas):
    officer = personas["officer_a"]
    req = make_request([officer.unit])
    client = login(client, officer)
    form = client.get(reverse("submissions:create"), {"request": req.pk}).content.decode()
    assert f'<option value="{req.pk}" selected>' in form  # preselected from the start page's link
    client.post(reverse("submissions:create"), item_post(special_request=req.pk))
    item = Submission.objects.get()
    assert item.special_request == req
    response = client.get(reverse("submissions:request_detail", args=[req.pk]))
    assert [r[2] for r in response.context["rows"]] == ["on_time"]


@pytest.mark.parametrize("case", ["closed", "other_unit", "nonexistent"])
def test_officer_cannot_answer_closed_or_foreign_request(client, personas, case):
    officer = personas["officer_a"]
    if case == "closed":
        req_id = make_request([officer.unit], deadline=timezone.now() - dt.timedelta(minutes=1)).pk
    elif case == "other_unit":
        req_id = make_request([personas["officer_b"].unit]).pk
    else:
        req_id = 999999
    response = login(client, officer).post(reverse("submissions:create"), item_post(special_request=req_id))
    page = response.content.decode()
    assert "所选专约不存在、已截止或不是发给本单位的" in page and "作答信息" in page
    assert not Submission.objects.exists()


def test_staff_records_late_answer(client, personas):
    unit = make_unit()
    deadline = timezone.now() - dt.timedelta(days=3)
    req = make_request([unit], deadline=deadline)
    late = timezone.localtime(deadline + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client = login(client, personas["staff"])
    client.post(reverse("submissions:create"), item_post(unit=unit.pk, submitted_at=late, special_request=req.pk))
    assert Submission.objects.get().special_request == req
    response = client.get(reverse("submissions:request_detail", args=[req.pk]))
    assert [r[2] for r in response.context["rows"]] == ["late"]


def test_staff_answer_must_be_for_a_target_unit(client, personas):
    req = make_request([make_unit()])
    other = make_unit()
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = login(client, personas["staff"]).post(
        reverse("submissions:create"), item_post(unit=other.pk, submitted_at=when, special_request=req.pk),
    )
    assert "该专约的对象单位不包括报送单位" in response.content.decode()
    assert not Submission.objects.exists()


# --- the officer's start page -------------------------------------------------------------------------


def test_home_panel_lists_open_requests_for_the_unit(client, personas, rf):
    officer = personas["officer_a"]
    soon = make_request([officer.unit], title="即将截止", deadline=timezone.now() + dt.timedelta(hours=3))
    later = make_request([officer.unit], title="下周截止", deadline=timezone.now() + dt.timedelta(days=7))
    make_request([officer.unit], title="已截止", deadline=timezone.now() - dt.timedelta(hours=1))
    make_request([personas["officer_b"].unit], title="他单位")
    request = rf.get("/")
    request.user = officer
    assert home_panel(request)["requests"] == [soon, later]
    page = login(client, officer).get(reverse("home")).content.decode()
    assert "即将截止" in page and "下周截止" in page and "已截止" not in page and "他单位" not in page
    assert f'{reverse("submissions:create")}?request={soon.pk}' in page
    assert home is not None


def test_home_panel_is_for_officers_only(rf, personas):
    request = rf.get("/")
    request.user = personas["staff"]
    assert home_panel(request) is None


# --- access -------------------------------------------------------------------------------------------

EXPECTED = {
    ("submissions:request_list", False): (200, 200, 200, 200, 200, "login"),
    ("submissions:request_detail", True): (200, 200, 200, 404, 200, "login"),
    ("submissions:request_create", False): (200, 200, 403, 403, 403, "login"),
    ("submissions:request_edit", True): (200, 200, 403, 403, 403, "login"),
}


@pytest.mark.parametrize(("url_name", "with_req"), list(EXPECTED))
def test_request_views_by_persona(client, personas, url_name, with_req):
    req = make_request([personas["officer_a"].unit])
    url = reverse(url_name, args=[req.pk] if with_req else [])
    for persona, expected in zip(PERSONAS, EXPECTED[(url_name, with_req)], strict=True):
        client.logout()
        response = login(client, personas[persona]).get(url)
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), persona
        else:
            assert response.status_code == expected, persona


@pytest.mark.parametrize("persona", ["officer_a", "viewer"])
def test_non_staff_cannot_post_requests(client, personas, persona):
    req = make_request([personas["officer_a"].unit], title="原标题")
    client = login(client, personas[persona])
    assert client.post(reverse("submissions:request_create"), request_post([make_unit()])).status_code == 403
    data = request_post([make_unit()], code=req.code, title="篡改")
    assert client.post(reverse("submissions:request_edit", args=[req.pk]), data).status_code == 403
    req.refresh_from_db()
    assert req.title == "原标题" and SpecialRequest.objects.count() == 1
