"""Joint units need consent (RULES.md decisions 5 and 10): a joint unit an officer names counts only once that
unit's officer or the office confirms it; the office's and the ledger's are confirmed when entered."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from fractions import Fraction

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from audit.models import EventKind
from bulletins.services import build_bulletin
from scoring.engine import round2
from scoring.ledger import import_ledger
from scoring.scorecard import build_scorecard
from scoring.services import compute_scores, rules_for_year
from submissions import services
from submissions.models import Adoption, JointUnit, Submission, sync_fact_owners, sync_unit_counts
from submissions.panels import home_panel
from submissions.services import ItemInput
from tests.factories import login, make_adoption, make_request, make_submission, make_unit, make_user, recorded, shanghai
from tests.ledger_builder import ledger_file
from units.models import Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024


def report(user, unit, joint, at: dt.datetime | None = None, request=None) -> Submission:
    """An item reported through the service as `user` (an officer for their unit, or the office)."""
    data = ItemInput(unit=unit, title="联合信息", body="", info_type="general", submitted_at=at or shanghai(YEAR, 3, 5),
                     special_request=request, joint_units=list(joint))
    return services.report_item(data, user=user, token=uuid.uuid4())


def run_json(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return json.loads(out.getvalue())


def scores_by_unit() -> dict[str, dict]:
    return {row["unit"]: row for row in run_json("scores", "--year", str(YEAR))["units"]}


def bulletin_by_unit(month: int = 3) -> dict[str, dict]:
    return {row["unit"]: row for row in run_json("bulletin", "--month", f"{YEAR}-{month:02d}")["units"]}


def quota_points(counted: int, sequence: str = Sequence.BUREAU) -> float:
    """Reporting item 1 for the year by the rule: 15 × min(1, counted ÷ (monthly quota × 12))."""
    rules = rules_for_year(YEAR).rules()
    required = rules.quota_for(sequence, False) * 12
    return float(round2(rules.reporting_item_points * min(Fraction(1), Fraction(counted) / required)))


def city_general_points(units: int) -> float:
    """One city adoption of a general item, split equally among the units it counts for (decision 10)."""
    return float(round2(Fraction(rules_for_year(YEAR).rules().adoption_points["city"]["general"]) / units))


def post(client, user, name: str, item: Submission, unit):
    return login(client, user).post(reverse(f"submissions:{name}", args=[item.pk, unit.pk]))


def last_message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


# --- counting only when confirmed -------------------------------------------------------------------------


def test_decision10_an_officer_named_joint_unit_counts_only_for_the_reporting_unit_until_confirmed(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    item = report(personas["officer_a"], a, [b])
    adoption = make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(YEAR, 3, 10))
    joint = JointUnit.objects.get()
    assert (joint.confirmed, joint.confirmed_by, item.unit_count, adoption.unit_count) == (False, None, 1, 1)

    pending_scores, pending_bulletin = scores_by_unit(), bulletin_by_unit()
    assert (pending_scores[a.name]["reporting"]["quota"], pending_scores[b.name]["reporting"]["quota"]) == (quota_points(1), 0)
    assert (pending_scores[a.name]["adoption"], pending_scores[b.name]["adoption"]) == (city_general_points(1), 0)
    assert pending_bulletin[b.name]["submitted"] == {"month": 0, "ytd": 0}
    assert pending_bulletin[b.name]["points"] == {"month": 0, "ytd": 0}
    assert pending_bulletin[a.name]["points"]["month"] == city_general_points(1)
    assert [e["unit"] for e in build_bulletin(YEAR, 3)["adopted_items"]] == [a.name]

    response = post(client, personas["officer_b"], "joint_confirm", item, b)
    assert response.status_code == 302 and response["Location"] == reverse("submissions:detail", args=[item.pk])
    joint.refresh_from_db()
    assert (joint.confirmed, joint.confirmed_by) == (True, personas["officer_b"])
    assert Submission.objects.get(pk=item.pk).unit_count == 2 == Adoption.objects.get().unit_count

    confirmed_scores, confirmed_bulletin = scores_by_unit(), bulletin_by_unit()
    for unit in (a, b):
        assert confirmed_scores[unit.name]["reporting"]["quota"] == quota_points(1)
        assert confirmed_scores[unit.name]["adoption"] == city_general_points(2)
        assert confirmed_bulletin[unit.name]["submitted"] == {"month": 1, "ytd": 1}
        assert confirmed_bulletin[unit.name]["points"]["month"] == city_general_points(2)
        assert confirmed_bulletin[unit.name]["adopted"]["month"]["city"] == 1
    assert sorted(e["unit"] for e in build_bulletin(YEAR, 3)["adopted_items"]) == sorted([a.name, b.name])


def test_decision10_a_declined_joint_unit_is_removed_and_never_counted(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    item = report(personas["officer_a"], a, [b])
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(YEAR, 3, 10))
    response = post(client, personas["officer_b"], "joint_decline", item, b)
    # The declining unit no longer sees the item: back to its list of pending confirmations.
    assert response.status_code == 302 and response["Location"] == reverse("submissions:joint_list")
    assert not JointUnit.objects.exists()
    assert Submission.objects.get(pk=item.pk).unit_count == 1 == Adoption.objects.get().unit_count
    scores = scores_by_unit()
    assert (scores[a.name]["adoption"], scores[b.name]["adoption"]) == (city_general_points(1), 0)
    assert scores[b.name]["reporting"]["quota"] == 0
    assert client.get(reverse("submissions:detail", args=[item.pk])).status_code == 404


def test_decision10_only_confirmed_joint_units_share_the_points_of_an_item_with_both(personas):
    a = personas["officer_a"].unit
    confirmed, pending = make_unit(), make_unit()
    item = make_submission(a, joint=[confirmed], pending=[pending], submitted_at=shanghai(YEAR, 3, 5))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(YEAR, 3, 10))
    scores = scores_by_unit()
    assert [scores[u.name]["adoption"] for u in (a, confirmed, pending)] == [city_general_points(2)] * 2 + [0]
    report_ = compute_scores(YEAR)
    assert [line.shared for line in build_scorecard(report_, confirmed).adoptions] == [2]
    assert build_scorecard(report_, pending).adoptions == []


# --- who enters it ------------------------------------------------------------------------------------------


def test_decision10_joint_units_the_office_enters_are_confirmed_at_once(client, personas):
    staff = personas["staff"]
    a, b, c = personas["officer_a"].unit, personas["officer_b"].unit, make_unit()
    login(client, staff).post(reverse("submissions:create"), {
        "unit": a.name, "title": "办公厅录入", "info_type": "general", "body": "", "form_token": str(uuid.uuid4()),
        "submitted_at": "2024-03-05T09:00", "joint_units": b.name,
    })
    item = Submission.objects.get()
    assert list(JointUnit.objects.values_list("unit", "confirmed", "confirmed_by")) == [(b.pk, True, staff.pk)]
    assert item.unit_count == 2
    # A correction by the office: an added unit is confirmed too.
    data = ItemInput(unit=a, title="办公厅录入", body="", info_type="general", submitted_at=item.submitted_at,
                     special_request=None, joint_units=[b, c])
    assert services.correct_item(item, data, user=staff, version=item.version).unit_count == 3
    assert set(JointUnit.objects.values_list("unit", "confirmed")) == {(b.pk, True), (c.pk, True)}


def test_an_office_correction_leaves_a_pending_joint_unit_pending(personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    item = report(personas["officer_a"], a, [b])
    data = ItemInput(unit=a, title="改过的标题", body="", info_type="general", submitted_at=item.submitted_at,
                     special_request=None, joint_units=[b])
    corrected = services.correct_item(item, data, user=personas["staff"], version=item.version)
    assert corrected.unit_count == 1 and not JointUnit.objects.get().confirmed


def test_decision10_a_ledger_imported_joint_unit_is_confirmed_and_confirms_a_pending_one_it_names(personas):
    staff = personas["staff"]
    sheets = {
        "单位": [{"单位名称": n, "序列": "委办局"} for n in ("市发改委", "市财政局", "市商务局")],
        "报送": [{"信息编号": "L1", "单位名称": "市发改委", "标题": "一", "报送时间": "2024-03-01 09:00",
                  "信息类型": "一般动态", "联合报送单位": "市财政局"}],
    }
    import_ledger(ledger_file(sheets), user=staff)
    joint = JointUnit.objects.select_related("unit").get()
    assert (joint.unit.name, joint.confirmed, joint.confirmed_by) == ("市财政局", True, staff)
    # An officer of 市商务局's partner names it on the ledger's item; a reload that lists it confirms it.
    item = Submission.objects.get(ledger_no="L1")
    commerce = item.unit.__class__.objects.get(name="市商务局")
    JointUnit.objects.create(submission=item, unit=commerce)
    sheets["报送"][0]["联合报送单位"] = "市财政局、市商务局"
    import_ledger(ledger_file(sheets), user=staff)
    assert set(JointUnit.objects.values_list("unit__name", "confirmed")) == {("市财政局", True), ("市商务局", True)}
    assert Submission.objects.get(pk=item.pk).unit_count == 3


# --- confirming and declining: access, refusals, history -----------------------------------------------------

# (confirm status, who may) per persona; the reporting unit's officer cannot confirm for its partner.
ACCESS = {"admin": 302, "staff": 302, "officer_a": 403, "officer_b": 302, "viewer": 403, "third": 404}


@pytest.mark.parametrize("name", ["joint_confirm", "joint_decline"])
@pytest.mark.parametrize("persona", [*ACCESS, "anonymous"])
def test_who_may_confirm_or_decline(client, personas, persona, name):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    item = report(personas["officer_a"], a, [b])
    user = make_user(Role.OFFICER, make_unit()) if persona == "third" else personas[persona]
    response = post(client, user, name, item, b)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == ACCESS[persona]
    settled = response.status_code == 302 and persona != "anonymous"
    expected = [] if settled and name == "joint_decline" else [settled]
    assert list(JointUnit.objects.values_list("confirmed", flat=True)) == expected


def test_the_named_unit_sees_the_pending_item_read_only_and_a_third_unit_does_not(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    item = report(personas["officer_a"], a, [b])
    url = reverse("submissions:detail", args=[item.pk])
    confirm = reverse("submissions:joint_confirm", args=[item.pk, b.pk])
    page_b = login(client, personas["officer_b"]).get(url).content.decode()
    assert "待确认" in page_b and confirm in page_b and reverse("submissions:edit", args=[item.pk]) not in page_b
    page_a = login(client, personas["officer_a"]).get(url).content.decode()
    assert "待确认" in page_a and confirm not in page_a
    listing = client.get(reverse("submissions:list")).content.decode()
    assert f"联合：{b.name}（待确认）" in listing
    third = make_user(Role.OFFICER, make_unit())
    assert login(client, third).get(url).status_code == 404
    # Another pair's confirmation is no business of the third unit: not listed on its page either.
    assert item.title not in client.get(reverse("submissions:joint_list")).content.decode()


def test_confirming_twice_or_after_removal_is_refused_cleanly(client, personas):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    item = report(personas["officer_a"], a, [b])
    assert post(client, personas["officer_b"], "joint_confirm", item, b).status_code == 302
    changes = recorded().count()
    for name in ("joint_confirm", "joint_decline"):
        response = post(client, personas["officer_b"], name, item, b)
        assert response.status_code == 302 and last_message(response) == f"{b.name}已经确认联合报送，无需再次操作。"
    assert recorded().count() == changes and JointUnit.objects.get().confirmed

    other = report(personas["officer_a"], a, [b], at=shanghai(YEAR, 3, 6))
    data = ItemInput(unit=a, title="联合信息", body="", info_type="general", submitted_at=other.submitted_at,
                     special_request=None, joint_units=[])
    services.correct_item(other, data, user=personas["staff"], version=other.version)  # the office removes it
    response = post(client, personas["officer_b"], "joint_confirm", other, b)
    assert response.status_code == 302 and response["Location"] == reverse("submissions:joint_list")
    assert last_message(response) == "该联合报送单位已被移除，无需再确认或拒绝。"
    assert not JointUnit.objects.filter(submission=other).exists()
    with pytest.raises(services.JointRefused):
        services.decline_joint(other.pk, b.pk, user=personas["staff"])


def test_confirming_and_declining_are_kept_in_the_items_history_and_bump_its_version(client, personas):
    a, b, c = personas["officer_a"].unit, personas["officer_b"].unit, make_unit()
    item = report(personas["officer_a"], a, [b, c])
    post(client, personas["officer_b"], "joint_confirm", item, b)
    post(client, personas["staff"], "joint_decline", item, c)
    history = recorded(model="submissions.Submission", object_id=item.pk)
    names = sorted([b.name, c.name])
    both_pending = "、".join(f"{n}（待确认）" for n in names)
    after_confirm = "、".join(n if n == b.name else f"{n}（待确认）" for n in names)
    assert [(h.kind, h.user, h.changes) for h in history[1:]] == [
        (EventKind.CONFIRM_JOINT, personas["officer_b"], {"联合报送单位": [both_pending, after_confirm]}),
        (EventKind.DECLINE_JOINT, personas["staff"], {"联合报送单位": [after_confirm, b.name]}),
    ]
    assert [h.summary for h in history[1:]] == [f"{b.name}确认联合报送", f"{c.name}拒绝联合报送"]
    assert Submission.objects.get(pk=item.pk).version == item.version + 2
    page = login(client, personas["officer_a"]).get(reverse("submissions:detail", args=[item.pk])).content.decode()
    assert "确认联合报送" in page and "拒绝联合报送" in page


# --- special requests (decision 5) --------------------------------------------------------------------------


def test_decision5_a_joint_item_answers_a_request_for_each_confirmed_unit_it_was_sent_to(client, personas):
    staff = personas["staff"]
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    pending, not_sent, late_partner, outsider = (make_unit() for _ in range(4))
    deadline = shanghai(YEAR, 3, 10, 18)
    req = make_request([a, b, pending, late_partner], deadline=deadline)
    on_time = make_submission(a, joint=[b, not_sent], pending=[pending], special_request=req, submitted_at=deadline)
    make_submission(outsider, joint=[late_partner], special_request=req, submitted_at=deadline + dt.timedelta(minutes=1))

    rules = rules_for_year(YEAR).rules()
    expected = {a: "on_time", b: "on_time", pending: "missing", late_partner: "late"}
    scores = {s.facts.unit_id: s for s in compute_scores(YEAR).scores}
    for unit, outcome in expected.items():
        assert scores[unit.pk].facts.request_outcomes == [outcome]
        assert scores[unit.pk].special == round2(rules.reporting_item_points * rules.request_credits[outcome])
    for unit in (not_sent, outsider):  # the request was not sent to them: no outcome, full points
        assert scores[unit.pk].facts.request_outcomes == []
    json_scores = scores_by_unit()
    assert json_scores[late_partner.name]["reporting"]["special"] == float(round2(rules.reporting_item_points / 2))
    report_ = compute_scores(YEAR)
    assert [line.outcome for line in build_scorecard(report_, b).requests] == ["on_time"]

    detail = login(client, staff).get(reverse("submissions:request_detail", args=[req.pk]))
    assert {unit.pk: outcome for unit, _, outcome in detail.context["rows"]} == {u.pk: o for u, o in expected.items()}
    listed = client.get(reverse("submissions:request_list")).context["page"][0]
    assert (listed.target_count, listed.answered_count) == (4, 3)
    officer_list = login(client, personas["officer_b"]).get(reverse("submissions:request_list")).context["page"][0]
    assert officer_list.my_outcome == "on_time"

    services.confirm_joint(on_time.pk, pending.pk, user=staff)
    assert {s.facts.unit_id: s.facts.request_outcomes for s in compute_scores(YEAR).scores}[pending.pk] == ["on_time"]


def test_the_officers_start_page_counts_the_joint_items_awaiting_confirmation_and_joint_answers(client, personas, rf):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    req = make_request([a, b])
    for _ in range(2):
        report(personas["officer_a"], a, [b], at=shanghai(YEAR, 3, 5), request=req)
    request = rf.get("/")
    request.user = personas["officer_b"]
    panel = home_panel(request)
    assert panel["to_confirm"] == 2 and [r.my_answer for r in panel["requests"]] == [None]  # pending: not an answer
    page = login(client, personas["officer_b"]).get(reverse("home")).content.decode()
    assert "有 2 条信息将本单位列为联合报送单位" in page and reverse("submissions:joint_list") in page
    services.confirm_joint(Submission.objects.first().pk, b.pk, user=personas["officer_b"])
    panel = home_panel(request)
    assert panel["to_confirm"] == 1 and [r.my_answer for r in panel["requests"]] == [shanghai(YEAR, 3, 5)]


# --- the list of pending confirmations ----------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "rows", "buttons"), [
    ("officer_b", 30, 30), ("officer_a", 1, 0), ("staff", 50, 50), ("viewer", 50, 0),
])
def test_pending_list_shows_each_unit_its_own_with_a_fixed_query_count(
        client, personas, django_assert_num_queries, persona, rows, buttons):
    a, b = personas["officer_a"].unit, personas["officer_b"].unit
    for i in range(30):
        make_submission(make_unit(), pending=[b], submitted_at=shanghai(YEAR, 3, 1 + i % 28))
    make_submission(a, pending=[make_unit()], submitted_at=shanghai(YEAR, 4, 1))
    make_submission(make_unit(), joint=[b], submitted_at=shanghai(YEAR, 4, 2))  # confirmed: not listed
    for _ in range(25):
        make_submission(make_unit(), pending=[make_unit()])
    login(client, personas[persona])
    # session, user (officer: with the unit), count, page
    with django_assert_num_queries(4):
        response = client.get(reverse("submissions:joint_list"))
    page = response.context["page"]
    assert len(page) == rows and sum(j.can_settle for j in page) == buttons
    assert response.content.decode().count(">确认</button>") == buttons


def test_sync_unit_counts_counts_the_confirmed_joint_units_of_every_item():
    own, confirmed, pending = make_unit(), make_unit(), make_unit()
    items = [make_submission(own, joint=[confirmed], pending=[pending]), make_submission(own, pending=[pending]),
             make_submission(own)]
    for item in items:
        make_adoption(item)
    Submission.objects.update(unit_count=5)  # as a hand-made change would leave them
    Adoption.objects.update(unit_count=5)
    assert sync_unit_counts() == 3
    sync_fact_owners()
    assert [Submission.objects.get(pk=i.pk).unit_count for i in items] == [2, 1, 1]
    assert [Adoption.objects.get(submission=i).unit_count for i in items] == [2, 1, 1]


def test_the_officers_start_page_has_a_fixed_query_count(client, personas, django_assert_num_queries):
    b = personas["officer_b"].unit
    login(client, personas["officer_b"])
    for n in (2, 30):
        for _ in range(n):
            make_submission(make_unit(), pending=[b], special_request=make_request([b]))
        # The first view after the writes reads the panel (joint units to confirm, open requests with the unit's
        # answers, the unit's items on the editorial desk) and computes the planner's assessment, both kept.
        assert client.get(reverse("home")).context["panels"][0]["to_confirm"] in (2, 32)
        # session, user with unit, the data version they are kept under, the latest bulletin
        with django_assert_num_queries(4):
            assert client.get(reverse("home")).context["panels"][0]["to_confirm"] in (2, 32)
