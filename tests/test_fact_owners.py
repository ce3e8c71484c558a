"""Adoptions and instructions carry a copy of their item's unit and unit count (scoring groups them without
joining the items): every way of writing them takes the copy, and every way of changing an item keeps it right."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Role
from scoring.engine import round2
from scoring.services import compute_scores
from submissions import services
from submissions.models import Adoption, LeaderInstruction, Submission, sync_fact_owners
from submissions.services import ItemInput
from tests.factories import make_adoption, make_instruction, make_submission, make_unit, make_user, shanghai

pytestmark = pytest.mark.django_db


def owners(model) -> set[tuple[int, int, int]]:
    return set(model.objects.values_list("submission_id", "unit_id", "unit_count"))


def items_owners(items: list[Submission]) -> set[tuple[int, int, int]]:
    return {(i.pk, i.unit_id, i.unit_count) for i in items}


def test_a_saved_adoption_or_instruction_takes_its_items_unit_and_unit_count():
    unit, other = make_unit(), make_unit()
    item = make_submission(unit, joint=[other])
    make_adoption(item)
    make_instruction(Submission.objects.get(pk=item.pk))  # the item not yet loaded on the instruction
    assert owners(Adoption) == owners(LeaderInstruction) == {(item.pk, unit.pk, 2)}


def test_bulk_created_facts_take_the_owner_whether_or_not_the_item_is_loaded():
    loaded, by_id = make_submission(make_unit()), make_submission(make_unit(), joint=[make_unit(), make_unit()])
    Adoption.objects.bulk_create(
        [
            Adoption(submission=loaded, level="city", adoption_type="general", adopted_on=dt.date(2024, 3, 1)),
            Adoption(submission_id=by_id.pk, level="city", adoption_type="general", adopted_on=dt.date(2024, 3, 1)),
        ]
    )
    assert owners(Adoption) == items_owners([loaded, by_id])


def test_sync_repairs_stale_copies_and_can_be_narrowed_to_some_items():
    first, second = make_submission(make_unit()), make_submission(make_unit())
    for item in (first, second):
        make_adoption(item)
        make_instruction(item)
    moved_to = make_unit()
    Submission.objects.update(unit=moved_to, unit_count=3)  # a write that bypasses the services
    sync_fact_owners(Submission.objects.filter(pk=first.pk))
    assert owners(Adoption) == {(first.pk, moved_to.pk, 3), (second.pk, second.unit_id, 1)}
    sync_fact_owners()
    assert owners(Adoption) == owners(LeaderInstruction) == {(first.pk, moved_to.pk, 3), (second.pk, moved_to.pk, 3)}


def test_a_corrected_item_takes_its_adoption_and_instruction_points_to_its_new_units():
    old, new, joint = (make_unit(sequence="district") for _ in range(3))
    item = make_submission(old, submitted_at=shanghai(2024, 3, 1))
    make_adoption(item, level="city", adoption_type="large_research", adopted_on=dt.date(2024, 3, 5))
    make_instruction(item, level="city", kind="affirm", instructed_on=dt.date(2024, 3, 6))
    data = ItemInput(
        unit=new, title=item.title, body="", info_type="general", submitted_at=item.submitted_at,
        special_request=None, joint_units=[joint],
    )
    services.correct_item(item, data, user=make_user(Role.STAFF), version=item.version)

    scores = {s.facts.unit_id: s for s in compute_scores(2024).scores}
    # Art. 9: a city large research adoption is 5 points, a city leader's affirmation 3; decision 10 splits
    # them between the item's two units.
    assert scores[old.pk].adoption == scores[old.pk].instruction == 0
    for unit in (new, joint):
        assert scores[unit.pk].adoption == round2(Decimal(5) / 2)
        assert scores[unit.pk].instruction == round2(Decimal(3) / 2)
    assert owners(Adoption) == owners(LeaderInstruction) == {(item.pk, new.pk, 2)}
