"""Month tallies: their content by hand, and after every way the system writes items and their facts, the
tallies scoring reads equal a rebuild of every unit from the facts (no write forgets to mark its units)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Role
from scoring.ledger import import_ledger
from submissions import services
from submissions.models import (
    TALLY_POINT_COLUMNS,
    Adoption,
    JointUnit,
    LeaderInstruction,
    MonthTally,
    StaleTally,
    Submission,
    sync_fact_owners,
)
from submissions.services import ItemInput
from submissions.tallies import rebuild_all_tallies, refresh_tallies
from tests.factories import (
    make_adoption,
    make_instruction,
    make_submission,
    make_unit,
    make_user,
    on_postgresql,
    run_together,
    shanghai,
)
from tests.ledger_builder import BASE, ledger_file

pytestmark = pytest.mark.django_db
COLUMNS = ["counted", "research", *TALLY_POINT_COLUMNS]


def tallies() -> dict[tuple[int, int, int], dict[str, int]]:
    """Every tally row as {(unit, year, month): its non-zero columns}."""
    return {
        (t.unit_id, t.year, t.month): {c: getattr(t, c) for c in COLUMNS if getattr(t, c)}
        for t in MonthTally.objects.all()
    }


def assert_current() -> None:
    """The tallies after the marked units are rebuilt equal a rebuild of every unit."""
    refresh_tallies()
    assert not StaleTally.objects.exists()
    incremental = tallies()
    rebuild_all_tallies()
    assert incremental == tallies()


def test_a_tally_counts_a_units_valid_items_and_the_facts_of_its_items_without_joint_units():
    own, partner = make_unit(), make_unit()
    # March in Shanghai: the first item is 2024-03-31 23:30 there (15:30 UTC), the last April 1 00:10 there.
    general = make_submission(own, submitted_at=shanghai(2024, 3, 31, 23, 30))
    make_submission(own, submitted_at=shanghai(2024, 3, 2), info_type="small_research")
    make_submission(own, submitted_at=shanghai(2024, 3, 3), invalid_reason="重复")
    joint = make_submission(own, joint=[partner], submitted_at=shanghai(2024, 3, 4), info_type="large_research")
    make_submission(own, submitted_at=shanghai(2024, 4, 1, 0, 10))
    make_adoption(general, level="city", adoption_type="general", adopted_on=dt.date(2024, 4, 2))
    make_adoption(general, level="province", adoption_type="general", adopted_on=dt.date(2024, 4, 20))
    make_instruction(general, level="state", kind="decision", instructed_on=dt.date(2024, 5, 1))
    make_adoption(joint, level="city", adoption_type="large_research", adopted_on=dt.date(2024, 4, 2))  # split: not tallied
    refresh_tallies()
    assert tallies() == {
        (own.pk, 2024, 3): {"counted": 3, "research": 2},
        (partner.pk, 2024, 3): {"counted": 1, "research": 1},
        (own.pk, 2024, 4): {"counted": 1, "adoption_city_general": 1, "adoption_province_general": 1},
        (own.pk, 2024, 5): {"instruction_state_decision": 1},
    }


def test_every_write_through_the_services_keeps_the_tallies_current():
    staff = make_user(Role.STAFF)
    first, second, third = make_unit(), make_unit(), make_unit()
    assert_current()

    def item_input(unit, joint=(), at=None, info_type="general") -> ItemInput:
        return ItemInput(unit=unit, title="测试", body="", info_type=info_type, submitted_at=at or shanghai(2024, 3, 5),
                         special_request=None, joint_units=list(joint))

    item = services.report_item(item_input(first), user=staff, token=uuid.uuid4())
    assert_current()
    adoption = services.create_fact(
        Adoption, {"submission": item, "level": "city", "adoption_type": "general", "adopted_on": dt.date(2024, 3, 9)},
        user=staff, token=uuid.uuid4(),
    )
    instruction = services.create_fact(
        LeaderInstruction, {"submission": item, "level": "city", "kind": "read", "instructed_on": dt.date(2024, 3, 10)},
        user=staff, token=uuid.uuid4(),
    )
    assert_current()
    for change in (
        item_input(second),  # moved to another unit
        item_input(second, joint=[third]),  # a joint unit added: the points are split now
        item_input(first, joint=[third], at=shanghai(2023, 12, 31, 23, 0)),  # another unit and year
        item_input(first, at=shanghai(2024, 6, 1), info_type="small_research"),  # joint unit gone, research
    ):
        item = services.correct_item(item, change, user=staff, version=Submission.objects.get(pk=item.pk).version)
        assert_current()
    # Joint units an officer names: pending (counts for the reporting unit only), then confirmed or declined.
    officer = make_user(Role.OFFICER, first)
    named = services.report_item(item_input(first, joint=[second, third]), user=officer, token=uuid.uuid4())
    services.create_fact(
        Adoption, {"submission": named, "level": "city", "adoption_type": "general", "adopted_on": dt.date(2024, 3, 9)},
        user=staff, token=uuid.uuid4(),
    )
    assert_current()
    assert (second.pk, 2024, 3) not in tallies() and (third.pk, 2024, 3) not in tallies()
    services.confirm_joint(named.pk, second.pk, user=make_user(Role.OFFICER, second))
    assert_current()
    assert tallies()[second.pk, 2024, 3] == {"counted": 1}  # the split adoption is read from the facts
    services.decline_joint(named.pk, third.pk, user=staff)
    assert_current()
    services.mark_invalid(item, "重复", user=staff)
    assert_current()
    services.restore_item(item, user=staff)
    assert_current()
    adoption = services.update_fact(adoption, {"adopted_on": dt.date(2024, 7, 1)}, user=staff, version=adoption.version)
    instruction = services.update_fact(instruction, {"instructed_on": dt.date(2025, 1, 3)}, user=staff,
                                       version=instruction.version)
    assert_current()
    services.delete_fact(adoption, user=staff)
    services.delete_fact(instruction, user=staff)
    assert_current()
    assert MonthTally.objects.filter(unit=first, year=2024, month=6).values_list("counted", "research").get() == (1, 1)


def test_deleting_and_bulk_writing_through_the_orm_keeps_the_tallies_current():
    units = [make_unit() for _ in range(3)]
    item = make_submission(units[0], joint=[units[1]], submitted_at=shanghai(2024, 2, 1))
    make_adoption(item, adopted_on=dt.date(2024, 2, 3))
    assert_current()
    JointUnit.objects.filter(submission=item).delete()
    Submission.objects.filter(pk=item.pk).update(unit_count=1)  # what the services do alongside
    sync_fact_owners()
    assert_current()
    assert tallies()[units[0].pk, 2024, 2] == {"counted": 1, "adoption_city_general": 1}  # no longer split
    others = Submission.objects.bulk_create(
        Submission(ledger_no=f"BULK{i}", unit=units[2], title="批量", info_type="general",
                   submitted_at=shanghai(2024, 2, 2 + i)) for i in range(3)
    )
    Adoption.objects.bulk_create(
        Adoption(submission=s, level="city", adoption_type="general", adopted_on=dt.date(2024, 2, 20)) for s in others
    )
    assert_current()
    Submission.objects.get(pk=item.pk).delete()
    assert_current()
    assert tallies()[units[2].pk, 2024, 2] == {"counted": 3, "adoption_city_general": 3}


def test_a_ledger_import_and_a_reload_leave_the_tallies_current():
    import_ledger(ledger_file(BASE))
    assert not StaleTally.objects.exists()  # the import rebuilt them already
    assert_current()
    sheets = {**BASE, "报送": [dict(BASE["报送"][0], 单位名称="市发改委"), *BASE["报送"][1:]]}
    import_ledger(ledger_file(sheets))
    assert_current()


def test_rebuilding_takes_a_fixed_number_of_queries(django_assert_num_queries):
    def populate(n: int) -> None:
        for i in range(n):
            item = make_submission(make_unit(), joint=[make_unit()], submitted_at=shanghai(2024, 1 + i % 12, 3))
            make_adoption(item, adopted_on=dt.date(2024, 1 + i % 12, 5))
            make_instruction(make_submission(item.unit), instructed_on=dt.date(2024, 1 + i % 12, 6))

    # are there marks?, then in a savepoint: lock them, delete them, delete the units' tallies, insert anew
    for n in (2, 30):
        populate(n)
        with django_assert_num_queries(1 + 6):
            refresh_tallies()
        with django_assert_num_queries(1):
            refresh_tallies()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_rebuilds_leave_one_set_of_tallies():
    units = [make_unit() for _ in range(5)]
    for i, unit in enumerate(units):
        make_adoption(make_submission(unit, joint=[units[i - 1]], submitted_at=shanghai(2024, 5, 1)),
                      adopted_on=dt.date(2024, 5, 2))
        make_adoption(make_submission(unit, submitted_at=shanghai(2024, 5, 1)), adopted_on=dt.date(2024, 5, 2))
    results = run_together(refresh_tallies, refresh_tallies)
    assert results == [None, None]
    assert not StaleTally.objects.exists()
    assert_current()
    assert len(tallies()) == len(units) == MonthTally.objects.count()
    assert connection.vendor == "postgresql"


def test_repair_derived_rebuilds_the_tallies_after_a_change_made_outside_the_system():
    unit, other = make_unit(), make_unit()
    item = make_submission(unit, submitted_at=shanghai(2024, 8, 1))
    refresh_tallies()
    with connection.cursor() as cursor:  # as a hand-made SQL fix would: no signal, no mark
        cursor.execute(f"UPDATE {Submission._meta.db_table} SET unit_id = %s WHERE id = %s", [other.pk, item.pk])
    refresh_tallies()
    assert tallies() == {(unit.pk, 2024, 8): {"counted": 1}}
    out = io.StringIO()
    call_command("repair_derived", stdout=out)
    assert tallies() == {(other.pk, 2024, 8): {"counted": 1}}
    assert "月度汇总已重算：1 行" in out.getvalue()
