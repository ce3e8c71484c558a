"""`repair_derived` after changes made behind the system's back (QuerySet.update and raw SQL, which send no
signal and mark nothing): every stored copy — unit counts, the owner copies on adoptions and instructions,
the month tallies — is rebuilt, and the scores equal a computation from the raw rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.db import connection

from scoring.services import compute_scores
from submissions.models import Adoption, JointUnit, LeaderInstruction, MonthTally, Submission
from submissions.tallies import rebuild_all_tallies
from tests.factories import make_adoption, make_instruction, make_submission, make_unit, shanghai

pytestmark = pytest.mark.django_db
YEAR = 2024
# The 2008 points of the facts below (RULES.md Art. 9), written out for the from-scratch computation.
ADOPTION_POINTS = {("city", "general"): 1, ("province", "general"): 2, ("city", "large_research"): 5}
INSTRUCTION_POINTS = {("city", "read"): 2, ("province", "decision"): 20}


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:  # as a hand-made fix would: no signal, no mark
        cursor.execute(statement, params)


def from_scratch(through: int = 12) -> dict[int, dict]:
    """Each unit's valid items, adoption and instruction points of the period, from the raw rows alone."""
    units_of = {s.pk: [s.unit_id] for s in Submission.objects.all()}
    for joint in JointUnit.objects.confirmed():
        units_of[joint.submission_id].append(joint.unit_id)
    end = shanghai(YEAR + (through == 12), through % 12 + 1, 1, 0)
    out: dict[int, dict] = {}

    def add(unit_id: int, key: str, value: Fraction | int) -> None:
        out.setdefault(unit_id, {"counted": 0, "adoption": Fraction(0), "instruction": Fraction(0)})[key] += value

    for item in Submission.objects.all():
        if not item.is_invalid and shanghai(YEAR, 1, 1, 0) <= item.submitted_at < end:
            for unit_id in units_of[item.pk]:
                add(unit_id, "counted", 1)
    for facts, table, kind, date in (
        (Adoption.objects.all(), ADOPTION_POINTS, "adoption_type", "adopted_on"),
        (LeaderInstruction.objects.all(), INSTRUCTION_POINTS, "kind", "instructed_on"),
    ):
        for fact in facts:
            if dt.date(YEAR, 1, 1) <= getattr(fact, date) < end.date():
                owners = units_of[fact.submission_id]
                for unit_id in owners:
                    add(unit_id, "adoption" if facts.model is Adoption else "instruction",
                        Fraction(table[fact.level, getattr(fact, kind)], len(owners)))
    return out


def scored(through: int = 12) -> dict[int, dict]:
    report = compute_scores(YEAR, through)
    return {
        s.facts.unit_id: {"counted": s.facts.counted, "adoption": s.adoption, "instruction": s.instruction}
        for s in report.scores
        if s.facts.counted or s.adoption or s.instruction
    }


def rounded(rows: dict[int, dict]) -> dict[int, dict]:
    def two(x: Fraction) -> Decimal:
        return (Decimal(x.numerator) / x.denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return {u: {"counted": r["counted"], "adoption": two(r["adoption"]), "instruction": two(r["instruction"])}
            for u, r in rows.items()}


def copies() -> tuple[set[int], list[int]]:
    """Items whose stored unit count is not 1 + their confirmed joint rows, and the items of the adoptions and
    instructions whose copy of their item's unit and unit count is not the true one."""
    joint = {}
    for row in JointUnit.objects.confirmed():
        joint[row.submission_id] = joint.get(row.submission_id, 0) + 1
    items = {s.pk: s for s in Submission.objects.all()}
    wrong_counts = {pk for pk, s in items.items() if s.unit_count != 1 + joint.get(pk, 0)}
    wrong_owners = sorted(
        f.submission_id
        for f in [*Adoption.objects.all(), *LeaderInstruction.objects.all()]
        if (f.unit_id, f.unit_count) != (items[f.submission_id].unit_id, 1 + joint.get(f.submission_id, 0))
    )
    return wrong_counts, wrong_owners


def test_repair_derived_rebuilds_every_copy_after_changes_made_outside_the_system():
    a, b, c = make_unit(name="甲"), make_unit(name="乙"), make_unit(name="丙")
    # Item 1 of A: adopted by the city (1) and the province (2), read by a city leader (2).
    first = make_submission(a, submitted_at=shanghai(YEAR, 2, 10))
    make_adoption(first, level="city", adoption_type="general", adopted_on=dt.date(YEAR, 2, 20))
    make_adoption(first, level="province", adoption_type="general", adopted_on=dt.date(YEAR, 3, 1))
    make_instruction(first, level="city", kind="read", instructed_on=dt.date(YEAR, 3, 2))
    # Item 2 of A with B: a city large-research adoption (5) and a provincial decision instruction (20).
    second = make_submission(a, joint=[b], submitted_at=shanghai(YEAR, 2, 11))
    make_adoption(second, level="city", adoption_type="large_research", adopted_on=dt.date(YEAR, 2, 25))
    make_instruction(second, level="province", kind="decision", instructed_on=dt.date(YEAR, 3, 5))
    # Item 3 of B, on the last evening of March in Shanghai.
    third = make_submission(b, submitted_at=shanghai(YEAR, 3, 31, 23, 30))
    assert rounded(from_scratch()) == scored()

    # Behind the system's back: item 1 moves to C (QuerySet.update); raw SQL gives it A as a joint unit,
    # takes B off item 2, and moves item 3 into April.
    Submission.objects.filter(pk=first.pk).update(unit=c)
    sql(f"INSERT INTO {JointUnit._meta.db_table} (submission_id, unit_id, confirmed) VALUES (%s, %s, %s)", [first.pk, a.pk, True])
    sql(f"DELETE FROM {JointUnit._meta.db_table} WHERE submission_id = %s AND unit_id = %s", [second.pk, b.pk])
    sql(f"UPDATE {Submission._meta.db_table} SET submitted_at = %s WHERE id = %s", [shanghai(YEAR, 4, 1, 0, 10), third.pk])
    rebuild_all_tallies()  # the tallies alone are not enough: the facts still carry the old owners and counts
    assert copies() == ({first.pk, second.pk}, sorted([first.pk] * 3 + [second.pk] * 2))
    assert scored() != rounded(from_scratch())

    out = io.StringIO()
    call_command("repair_derived", stdout=out)

    assert copies() == (set(), [])
    # Worked by hand: item 1's 1 + 2 and 2 are split between C and A; item 2's 5 and 20 are A's alone.
    half = Decimal("1.5")
    assert scored() == rounded(from_scratch()) == {
        a.pk: {"counted": 2, "adoption": half + 5, "instruction": 1 + Decimal(20)},
        b.pk: {"counted": 1, "adoption": 0, "instruction": 0},
        c.pk: {"counted": 1, "adoption": half, "instruction": 1},
    }
    # Item 3 now counts in April, not March.
    assert {u: r["counted"] for u, r in scored(through=3).items()} == {a.pk: 2, c.pk: 1}
    assert set(MonthTally.objects.filter(unit=b).values_list("month", "counted")) == {(4, 1)}
    assert "信息单位数 2 条" in out.getvalue() and "所属单位 5 条" in out.getvalue()


def test_repair_derived_changes_nothing_when_every_copy_is_right():
    item = make_submission(make_unit(), joint=[make_unit()], submitted_at=shanghai(YEAR, 5, 1))
    make_adoption(item, adopted_on=dt.date(YEAR, 5, 2))
    before = scored()
    out = io.StringIO()
    call_command("repair_derived", stdout=out)
    assert "信息单位数 0 条、采用和批示的所属单位 0 条" in out.getvalue()
    assert copies() == (set(), []) and scored() == before
