"""Property: for random facts, joint items among them, the set-based service equals a naive per-item
recomputation, under both adoption modes (decision 8: additive and "highest level only").

The naive side walks every row one by one, in Python, with its own copy of the 2008 tables; it shares
no code with scoring.engine or scoring.services.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from scoring.models import AssessmentYear, RuleSet
from scoring.rules import RULES_2008
from scoring.services import compute_scores, scores_json
from submissions.models import Adoption, LeaderInstruction, SpecialRequest, Submission, UrgentFailure
from tests.factories import (
    make_adoption,
    make_basic_work,
    make_failure,
    make_instruction,
    make_request,
    make_submission,
    make_unit,
)
from units.models import Unit

TZ = ZoneInfo("Asia/Shanghai")
SEQUENCES = ["district", "county", "bureau", "office_abroad"]
QUOTA = {"district": 15, "county": 15, "bureau": 10, "office_abroad": 15}
ADOPT = {
    ("city", "general"): 1,
    ("city", "urgent"): 2,
    ("city", "small_research"): 2,
    ("city", "large_research"): 5,
    ("province", "general"): 2,
    ("province", "research"): 10,
    ("state", "general"): 10,
    ("state", "research"): 20,
}
INSTR = {
    "city": {"read": 2, "affirm": 3, "reference": 5, "decision": 10},
    "province": {"read": 10, "affirm": 10, "reference": 15, "decision": 20},
    "state": {"read": 20, "affirm": 20, "reference": 20, "decision": 20},
}
DEDUCT = {"late": 5, "omission": 10, "concealment": 15}
TIERS = {"district": (2, 5), "county": (3, 7), "bureau": (10, 30), "office_abroad": (2, 5)}


def r2(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


ORDER = {"city": 0, "province": 1, "state": 2}


def naive(year: int, through: int, highest_only: bool = False) -> dict[str, dict]:
    start = dt.datetime(year, 1, 1, tzinfo=TZ)
    end = dt.datetime(year + (through == 12), through % 12 + 1, 1, tzinfo=TZ)
    last_day = (end - dt.timedelta(days=1)).date()
    items = list(Submission.objects.all())
    # Decision 10: only confirmed joint units count; a pending one leaves the item its reporting unit's alone.
    joint = {s.pk: [j.unit_id for j in s.joint_units.all() if j.confirmed] for s in items}
    units_of = {s.pk: [s.unit_id, *joint[s.pk]] for s in items}
    out = {}
    for unit in Unit.objects.all():
        counted = research = 0
        for s in items:
            if not s.is_invalid and start <= s.submitted_at < end and unit.pk in units_of[s.pk]:
                counted += 1
                research += s.info_type in ("small_research", "large_research")
        required = QUOTA[unit.sequence] * through
        quota = Fraction(15) * min(1, Fraction(counted, required))
        deducted = sum(
            DEDUCT[f.kind]
            for f in UrgentFailure.objects.filter(unit=unit)
            if f.occurred_on.year == year and f.occurred_on <= last_day
        )
        urgent = max(Fraction(0), Fraction(15 - deducted))
        credits = []
        for request in SpecialRequest.objects.filter(targets=unit):
            if not (start <= request.deadline < end):
                continue
            answers = sorted(
                s.submitted_at
                for s in items
                # Decision 5: its own items and the joint items it is a confirmed unit of.
                if s.special_request_id == request.pk and unit.pk in units_of[s.pk] and not s.is_invalid and s.submitted_at < end
            )
            credits.append(Fraction(0) if not answers else Fraction(1) if answers[0] <= request.deadline else Fraction(1, 2))
        special = Fraction(15) if not credits else 15 * sum(credits) / len(credits)
        expected = Fraction(4 * through, 12)
        research_score = Fraction(15) * min(1, research / expected)
        adoption = instruction = Fraction(0)
        levels = {"city": Fraction(0), "province": Fraction(0), "state": Fraction(0)}
        adoptions = [a for a in Adoption.objects.all() if a.adopted_on.year == year and a.adopted_on <= last_day]
        for a in adoptions:
            outranked = any(b.submission_id == a.submission_id and ORDER[b.level] > ORDER[a.level] for b in adoptions)
            if unit.pk in units_of[a.submission_id] and not (highest_only and outranked):
                share = Fraction(ADOPT[(a.level, a.adoption_type)], len(units_of[a.submission_id]))
                adoption += share
                levels[a.level] += share
        for i in LeaderInstruction.objects.all():
            if i.instructed_on.year == year and i.instructed_on <= last_day and unit.pk in units_of[i.submission_id]:
                share = Fraction(INSTR[i.level][i.kind], len(units_of[i.submission_id]))
                instruction += share
                levels[i.level] += share
        entry = unit.basic_work.filter(year=year, status="confirmed").first()
        basic = None if entry is None else sum(entry.items, Decimal(0))
        reporting = r2(quota) + r2(urgent) + r2(special) + r2(research_score)
        out[unit.name] = {
            "basic": basic,
            "reporting": reporting,
            "adoption": r2(adoption),
            "instruction": r2(instruction),
            "total": (basic or 0) + reporting + r2(adoption) + r2(instruction),
            "key": None,
            "sequence": unit.sequence,
            "counted": counted,
            "levels": {k: r2(v) for k, v in levels.items()},
        }
    for sequence in SEQUENCES:
        rows = sorted((n for n, v in out.items() if v["sequence"] == sequence), key=lambda n: _key(out[n]), reverse=True)
        for i, name in enumerate(rows):
            out[name]["rank"] = i + 1 if i == 0 or _key(out[rows[i - 1]]) != _key(out[name]) else out[rows[i - 1]]["rank"]
            place = out[name]["rank"]
            out[name]["tier"] = "model" if place <= TIERS[sequence][0] else "advanced" if place <= TIERS[sequence][1] else None
    return out


def _key(v: dict) -> tuple:
    return (v["total"], v["levels"]["state"], v["levels"]["province"], v["levels"]["city"], v["counted"])


day = st.integers(min_value=0, max_value=364)
fact = st.fixed_dictionaries(
    {
        "unit": st.integers(0, 5),
        "joint": st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=2, unique_by=lambda j: j[0]),  # confirmed?
        "day": day,
        "minute": st.integers(0, 1439),
        "type": st.sampled_from(["general", "urgent", "small_research", "large_research"]),
        "invalid": st.booleans(),
        "adoptions": st.lists(st.tuples(st.sampled_from(list(ADOPT)), day), max_size=2),
        "instructions": st.lists(
            st.tuples(
                st.sampled_from(["city", "province", "state"]), st.sampled_from(["read", "affirm", "reference", "decision"]), day
            ),
            max_size=2,
            unique=True,
        ),
        "answers": st.booleans(),
    }
)


class ServiceEqualsNaiveRecomputation(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        sequences=st.lists(st.sampled_from(SEQUENCES), min_size=6, max_size=6),
        facts=st.lists(fact, max_size=12),
        failures=st.lists(st.tuples(st.integers(0, 5), day, st.sampled_from(list(DEDUCT))), max_size=4, unique_by=lambda f: f),
        basics=st.lists(st.booleans(), min_size=6, max_size=6),
        deadline_day=day,
        through=st.integers(1, 12),
        mode=st.sampled_from(["additive", "highest_level"]),
    )
    def test_service_equals_naive(self, sequences, facts, failures, basics, deadline_day, through, mode):
        year, base = 2024, dt.datetime(2024, 1, 1, tzinfo=TZ)
        if mode == "highest_level":  # decision 8's other setting, on a copy of the 2008 rule set
            rule_set = RuleSet.objects.create(name="只计最高层级", params={**RULES_2008, "adoption_mode": mode})
            AssessmentYear.objects.create(year=year, rule_set=rule_set)
        units = [make_unit(sequence=s) for s in sequences]
        for unit, has_basic in zip(units, basics, strict=True):
            if has_basic:
                make_basic_work(unit, year=year, items=["4.5", "5", "3", "5", "5", "2.5", "5", "5"])
        request = make_request(units[:3], deadline=base + dt.timedelta(days=deadline_day, hours=12))
        for f in facts:
            item = make_submission(
                units[f["unit"]],
                joint=[units[j] for j, confirmed in f["joint"] if j != f["unit"] and confirmed],
                pending=[units[j] for j, confirmed in f["joint"] if j != f["unit"] and not confirmed],
                info_type=f["type"],
                invalid_reason="重复" if f["invalid"] else "",
                submitted_at=base + dt.timedelta(days=f["day"], minutes=f["minute"]),
                special_request=request if f["answers"] else None,
            )
            for (level, kind), d in {a[0][0]: a for a in f["adoptions"]}.values():
                make_adoption(item, level=level, adoption_type=kind, adopted_on=(base + dt.timedelta(days=d)).date())
            for level, kind, d in f["instructions"]:
                make_instruction(
                    item, level=level, kind=kind, instructed_on=(base + dt.timedelta(days=d)).date(), leader=f"{level}{kind}{d}"
                )
        for u, d, kind in {(f[0], f[1], f[2]) for f in failures}:
            make_failure(units[u], occurred_on=(base + dt.timedelta(days=d)).date(), kind=kind)

        expected = naive(year, through, highest_only=mode == "highest_level")
        for row in scores_json(compute_scores(year, through))["units"]:
            want = expected[row["unit"]]
            assert row["basic"] == (None if want["basic"] is None else float(want["basic"]))
            assert row["reporting"]["total"] == float(want["reporting"])
            assert row["adoption"] == float(want["adoption"])
            assert row["instruction"] == float(want["instruction"])
            assert row["total"] == float(want["total"])
            assert (row["rank"], row["tier"]) == (want["rank"], want["tier"])
