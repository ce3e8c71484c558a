"""Gathering the facts of a period with a fixed number of aggregate queries, and scoring them.

The arithmetic lives in `scoring.engine`; this module only asks the database, one grouped query per kind
of fact, whatever the number of units and items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from scoring.engine import Period, PointGroup, UnitFacts, UnitScore, score_all
from scoring.models import BASIC_ITEM_FIELDS, AssessmentYear, BasicWorkEntry, RuleSet
from scoring.rules import Rules
from submissions.models import (
    RESEARCH_TYPES,
    Adoption,
    JointUnit,
    LeaderInstruction,
    SpecialRequest,
    Submission,
    UrgentFailure,
)
from units.models import Unit

DEFAULT_RULE_SET = "2008"
# Where a fact's units are found: the item's own unit, and each unit it was reported jointly with.
UNIT_PATHS = ("submission__unit_id", "submission__joint_units__unit_id")


def rules_for_year(year: int) -> RuleSet:
    """The rule set a year is scored with: the one assigned to it, else the 2008 measures."""
    assigned = AssessmentYear.objects.filter(year=year).select_related("rule_set").first()
    return assigned.rule_set if assigned else RuleSet.objects.get(name=DEFAULT_RULE_SET)


@dataclass
class Activity:
    """What a unit reported and earned in a period, joint items counted for each of their units."""

    counted: int = 0
    research: int = 0
    adoptions: list[PointGroup] = field(default_factory=list)
    instructions: list[PointGroup] = field(default_factory=list)


def _with_superseded(adoptions: QuerySet, period: Period) -> QuerySet:
    """Mark adoptions whose item has a higher-level adoption dated in the period (decision 8)."""
    same_item = Adoption.objects.dated_between(period.start_date, period.end_date).filter(submission=OuterRef("submission"))
    return adoptions.annotate(
        superseded=Case(
            When(Q(level="city") & Exists(same_item.filter(level__in=["province", "state"])), then=Value(True)),
            When(Q(level="province") & Exists(same_item.filter(level="state")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _point_groups(rows: QuerySet, kind_field: str, activity: dict[int, Activity], attr: str) -> None:
    extra = ["superseded"] if "superseded" in rows.query.annotations else []
    for unit_path in UNIT_PATHS:
        grouped = (
            rows.filter(**{f"{unit_path}__isnull": False})
            .values(unit_path, "level", kind_field, "submission__unit_count", *extra)
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            getattr(activity[row[unit_path]], attr).append(
                PointGroup(
                    level=row["level"],
                    kind=row[kind_field],
                    share=row["submission__unit_count"],
                    count=row["n"],
                    superseded=bool(row.get("superseded", False)),
                )
            )


def gather_activity(period: Period, highest_level_only: bool = False) -> dict[int, Activity]:
    """Items, adoptions and instructions of the period per unit: six grouped queries."""
    activity: dict[int, Activity] = defaultdict(Activity)
    items = Submission.objects.counted().submitted_between(period.start, period.end)
    own = items.values("unit_id").annotate(n=Count("id"), r=Count("id", filter=Q(info_type__in=RESEARCH_TYPES)))
    joint = (
        JointUnit.objects.filter(submission__in=items)
        .values("unit_id")
        .annotate(n=Count("id"), r=Count("id", filter=Q(submission__info_type__in=RESEARCH_TYPES)))
    )
    for row in [*own.order_by(), *joint.order_by()]:
        activity[row["unit_id"]].counted += row["n"]
        activity[row["unit_id"]].research += row["r"]
    adoptions = Adoption.objects.dated_between(period.start_date, period.end_date)
    if highest_level_only:
        adoptions = _with_superseded(adoptions, period)
    _point_groups(adoptions, "adoption_type", activity, "adoptions")
    _point_groups(LeaderInstruction.objects.dated_between(period.start_date, period.end_date), "kind", activity, "instructions")
    return activity


def _request_outcomes(period: Period) -> dict[int, list[str]]:
    """Decision 5: per target unit, each request whose deadline falls in the period, judged by the unit's
    earliest valid answer known by the period's end."""
    earliest = (
        Submission.objects.counted()
        .filter(special_request=OuterRef("specialrequest_id"), unit=OuterRef("unit_id"), submitted_at__lt=period.end)
        .order_by("submitted_at")
        .values("submitted_at")[:1]
    )
    targets = (
        SpecialRequest.targets.through.objects.filter(
            specialrequest__deadline__gte=period.start, specialrequest__deadline__lt=period.end
        )
        .annotate(first=Subquery(earliest))
        .values_list("unit_id", "specialrequest__deadline", "first")
    )
    outcomes: dict[int, list[str]] = defaultdict(list)
    for unit_id, deadline, first in targets:
        outcomes[unit_id].append("missing" if first is None else "on_time" if first <= deadline else "late")
    return outcomes


def gather_facts(year: int, period: Period, rules: Rules, units: list[Unit]) -> list[UnitFacts]:
    """Every unit's facts for the period, in a fixed number of queries."""
    activity = gather_activity(period, rules.highest_level_only)
    failures: dict[int, Counter] = defaultdict(Counter)
    in_period = UrgentFailure.objects.filter(occurred_on__gte=period.start_date, occurred_on__lte=period.end_date)
    for row in in_period.values("unit_id", "kind").annotate(n=Count("id")).order_by():
        failures[row["unit_id"]][row["kind"]] = row["n"]
    outcomes = _request_outcomes(period)
    basic = {
        row[0]: list(row[1:])
        for row in BasicWorkEntry.objects.confirmed().filter(year=year).values_list("unit_id", *BASIC_ITEM_FIELDS)
    }
    facts = []
    for unit in units:
        act = activity.get(unit.pk, Activity())
        facts.append(
            UnitFacts(
                unit_id=unit.pk,
                name=unit.name,
                sequence=unit.sequence,
                central_provincial=unit.is_central_provincial,
                ranked=unit.is_ranked and unit.is_active,
                assessed_from=unit.assessed_from,
                counted=act.counted,
                research=act.research,
                failures=failures[unit.pk],
                request_outcomes=outcomes[unit.pk],
                adoptions=act.adoptions,
                instructions=act.instructions,
                basic_items=basic.get(unit.pk),
            )
        )
    return facts


@dataclass
class ScoreReport:
    year: int
    period: Period
    rule_set_name: str
    rules: Rules
    scores: list[UnitScore]
    units: dict[int, Unit]


def compute_scores(year: int, through: int = 12) -> ScoreReport:
    """The assessment of January to `through` of `year` for every unit, in office order."""
    rule_set = rules_for_year(year)
    rules = rule_set.rules()
    period = Period(year=year, through=through)
    units = {u.pk: u for u in Unit.objects.all()}
    scores = score_all(gather_facts(year, period, rules, list(units.values())), period, rules)
    scores.sort(key=lambda s: units[s.facts.unit_id].office_sort_key())
    return ScoreReport(year=year, period=period, rule_set_name=rule_set.name, rules=rules, scores=scores, units=units)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score_json(score: UnitScore) -> dict:
    return {
        "unit": score.facts.name,
        "sequence": score.facts.sequence,
        "ranked": score.facts.ranked,
        "basic": _num(score.basic),
        "reporting": {
            "quota": _num(score.quota),
            "urgent": _num(score.urgent),
            "special": _num(score.special),
            "research": _num(score.research),
            "total": _num(score.reporting_total),
        },
        "adoption": _num(score.adoption),
        "instruction": _num(score.instruction),
        "total": _num(score.total),
        "rank": score.rank,
        "tier": score.tier,
        "tie_flag": score.tie_flag,
    }


def scores_json(report: ScoreReport) -> dict:
    """The score report of INTERFACES.md."""
    return {
        "year": report.year,
        "through": report.period.label,
        "rule_set": report.rule_set_name,
        "units": [score_json(s) for s in report.scores],
    }
