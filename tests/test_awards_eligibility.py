"""Who may receive an individual award (RULES.md Art. 11–12, decision 12), and picking them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from awards.eligibility import candidates, officer_candidates, organizer_candidates, research_candidates, stale_picks
from awards.models import AwardKind, AwardPick, SpecialContribution, YearResult
from awards.services import (
    AwardsRefused,
    StalePicks,
    finalize_year,
    flag_contribution,
    pick_award,
    set_picks,
    unpick_award,
)
from tests.factories import (
    make_adoption,
    make_instruction,
    make_person,
    make_scored_unit,
    make_submission,
    make_unit,
    on_postgresql,
    run_together,
    shanghai,
)
from units.models import PersonRole, Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024
LEADER, OFFICER, SUPERVISOR = PersonRole.LEADER_IN_CHARGE, PersonRole.INFORMATION_OFFICER, PersonRole.SUPERVISING_LEADER


@pytest.fixture
def districts():
    """Six districts: places 1–2 model, 3–5 advanced, 6 no tier."""
    return [make_scored_unit(Sequence.DISTRICT, n, name=f"区{n}") for n in (9, 8, 7, 6, 5, 1)]


def test_art11_organizers_are_active_leaders_in_charge_of_model_and_advanced_units_by_unit_score(districts):
    fifth = make_person(districts[4], role=LEADER, name="五区领导", post="副区长")
    first = make_person(districts[0], role=LEADER, name="一区领导")
    make_person(districts[5], role=LEADER, name="无等次单位领导")
    make_person(districts[0], role=SUPERVISOR, name="主管领导")
    make_person(districts[0], role=OFFICER, name="信息员")
    make_person(districts[1], role=LEADER, name="离岗领导", is_active=False)
    result = finalize_year(YEAR)

    found = organizer_candidates(result)

    assert [c.target_id for c in found] == [first.pk, fifth.pk]
    assert "标兵单位" in found[0].reason and "先进单位" in found[1].reason and "分管领导" in found[1].reason
    assert found[1].post == "副区长" and found[0].post == "分管领导"
    assert found[0].score > found[1].score


def test_art11_officers_are_officers_of_tiered_units_plus_flagged_special_contributions(districts):
    tiered = make_person(districts[2], role=OFFICER, name="三区信息员")
    untiered = make_person(districts[5], role=OFFICER, name="六区信息员")
    make_person(districts[5], role=OFFICER, name="另一信息员")
    make_person(districts[0], role=LEADER, name="领导")
    other_unit = make_unit(name="参照单位", is_ranked=False)
    flagged_elsewhere = make_person(other_unit, role=OFFICER, name="特殊贡献者")
    result = finalize_year(YEAR)
    flag_contribution(YEAR, untiered, "抗洪期间及时报送紧急信息")
    flag_contribution(YEAR, flagged_elsewhere, "专报质量突出")
    flag_contribution(YEAR - 1, make_person(districts[5], role=OFFICER), "去年的贡献")

    found = officer_candidates(result)

    assert [c.target_id for c in found] == [tiered.pk, untiered.pk, flagged_elsewhere.pk]
    assert "信息员" in found[0].reason and "特殊贡献：抗洪期间及时报送紧急信息" == found[1].reason
    assert found[2].reason == "特殊贡献：专报质量突出" and found[2].unit == "参照单位"


def test_only_active_information_officers_can_be_flagged():
    unit = make_unit()
    with pytest.raises(AwardsRefused, match="不是在岗信息员"):
        flag_contribution(YEAR, make_person(unit, role=LEADER), "说明")
    with pytest.raises(AwardsRefused, match="不是在岗信息员"):
        flag_contribution(YEAR, make_person(unit, role=OFFICER, is_active=False), "说明")
    with pytest.raises(AwardsRefused, match="说明"):
        flag_contribution(YEAR, make_person(unit, role=OFFICER), "  ")
    assert SpecialContribution.objects.count() == 0


def test_art12_research_items_ranked_by_the_whole_items_points_in_the_year(districts):
    a, b, c = districts[:3]
    day = dt.date(YEAR, 5, 10)
    small = make_submission(a, title="小型调研", info_type="small_research", submitted_at=shanghai(YEAR, 5, 1))
    make_adoption(small, level="city", adoption_type="small_research", adopted_on=day)
    # districts[3] is named but has not confirmed: not one of the item's units (decision 10).
    joint = make_submission(b, joint=[c], pending=[districts[3]], title="联合大型调研", info_type="large_research",
                            submitted_at=shanghai(YEAR, 4, 1))
    make_adoption(joint, level="city", adoption_type="large_research", adopted_on=day)
    make_adoption(joint, level="province", adoption_type="research", adopted_on=day, carrier="黑龙江政务信息", issue_no="第5期")
    make_instruction(joint, level="city", kind="decision", instructed_on=day)
    make_instruction(joint, level="city", kind="read", instructed_on=dt.date(YEAR + 1, 1, 5))  # next year's
    general = make_submission(a, title="一般信息", submitted_at=shanghai(YEAR, 5, 1))
    make_adoption(general, level="city", adoption_type="general", adopted_on=day)
    last_year = make_submission(a, title="去年采用", info_type="small_research", submitted_at=shanghai(YEAR - 1, 5, 1))
    make_adoption(last_year, level="city", adoption_type="small_research", adopted_on=dt.date(YEAR - 1, 6, 1))
    invalid = make_submission(a, title="重复", invalid_reason="重复报送", submitted_at=shanghai(YEAR, 5, 1))
    make_adoption(invalid, level="city", adoption_type="small_research", adopted_on=day)
    result = finalize_year(YEAR)

    found = research_candidates(result)

    assert [x.target_id for x in found] == [joint.pk, small.pk]
    # Art. 9, the whole item: city large research 5 + provincial research 10 + a city leader's decision 10 = 25;
    # city small research 2.
    assert found[0].score == Decimal("25.00")
    assert found[1].score == Decimal("2.00")
    assert found[0].unit == f"{b.name}、{c.name}"
    assert "省采用（调研" in found[0].reason and "《黑龙江政务信息》第5期" in found[0].reason
    assert "决策性批示" in found[0].reason and "阅研性" not in found[0].reason


def test_picking_an_eligible_person_and_unpicking(districts):
    leader = make_person(districts[0], role=LEADER)
    result = finalize_year(YEAR)
    pick_award(YEAR, AwardKind.ORGANIZER, leader.pk)
    pick_award(YEAR, AwardKind.ORGANIZER, leader.pk)  # picking twice keeps one
    assert [c.picked for c in candidates(result, AwardKind.ORGANIZER)] == [True]
    assert AwardPick.objects.count() == 1
    assert unpick_award(YEAR, AwardKind.ORGANIZER, leader.pk)
    assert AwardPick.objects.count() == 0


@pytest.mark.parametrize("kind", AwardKind.values)
def test_picking_someone_not_eligible_is_refused_and_nothing_saved(districts, kind):
    untiered_leader = make_person(districts[5], role=LEADER)
    untiered_officer = make_person(districts[5], role=OFFICER)
    general = make_submission(districts[0], submitted_at=shanghai(YEAR, 5, 1))
    make_adoption(general, level="city", adoption_type="general", adopted_on=dt.date(YEAR, 5, 2))
    finalize_year(YEAR)
    target = {"organizer": untiered_leader, "officer": untiered_officer, "research": general}[kind]

    with pytest.raises(AwardsRefused, match="不符合"):
        pick_award(YEAR, kind, target.pk)

    assert AwardPick.objects.count() == 0


def test_picking_a_leader_as_an_officer_is_refused(districts):
    leader = make_person(districts[0], role=LEADER)
    finalize_year(YEAR)
    with pytest.raises(AwardsRefused):
        pick_award(YEAR, AwardKind.OFFICER, leader.pk)


def test_picking_before_the_year_is_finalized_is_refused(districts):
    leader = make_person(districts[0], role=LEADER)
    with pytest.raises(AwardsRefused, match="尚未确定"):
        pick_award(YEAR, AwardKind.ORGANIZER, leader.pk)
    assert AwardPick.objects.count() == 0


def test_eligibility_follows_the_latest_version_and_stale_picks_are_reported(districts):
    leader = make_person(districts[1], role=LEADER)
    finalize_year(YEAR)
    pick_award(YEAR, AwardKind.ORGANIZER, leader.pk)
    # District 6 gains 10 points and passes district 5, which drops out of the tiers; district 2 stays.
    fifth = make_person(districts[4], role=LEADER)
    pick_award(YEAR, AwardKind.ORGANIZER, fifth.pk)
    item = make_submission(districts[5], submitted_at=shanghai(YEAR, 8, 1))
    make_adoption(item, level="state", adoption_type="general", adopted_on=dt.date(YEAR, 8, 2))
    latest = finalize_year(YEAR, reason="补录国务院采用")

    found = {k: candidates(latest, k) for k in AwardKind.values}

    assert leader.pk in {c.target_id for c in found["organizer"]}
    assert [p.person_id for p in stale_picks(latest)] == [fifth.pk]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_pick_racing_a_new_finalization_is_saved_before_it_or_refused_as_stale(districts):
    leader = make_person(districts[0], role=LEADER)
    finalize_year(YEAR)
    results = run_together(lambda: set_picks(YEAR, AwardKind.ORGANIZER, [leader.pk], True, version=1),
                           lambda: finalize_year(YEAR, reason="补录"))
    picked, second = results
    assert isinstance(second, YearResult) and second.version == 2
    if isinstance(picked, StalePicks):
        assert not AwardPick.objects.exists()
    else:  # the pick went first: the new version was finalized after it, with the pick in view
        assert picked == 1 and AwardPick.objects.get().picked_at < second.finalized_at
