"""Urgent-information failures, the history of the facts, the database's own guards, and the demo year."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.locking import StaleEdit
from audit.models import EventKind
from core.assessment import RequestOutcome
from harbin_infoassess.demo import seed_activity
from scoring.models import BasicWorkEntry, BasicWorkStatus
from submissions import services
from submissions.models import (
    ALLOWED_ADOPTION_TYPES,
    Adoption,
    FailureKind,
    FormToken,
    InstructionKind,
    JointUnit,
    LeaderInstruction,
    SpecialRequest,
    Submission,
    UrgentFailure,
)
from submissions.services import TOKEN_LIFETIME, ItemInput, first_answers, outcome
from tests.factories import (
    PERSONAS,
    login,
    make_failure,
    make_submission,
    make_unit,
    make_user,
    on_postgresql,
    recorded,
    run_together,
)
from units.demo import seed_units

pytestmark = pytest.mark.django_db




def failure_post(unit, **kw) -> dict:
    data = {"unit": unit.name, "occurred_on": timezone.localdate().isoformat(), "kind": "late",
            "description": "晚报两小时", "form_token": str(uuid.uuid4()), "version": 1}
    data.update(kw)
    return data


# --- urgent-information failures ----------------------------------------------------------------------


def test_staff_records_failure_with_history(client, personas):
    unit = make_unit()
    response = login(client, personas["staff"]).post(reverse("submissions:failure_create"), failure_post(unit, kind="omission"))
    assert response.status_code == 302
    failure = UrgentFailure.objects.get()
    assert (failure.unit, failure.kind, failure.created_by) == (unit, "omission", personas["staff"])
    change = recorded(model="submissions.UrgentFailure", object_id=failure.pk).get()
    assert change.changes["问题类型"] == ["", "漏报"]


def test_double_submitted_failure_creates_one(client, personas):
    data = failure_post(make_unit())
    client = login(client, personas["staff"])
    client.post(reverse("submissions:failure_create"), data)
    assert client.post(reverse("submissions:failure_create"), data).status_code == 302
    assert UrgentFailure.objects.count() == 1


def test_old_form_tokens_are_cleared_when_a_new_one_is_claimed(client, personas):
    stale = FormToken.objects.create(token=uuid.uuid4(), model="UrgentFailure")
    FormToken.objects.filter(pk=stale.pk).update(created_at=timezone.now() - TOKEN_LIFETIME - dt.timedelta(minutes=1))
    fresh = FormToken.objects.create(token=uuid.uuid4(), model="UrgentFailure")
    login(client, personas["staff"]).post(reverse("submissions:failure_create"), failure_post(make_unit()))
    assert not FormToken.objects.filter(pk=stale.pk).exists()
    assert FormToken.objects.filter(pk=fresh.pk).exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"occurred_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "日期不能晚于今天"),
        ({"occurred_on": ""}, "请填写日期"),
        ({"kind": "rumour"}, "不在可选范围内，请重新选择。"),
        ({"unit": "没有这个单位"}, "没有名为“没有这个单位”的单位。"),
        ({"description": "说" * 20001}, "20000"),
    ],
)
def test_bad_failure_input(client, personas, override, message):
    data = {**failure_post(make_unit()), **override}
    response = login(client, personas["staff"]).post(reverse("submissions:failure_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert not UrgentFailure.objects.exists()
    if len(data["description"]) < 100:
        assert data["description"] in page


def test_failure_for_deactivated_unit_or_before_assessed_from(client, personas):
    gone = make_unit(is_active=False)
    client = login(client, personas["staff"])
    page = client.post(reverse("submissions:failure_create"), failure_post(gone)).content.decode()
    assert f"单位“{gone.name}”已停用，不能选择。" in page
    month = timezone.localdate().replace(day=1)
    newcomer = make_unit(assessed_from=month)
    early = (month - dt.timedelta(days=1)).isoformat()
    page = client.post(reverse("submissions:failure_create"), failure_post(newcomer, occurred_on=early)).content.decode()
    assert f"不能早于该单位的起始考核月份（{month.year}年{month.month}月）" in page
    assert not UrgentFailure.objects.exists()


def test_same_failure_twice_is_refused(client, personas):
    unit = make_unit()
    make_failure(unit, kind="late", occurred_on=timezone.localdate())
    response = login(client, personas["staff"]).post(reverse("submissions:failure_create"), failure_post(unit))
    assert "已记录过“迟报”问题" in response.content.decode()
    assert UrgentFailure.objects.count() == 1


def test_failure_list_per_unit_and_year(client, personas):
    a, b = make_unit(), make_unit()
    this_year = timezone.localdate().year
    make_failure(a, occurred_on=dt.date(this_year, 1, 5), kind="late", description="今年甲")
    make_failure(b, occurred_on=dt.date(this_year, 1, 6), kind="concealment", description="今年乙")
    make_failure(a, occurred_on=dt.date(this_year - 1, 5, 5), kind="omission", description="去年甲")
    client = login(client, personas["viewer"])

    def described(**params) -> set[str]:
        return {f.description for f in client.get(reverse("submissions:failure_list"), params).context["page"]}

    assert described() == {"今年甲", "今年乙"}  # the current year by default
    assert described(unit=a.pk, year=this_year - 1) == {"去年甲"}
    assert described(kind="concealment") == {"今年乙"}
    assert described(month=f"{this_year}-01") == {"今年甲", "今年乙"}
    assert described(month=f"{this_year - 1}-05") == {"去年甲"}  # the month's year, not the default one
    assert described(month=f"{this_year - 1}-06") == set()
    refused = client.get(reverse("submissions:failure_list"), {"month": "2024-13"})
    assert refused.status_code == 200 and "月份格式应为 2024-03。" in refused.content.decode()
    page = client.get(reverse("submissions:failure_list")).content.decode()
    assert "记录问题" not in page  # a viewer reads, changes nothing


def test_failure_list_query_count(client, personas, django_assert_num_queries):
    units = [make_unit() for _ in range(110)]
    staff = personas["staff"]
    UrgentFailure.objects.bulk_create(
        UrgentFailure(unit=u, occurred_on=timezone.localdate() - dt.timedelta(days=i % 20), kind="late", created_by=staff)
        for i, u in enumerate(units)
    )
    client = login(client, staff)
    # session, user, count, page (with unit and recorder): the unit filter is typed, no list of units
    with django_assert_num_queries(4):
        response = client.get(reverse("submissions:failure_list"))
    assert len(response.context["page"]) == 50


def test_edit_and_delete_failure_keep_history(client, personas):
    failure = make_failure(make_unit(), kind="late", description="旧说明")
    client = login(client, personas["staff"])
    data = failure_post(failure.unit, occurred_on=failure.occurred_on.isoformat(), kind="omission", description="新说明")
    del data["form_token"]
    assert client.post(reverse("submissions:failure_edit", args=[failure.pk]), data).status_code == 302
    failure.refresh_from_db()
    assert failure.kind == "omission"
    page = client.get(reverse("submissions:failure_edit", args=[failure.pk])).content.decode()
    assert "旧说明" in page and "新说明" in page  # the history on the fact's page
    viewer_page = login(Client(), personas["viewer"]).get(reverse("submissions:failure_edit", args=[failure.pk]))
    assert "旧说明" in viewer_page.content.decode() and "保存" not in viewer_page.content.decode()
    client.post(reverse("submissions:failure_delete", args=[failure.pk]), {"confirmed": "1"})
    assert not UrgentFailure.objects.exists()
    actions = list(recorded(model="submissions.UrgentFailure").values_list("kind", flat=True))
    assert actions == [EventKind.UPDATE, EventKind.DELETE]




@pytest.mark.parametrize(
    ("url_name", "method", "with_failure", "expected"),
    [
        ("submissions:failure_list", "get", False, (200, 200, 403, 403, 200, "login")),
        ("submissions:failure_create", "get", False, (200, 200, 403, 403, 403, "login")),
        ("submissions:failure_create", "post", False, (200, 200, 403, 403, 403, "login")),
        ("submissions:failure_edit", "get", True, (200, 200, 403, 403, 200, "login")),
        ("submissions:failure_edit", "post", True, (200, 200, 403, 403, 403, "login")),
        ("submissions:failure_delete", "post", True, (302, 302, 403, 403, 403, "login")),
    ],
)
def test_failure_views_by_persona(client, personas, url_name, method, with_failure, expected):
    for i, (persona, status) in enumerate(zip(PERSONAS, expected, strict=True)):
        failure = make_failure(personas["officer_a"].unit, occurred_on=timezone.localdate() - dt.timedelta(days=i))
        url = reverse(url_name, args=[failure.pk] if with_failure else [])
        client.logout()
        login(client, personas[persona])
        response = client.get(url) if method == "get" else client.post(url, {"kind": "late", "confirmed": "1"})
        if status == "login":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), persona
        else:
            assert response.status_code == status, persona


# --- the database's own guards --------------------------------------------------------------------------


def test_database_guards():
    item = make_submission(make_unit())
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=item.pk).update(is_invalid=True, invalid_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=item.pk).update(unit_count=0)
    other = make_unit()
    JointUnit.objects.create(submission=item, unit=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        JointUnit.objects.create(submission=item, unit=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        UrgentFailure.objects.create(unit=other, occurred_on=timezone.localdate(), kind="gossip")


# --- the demo year ------------------------------------------------------------------------------------


def test_seed_activity_makes_a_plausible_year():
    year = timezone.localdate().year - 1
    seed_units(year)
    seed_activity(year)  # running it again changes nothing: tests/test_seed_demo.py counts every table twice

    items = Submission.objects.filter(ledger_no__startswith=f"DEMO{year}-")
    assert items.count() > 5000
    # unit_count is 1 + joint units on every item.
    counted = items.annotate(j=Count("joint_units"))
    assert all(i.unit_count == 1 + i.j for i in counted)
    assert JointUnit.objects.exists()
    assert not JointUnit.objects.filter(unit=models_f("submission__unit")).exists()
    # Adoptions at every level with every allowed type; instructions of every kind at every level.
    assert set(Adoption.objects.values_list("level", "adoption_type")) == {
        (level, kind) for level, kinds in ALLOWED_ADOPTION_TYPES.items() for kind in kinds
    }
    assert set(LeaderInstruction.objects.values_list("level", "kind")) >= {
        (level, kind) for level in ("city", "province", "state") for kind in InstructionKind.values
    }
    rate = {level: Adoption.objects.filter(level=level).count() / items.count() for level in ("city", "province", "state")}
    assert 0.10 < rate["city"] < 0.20 and 0.01 < rate["province"] < 0.05 and rate["state"] < 0.02
    assert set(UrgentFailure.objects.values_list("kind", flat=True)) == set(FailureKind.values)
    # Requests with on-time, late and missing answers.
    now = timezone.now()
    outcomes = set()
    for req in SpecialRequest.objects.all():
        answers = first_answers(req)
        outcomes |= {outcome(req.deadline, answers.get(u.pk), now) for u in req.targets.all()}
    assert {RequestOutcome.ON_TIME, RequestOutcome.LATE, RequestOutcome.MISSING} <= outcomes
    assert SpecialRequest.objects.count() >= 8
    # Every fact dated within reason: no item before its unit's assessed_from, nothing after today.
    assert not items.filter(submitted_at__gt=now).exists()
    assert not Adoption.objects.filter(adopted_on__gt=timezone.localdate()).exists()
    for item in items.filter(unit__assessed_from__isnull=False).select_related("unit"):
        assert timezone.localdate(item.submitted_at) >= item.unit.assessed_from
    confirmed = BasicWorkEntry.objects.filter(year=year, status=BasicWorkStatus.CONFIRMED).count()
    assert 0.8 * len(seed_units(year)) < confirmed < len(seed_units(year))
    # Some units fall short of their quota (15 or 10 a month): the ranking has something to show.
    per_unit = items.counted().values("unit__sequence", "unit").annotate(n=Count("id"))
    short = [r for r in per_unit if r["n"] < 12 * (10 if r["unit__sequence"] == "bureau" else 15)]
    assert short


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_seed_activity_current_year_stops_today():
    year = timezone.localdate().year
    seed_units(year)
    seed_activity(year)
    assert not Submission.objects.filter(submitted_at__gt=timezone.now()).exists()
    # Two requests are still open, so officers have something to answer.
    assert SpecialRequest.objects.filter(deadline__gt=timezone.now()).count() == 2


def test_seed_activity_future_year_does_nothing():
    seed_units(timezone.localdate().year)
    seed_activity(timezone.localdate().year + 1)
    assert not Submission.objects.exists()


# --- races, on a database that really runs transactions side by side -------------------------------------

@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_item():
    unit = make_unit()
    user = make_user(Role.OFFICER, unit=unit)
    data = ItemInput(unit=unit, title="同时提交", body="", info_type="general", submitted_at=timezone.now(),
                     special_request=None, joint_units=[])
    token = uuid.uuid4()
    results = run_together(*[lambda: services.report_item(data, user=user, token=token)] * 2)
    item = Submission.objects.get()
    created = [r for r in results if isinstance(r, Submission)]
    repeats = [r for r in results if isinstance(r, services.AlreadySubmitted)]
    assert len(created) == 1 and len(repeats) == 1 and repeats[0].object_id == item.pk == created[0].pk


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_corrections_one_wins_the_other_is_told():
    item = make_submission(make_unit(), title="原标题")
    user = make_user(Role.STAFF)

    def correct(title: str):
        data = ItemInput(unit=item.unit, title=title, body="", info_type="general", submitted_at=item.submitted_at,
                         special_request=None, joint_units=[])
        return services.correct_item(item, data, user=user, version=1)

    results = run_together(lambda: correct("甲"), lambda: correct("乙"))
    stale = [r for r in results if isinstance(r, StaleEdit)]
    saved = [r for r in results if isinstance(r, Submission)]
    assert len(stale) == 1 and len(saved) == 1
    item.refresh_from_db()
    assert item.version == 2 and item.title == saved[0].title
    assert recorded(kind=EventKind.UPDATE).count() == 1
