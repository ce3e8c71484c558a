"""Adoptions (采用) and leader instructions (批示) recorded on an item's page (RULES.md Art. 9, decisions 8-10)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import EventKind
from scoring.item_points import item_points
from submissions.models import ALLOWED_ADOPTION_TYPES, Adoption, LeaderInstruction
from tests.factories import login, make_adoption, make_instruction, make_submission, make_unit, recorded, shanghai

pytestmark = pytest.mark.django_db



@pytest.fixture
def item(personas):
    return make_submission(personas["officer_a"].unit, submitted_at=timezone.now() - dt.timedelta(days=10))



def today() -> str:
    return timezone.localdate().isoformat()


def adoption_post(**kw) -> dict:
    data = {"level": "city", "adoption_type": "general", "adopted_on": today(), "carrier": "哈尔滨政务信息",
            "issue_no": "第12期", "form_token": str(uuid.uuid4())}
    data.update(kw)
    return {f"adoption-{k}": v for k, v in data.items()}


def instruction_post(**kw) -> dict:
    data = {"level": "city", "kind": "decision", "instructed_on": today(), "leader": "市长", "content": "请抓好落实",
            "form_token": str(uuid.uuid4())}
    data.update(kw)
    return {f"instruction-{k}": v for k, v in data.items()}


# --- adoptions ----------------------------------------------------------------------------------------


def test_staff_records_adoption_with_history(client, personas, item):
    response = login(client, personas["staff"]).post(reverse("submissions:adoption_create", args=[item.pk]), adoption_post())
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.submission, adoption.level, adoption.created_by) == (item, "city", personas["staff"])
    change = recorded(model="submissions.Adoption").get()
    assert change.parent_id == item.pk and change.user == personas["staff"] and change.kind == EventKind.CREATE
    page = client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "第12期" in page and str(personas["staff"]) in page


def test_item_adopted_at_several_levels(client, personas, item):
    client = login(client, personas["staff"])
    for level, kind in (("city", "urgent"), ("province", "research"), ("state", "general")):
        client.post(reverse("submissions:adoption_create", args=[item.pk]), adoption_post(level=level, adoption_type=kind))
    assert set(item.adoptions.values_list("level", flat=True)) == {"city", "province", "state"}


def test_adoption_at_most_once_per_level(client, personas, item):
    make_adoption(item, level="city")
    response = login(client, personas["staff"]).post(reverse("submissions:adoption_create", args=[item.pk]), adoption_post())
    assert response.status_code == 400 and "每个层级只能采用一次" in response.content.decode()
    assert Adoption.objects.count() == 1


def test_double_submitted_adoption_creates_one(client, personas, item):
    data = adoption_post()
    client = login(client, personas["staff"])
    client.post(reverse("submissions:adoption_create", args=[item.pk]), data)
    second = client.post(reverse("submissions:adoption_create", args=[item.pk]), data)
    assert second.status_code == 302 and Adoption.objects.count() == 1


@pytest.mark.parametrize(
    ("level", "kind"),
    [(level, kind) for level in ("city", "province", "state")
     for kind in ("general", "urgent", "small_research", "large_research", "research")
     if kind not in ALLOWED_ADOPTION_TYPES[level]],
)
def test_type_not_allowed_at_level_is_refused(client, personas, item, level, kind):
    response = login(client, personas["staff"]).post(
        reverse("submissions:adoption_create", args=[item.pk]), adoption_post(level=level, adoption_type=kind),
    )
    assert response.status_code == 400 and "级采用只有这些类型" in response.content.decode()
    assert not Adoption.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Adoption.objects.create(submission=item, level=level, adoption_type=kind, adopted_on=timezone.localdate())


def test_database_refuses_second_adoption_at_a_level(item):
    make_adoption(item, level="province", adoption_type="research")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_adoption(item, level="province", adoption_type="general")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda item: timezone.localdate() + dt.timedelta(days=1), "日期不能晚于今天"),
        (lambda item: timezone.localdate(item.submitted_at) - dt.timedelta(days=1), "日期不能早于信息的报送日期"),
        (lambda item: "", "请填写采用日期"),
        (lambda item: "2024-02-30", "日期格式不正确，请按“2026-11-28”填写。"),
    ],
)
def test_bad_adoption_date(client, personas, item, day, message):
    data = adoption_post(adopted_on=str(day(item)), carrier="保留的刊物名")
    response = login(client, personas["staff"]).post(reverse("submissions:adoption_create", args=[item.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "保留的刊物名" in page
    assert not Adoption.objects.exists()


def test_oversized_carrier_is_refused(client, personas, item):
    response = login(client, personas["staff"]).post(
        reverse("submissions:adoption_create", args=[item.pk]), adoption_post(carrier="刊" * 101),
    )
    assert response.status_code == 400 and "100" in response.content.decode()
    assert not Adoption.objects.exists()


def test_edit_and_delete_adoption_keep_history(client, personas, item):
    adoption = make_adoption(item, level="city", adoption_type="general", issue_no="第1期")
    client = login(client, personas["staff"])
    data = {"level": "city", "adoption_type": "urgent", "adopted_on": adoption.adopted_on.isoformat(), "carrier": "",
            "issue_no": "第2期", "version": 1}
    response = client.post(reverse("submissions:adoption_edit", args=[item.pk, adoption.pk]), data)
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.adoption_type == "urgent" and adoption.issue_no == "第2期"
    change = recorded(kind=EventKind.UPDATE).get()
    assert change.changes == {"采用类型": ["一般动态", "紧急重要"], "期号": ["第1期", "第2期"]}
    client.post(reverse("submissions:adoption_delete", args=[item.pk, adoption.pk]), {"confirmed": "1"})
    assert not Adoption.objects.exists()
    deleted = recorded(kind=EventKind.DELETE).get()
    assert deleted.parent_id == item.pk and deleted.changes["期号"] == ["第2期", ""]
    page = client.get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "删除" in page and "第2期" in page


def test_edit_adoption_to_a_taken_level_is_refused(client, personas, item):
    make_adoption(item, level="city")
    province = make_adoption(item, level="province", adoption_type="general")
    data = {"level": "city", "adoption_type": "general", "adopted_on": today(), "version": 1}
    response = login(client, personas["staff"]).post(reverse("submissions:adoption_edit", args=[item.pk, province.pk]), data)
    assert "每个层级只能采用一次" in response.content.decode()
    province.refresh_from_db()
    assert province.level == "province"


def test_adoption_of_another_item_is_404(client, personas, item):
    other = make_adoption(make_submission(make_unit()))
    url = reverse("submissions:adoption_delete", args=[item.pk, other.pk])
    response = login(client, personas["staff"]).post(url, {"confirmed": "1"})
    assert response.status_code == 404 and Adoption.objects.filter(pk=other.pk).exists()


# --- points shown ---------------------------------------------------------------------------------------


def test_points_follow_the_years_rules_and_split_for_joint_items(client, personas):
    unit, partner, third = make_unit(), make_unit(), make_unit()
    item = make_submission(unit, joint=[partner, third], submitted_at=shanghai(2024, 3, 1))
    make_adoption(item, level="province", adoption_type="research", adopted_on=dt.date(2024, 3, 5))
    make_instruction(item, level="state", kind="affirm", instructed_on=dt.date(2024, 3, 9))
    response = login(client, personas["viewer"]).get(reverse("submissions:detail", args=[item.pk]))
    points = item_points(item)
    [adoption], [instruction] = points.adoptions, points.instructions
    # Art. 9 (2008): a provincial research adoption earns 10, a State Council leader's affirmation 20;
    # decision 10: three units share them, 10 / 3 = 3.33 and 20 / 3 = 6.67 each.
    assert (adoption.points, adoption.share) == (Decimal("10.00"), Decimal("3.33"))
    assert (instruction.points, instruction.share) == (Decimal("20.00"), Decimal("6.67"))
    page = response.content.decode()
    assert all(number in page for number in ("10.00", "3.33", "20.00", "6.67"))


def test_points_use_a_years_own_rule_set(client, personas):
    from scoring.models import AssessmentYear, RuleSet
    from scoring.rules import RULES_2008

    params = {**RULES_2008, "adoption_points": {**RULES_2008["adoption_points"], "city": {
        "general": 3, "urgent": 4, "small_research": 4, "large_research": 7}}}
    AssessmentYear.objects.create(year=2025, rule_set=RuleSet.objects.create(name="2025", params=params))
    item = make_submission(make_unit(), submitted_at=shanghai(2024, 12, 20))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(2025, 1, 3))
    response = login(client, personas["staff"]).get(reverse("submissions:detail", args=[item.pk]))
    # Decision 1: an adoption counts in its own date's year, under that year's rules (3, not 2008's 1).
    [adoption] = item_points(item).adoptions
    assert (adoption.points, adoption.share) == (Decimal("3.00"), None)
    assert "3.00" in response.content.decode()


# --- instructions -------------------------------------------------------------------------------------


def test_staff_records_several_instructions(client, personas, item):
    client = login(client, personas["staff"])
    client.post(reverse("submissions:instruction_create", args=[item.pk]), instruction_post())
    client.post(reverse("submissions:instruction_create", args=[item.pk]), instruction_post(leader="副市长", kind="read"))
    client.post(reverse("submissions:instruction_create", args=[item.pk]), instruction_post(level="province", leader="省长"))
    assert LeaderInstruction.objects.filter(submission=item).count() == 3
    assert set(LeaderInstruction.objects.values_list("created_by", flat=True)) == {personas["staff"].pk}
    assert recorded(model="submissions.LeaderInstruction", parent_id=item.pk).count() == 3


def test_duplicate_instruction_is_refused(client, personas, item):
    make_instruction(item, level="city", kind="decision", instructed_on=timezone.localdate(), leader="市长")
    response = login(client, personas["staff"]).post(
        reverse("submissions:instruction_create", args=[item.pk]), instruction_post(content="保留的批示内容"),
    )
    page = response.content.decode()
    assert response.status_code == 400 and "不能重复录入" in page and "保留的批示内容" in page
    assert LeaderInstruction.objects.count() == 1


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"instructed_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "日期不能晚于今天"),
        ({"kind": "praise"}, "不在可选范围内，请重新选择。"),
        ({"level": "village"}, "不在可选范围内，请重新选择。"),
        ({"leader": "领" * 51}, "50"),
        ({"content": "批" * 20001}, "20000"),
    ],
)
def test_bad_instruction_input(client, personas, item, override, message):
    response = login(client, personas["staff"]).post(
        reverse("submissions:instruction_create", args=[item.pk]), instruction_post(**override),
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not LeaderInstruction.objects.exists()


def test_edit_and_delete_instruction_keep_history(client, personas, item):
    instruction = make_instruction(item, level="city", kind="read", leader="副市长")
    client = login(client, personas["staff"])
    data = {"level": "city", "kind": "reference", "instructed_on": instruction.instructed_on.isoformat(),
            "leader": "副市长", "content": "", "version": 1}
    assert client.post(reverse("submissions:instruction_edit", args=[item.pk, instruction.pk]), data).status_code == 302
    instruction.refresh_from_db()
    assert instruction.kind == "reference"
    client.post(reverse("submissions:instruction_delete", args=[item.pk, instruction.pk]), {"confirmed": "1"})
    assert not LeaderInstruction.objects.exists()
    actions = list(recorded(model="submissions.LeaderInstruction").values_list("kind", flat=True))
    assert actions == [EventKind.UPDATE, EventKind.DELETE]


# --- access -------------------------------------------------------------------------------------------



@pytest.mark.parametrize(
    ("url_name", "method", "fact"),
    [
        ("submissions:adoption_create", "post", None),
        ("submissions:adoption_edit", "get", "adoption"),
        ("submissions:adoption_edit", "post", "adoption"),
        ("submissions:adoption_delete", "post", "adoption"),
        ("submissions:instruction_create", "post", None),
        ("submissions:instruction_edit", "get", "instruction"),
        ("submissions:instruction_edit", "post", "instruction"),
        ("submissions:instruction_delete", "post", "instruction"),
    ],
)
def test_only_staff_touch_adoptions_and_instructions(client, personas, item, url_name, method, fact):
    facts = {"adoption": make_adoption(item, level="state", adoption_type="general"),
             "instruction": make_instruction(item, kind="read")}
    args = [item.pk] + ([facts[fact].pk] if fact else [])
    url = reverse(url_name, args=args)
    for persona in ("officer_a", "officer_b", "viewer", "anonymous"):
        client.logout()
        login(client, personas[persona])
        response = client.get(url) if method == "get" else client.post(url, {**adoption_post(), **instruction_post()})
        if persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 403, persona
    assert Adoption.objects.count() == 1 and LeaderInstruction.objects.count() == 1
    assert not recorded().exists()
    for persona in ("admin", "staff"):
        client.logout()
        response = login(client, personas[persona]).get(url) if method == "get" else None
        if response is not None:
            assert response.status_code == 200


def test_highest_level_only_setting_shows_the_lower_adoption_at_zero(client, personas):
    from scoring.models import AssessmentYear, RuleSet
    from scoring.rules import RULES_2008

    AssessmentYear.objects.create(year=2024, rule_set=RuleSet.objects.create(
        name="2024-highest", params={**RULES_2008, "adoption_mode": "highest_level"}))
    item = make_submission(make_unit(), submitted_at=shanghai(2024, 3, 1))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(2024, 3, 5))
    make_adoption(item, level="province", adoption_type="general", adopted_on=dt.date(2024, 3, 9))
    response = login(client, personas["staff"]).get(reverse("submissions:detail", args=[item.pk]))
    city, province = item_points(item).adoptions
    assert (city.points, city.superseded) == (Decimal("0.00"), True)
    assert (province.points, province.superseded) == (Decimal("2.00"), False)  # Art. 9: provincial general 2
    assert "仅计最高层级" in response.content.decode()
