"""Unit tiers by sequence from the finalized snapshot (RULES.md Art. 10, decisions 4 and 11)."""

from __future__ import annotations

import random

import pytest

from awards.services import finalize_year
from awards.standings import by_sequence, standings
from scoring.models import AssessmentYear, RuleSet
from scoring.rules import RULES_2008
from tests.factories import make_failure, make_scored_unit
from units.models import Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024
# Art. 10: the last model place and the last advanced place of each sequence.
PLACES = {"district": (2, 5), "county": (3, 7), "bureau": (10, 30), "office_abroad": (2, 5)}


def expected_tiers(instructions: list[int], last_model: int, last_advanced: int) -> list[str | None]:
    """Decision 11 by hand: place = 1 + units strictly ahead; a unit's tier is the tier its place is in."""
    tiers = []
    for n in instructions:
        place = 1 + sum(1 for other in instructions if other > n)
        tiers.append("model" if place <= last_model else "advanced" if place <= last_advanced else None)
    return tiers


def tiers_of(result, units) -> list[str | None]:
    by_id = {s.unit_id: s for s in standings(result.data)}
    return [by_id[u.pk].tier for u in units]


@pytest.mark.parametrize("sequence", Sequence.values)
def test_art10_exact_model_and_advanced_places_per_sequence(sequence):
    last_model, last_advanced = PLACES[sequence]
    # Two more units than places, distinct scores, created in shuffled order.
    counts = random.Random(sequence).sample(range(last_advanced + 2), last_advanced + 2)
    units = [make_scored_unit(sequence, n) for n in counts]

    result = finalize_year(YEAR)

    tiers = tiers_of(result, units)
    assert tiers == expected_tiers(counts, last_model, last_advanced)
    assert tiers.count("model") == last_model
    assert tiers.count("advanced") == last_advanced - last_model
    block = next(b for b in by_sequence(result.data) if b.sequence == sequence)
    assert [s.rank for s in block.model] == list(range(1, last_model + 1))
    assert [s.rank for s in block.advanced] == list(range(last_model + 1, last_advanced + 1))


def test_fewer_units_than_places_all_take_a_tier():
    units = [make_scored_unit(Sequence.DISTRICT, n) for n in (5, 3, 1, 0)]
    result = finalize_year(YEAR)
    assert tiers_of(result, units) == ["model", "model", "advanced", "advanced"]


def test_decision11_tie_across_the_model_boundary_puts_all_in_model_and_flags_them():
    counts = [6, 4, 4, 2, 1, 0, 0]
    units = [make_scored_unit(Sequence.DISTRICT, n) for n in counts]

    result = finalize_year(YEAR)

    rows = {s.unit_id: s for s in standings(result.data)}
    assert [rows[u.pk].rank for u in units] == [1, 2, 2, 4, 5, 6, 6]
    assert tiers_of(result, units) == expected_tiers(counts, 2, 5) == ["model"] * 3 + ["advanced"] * 2 + [None] * 2
    assert [rows[u.pk].tie_flag for u in units] == [False, True, True, False, False, False, False]
    block = next(b for b in by_sequence(result.data) if b.sequence == Sequence.DISTRICT)
    assert {s.unit_id for s in block.flagged} == {units[1].pk, units[2].pk}


def test_decision4_concealment_bars_a_unit_when_the_rule_set_turns_it_on():
    params = {**RULES_2008, "concealment_bars_awards": True}
    AssessmentYear.objects.create(year=YEAR, rule_set=RuleSet.objects.create(name="2024严格", params=params))
    # The barred unit still has the best total (15 deducted, 20 instructions = 40 points).
    units = [make_scored_unit(Sequence.DISTRICT, n) for n in (20, 5, 4, 3, 2, 1, 0)]
    make_failure(units[0], kind="concealment", occurred_on=f"{YEAR}-05-01")

    result = finalize_year(YEAR)

    rows = {s.unit_id: s for s in standings(result.data)}
    barred = rows[units[0].pk]
    assert barred.rank == 1 and barred.tier is None and barred.barred
    assert "瞒报" in barred.remark
    assert tiers_of(result, units[1:]) == ["model", "model", "advanced", "advanced", "advanced", None]
    assert result.data["concealment_bars_awards"] is True
    assert result.rule_set_name == "2024严格"


def test_concealment_does_not_bar_by_default():
    units = [make_scored_unit(Sequence.DISTRICT, n) for n in (20, 5)]
    make_failure(units[0], kind="concealment", occurred_on=f"{YEAR}-05-01")
    result = finalize_year(YEAR)
    assert tiers_of(result, units) == ["model", "model"]
    assert not standings(result.data)[0].barred


def test_unranked_unit_is_scored_but_takes_no_place():
    ranked = make_scored_unit(Sequence.BUREAU, 1)
    by_reference = make_scored_unit(Sequence.BUREAU, 9, is_ranked=False)
    result = finalize_year(YEAR)
    rows = {s.unit_id: s for s in standings(result.data)}
    assert rows[by_reference.pk].rank is None and rows[by_reference.pk].tier is None
    assert rows[ranked.pk].rank == 1 and rows[ranked.pk].tier == "model"
