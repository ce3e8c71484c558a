"""Gathering the facts of a period with a fixed number of aggregate queries, and scoring them.

The arithmetic lives in `scoring.engine`; this module only asks the database, one grouped query per kind
of fact, whatever the number of units and items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, QuerySet, Sum, Value, When

from core import prepared
from core.assessment import Period, request_outcome
from scoring.engine import ADOPTIONS, INSTRUCTIONS, PointGroup, UnitFacts, UnitScore, rescore, score_all
from scoring.models import BASIC_ITEM_FIELDS, AssessmentYear, BasicWorkEntry, RuleSet
from scoring.rules import LEVELS, RULES_2008, SOURCE_2008, Rules
from submissions.models import (
    TALLY_POINT_COLUMNS,
    Adoption,
    JointUnit,
    LeaderInstruction,
    MonthTally,
    SpecialRequest,
    UrgentFailure,
    earliest_answer,
)
from submissions.tallies import refresh_tallies
from units.models import Unit
from units.versioning import cached

DEFAULT_RULE_SET = "2008"


def rules_for_year(year: int) -> RuleSet:
    """The rule set a year is scored with: the one assigned to it, else the 2008 measures."""
    assigned = AssessmentYear.objects.filter(year=year).select_related("rule_set").first()
    if assigned:
        return assigned.rule_set
    # Created by a data migration; made again if a database was flushed since (transactional tests).
    defaults = {"params": RULES_2008, "description": SOURCE_2008}
    return RuleSet.objects.get_or_create(name=DEFAULT_RULE_SET, defaults=defaults)[0]


@dataclass
class Activity:
    """What a unit reported and earned in a period, joint items counted for each of their units."""

    counted: int = 0
    research: int = 0
    adoptions: list[PointGroup] = field(default_factory=list)
    instructions: list[PointGroup] = field(default_factory=list)


def with_top_level(adoptions: QuerySet, period: Period) -> QuerySet:
    """Annotate each adoption with the highest level its item was adopted at in the period, as
    `scoring.engine.highest_adoption_level` (decision 8) gives it for one item."""
    same_item = Adoption.objects.dated_between(period.start_date, period.end_date).filter(submission=OuterRef("submission"))
    higher = [When(Exists(same_item.filter(level=level)), then=Value(level)) for level in reversed(LEVELS[1:])]
    return adoptions.annotate(top_level=Case(*higher, default=Value(LEVELS[0]), output_field=CharField()))


def _of(rows: QuerySet, units: set[int] | None, field: str = "unit_id") -> QuerySet:
    """All rows, or those of some units only (an assessment updated after writes to those units)."""
    return rows if units is None else rows.filter(**{f"{field}__in": units})


def _read_tallies(period: Period, activity: dict[int, Activity], with_points: bool, units: set[int] | None) -> None:
    """Items of the period, and the points of items without joint units, from the month tallies."""
    points = TALLY_POINT_COLUMNS if with_points else {}

    def sums(units: set[int] | None) -> tuple[str, tuple]:  # hand-run: plain ints, no per-value conversion
        return (
            _of(MonthTally.objects.filter(year=period.year, month__gte=period.first, month__lte=period.through), units)
            .values_list("unit_id")
            .annotate(*(Sum(column) for column in ["counted", "research", *points]))
            .order_by()
            .query.sql_with_params()
        )

    rows = prepared.rows(("tallies", period, with_points), units, sums)
    keys = list(points.values())
    for unit_id, counted, research, *counts in rows:
        act = activity[unit_id]
        act.counted += counted
        act.research += research
        for (source, level, kind), n in zip(keys, counts, strict=True):
            if n:
                getattr(act, source).append(PointGroup(level, kind, 1, n))


def _point_parts(period: Period, highest_level_only: bool, units: set[int] | None) -> tuple[list[str], list]:
    """SQL of the adoptions and instructions of the period the tallies leave out, grouped by (unit, source,
    level, kind, share, top level): those of joint items, or all under "highest level only" (which depends
    on the period). For the item's own unit from the copy each fact carries, for joint units through the
    confirmed joint rows. The items table is not read."""
    adoptions = Adoption.objects.dated_between(period.start_date, period.end_date)
    instructions = LeaderInstruction.objects.dated_between(period.start_date, period.end_date)
    if not highest_level_only:
        adoptions, instructions = adoptions.filter(unit_count__gt=1), instructions.filter(unit_count__gt=1)
    none = Value(None, output_field=CharField())
    adoptions = with_top_level(adoptions, period) if highest_level_only else adoptions.annotate(top_level=none)
    instructions = instructions.annotate(top_level=none)
    group = "f.source, f.level, f.kind_, f.unit_count, f.top_level"
    confirmed = _of(JointUnit.objects.confirmed(), units).values("submission_id", "unit_id")
    confirmed, confirmed_params = confirmed.query.sql_with_params()
    sqls, params = [], []
    for source, facts, kind in ((ADOPTIONS, adoptions, "adoption_type"), (INSTRUCTIONS, instructions, "kind")):
        facts = facts.annotate(source=Value(source), kind_=F(kind)).order_by()
        columns = ("source", "level", "kind_", "unit_count", "top_level")
        own, own_params = _of(facts, units).values_list("unit_id", *columns).annotate(n=Count("id")).query.sql_with_params()
        joint, joint_params = facts.filter(unit_count__gt=1).values_list("submission_id", *columns).query.sql_with_params()
        sqls += [
            f"SELECT f.unit_id, {group}, f.n FROM ({own}) f",
            f"SELECT j.unit_id, {group}, COUNT(*) FROM ({joint}) f "
            f"JOIN ({confirmed}) j ON j.submission_id = f.submission_id GROUP BY j.unit_id, {group}",
        ]
        params += [*own_params, *joint_params, *confirmed_params]
    return sqls, params


def _group_points(period: Period, highest_level_only: bool, activity: dict[int, Activity], units: set[int] | None) -> None:
    """Adoptions and instructions grouped by unit, level, kind and share, in one query.

    Hand-written SQL because the ORM cannot aggregate over a join it does not model (facts to joint
    units); every part is selected by the ORM.
    """
    def union(units: set[int] | None) -> tuple[str, list]:
        sqls, params = _point_parts(period, highest_level_only, units)
        return " UNION ALL ".join(sqls), params

    rows = prepared.rows(("points", period, highest_level_only), units, union)
    for unit_id, source, level, kind, share, top_level, n in rows:
        getattr(activity[unit_id], source).append(PointGroup(level, kind, share, n, top_level))


def gather_activity(
    period: Period, highest_level_only: bool = False, units: set[int] | None = None
) -> dict[int, Activity]:
    """Items, adoptions and instructions of the period per unit (of `units`, or all): the month tallies
    (rebuilt first where stale), and the facts they leave out."""
    refresh_tallies()
    activity: dict[int, Activity] = defaultdict(Activity)
    _read_tallies(period, activity, not highest_level_only, units)
    _group_points(period, highest_level_only, activity, units)
    return activity


def request_targets(period: Period) -> QuerySet:
    """Decision 5: each (request, target unit) whose deadline falls in the period, with the unit's earliest
    valid answer (its own or a confirmed joint item) known by the period's end as `first_answer`."""
    return SpecialRequest.targets.through.objects.filter(
        specialrequest__deadline__gte=period.start, specialrequest__deadline__lt=period.end
    ).annotate(first_answer=earliest_answer(OuterRef("specialrequest_id"), OuterRef("unit_id"), before=period.end))


def _request_outcomes(period: Period, units: set[int] | None) -> dict[int, list[str]]:
    outcomes: dict[int, list[str]] = defaultdict(list)
    def targets(units: set[int] | None) -> QuerySet:
        return _of(request_targets(period), units).values_list("unit_id", "specialrequest__deadline", "first_answer")

    for unit_id, deadline, first in prepared.rows(("requests", period), units, targets):
        outcomes[unit_id].append(request_outcome(first, deadline))
    return outcomes


def gather_facts(year: int, period: Period, rules: Rules, units: list[Unit], only: set[int] | None = None) -> list[UnitFacts]:
    """The facts for the period of `units`, in a fixed number of queries; with `only` (their ids), the queries
    read those units' rows only."""
    activity = gather_activity(period, rules.highest_level_only, only)
    failures: dict[int, Counter] = defaultdict(Counter)
    in_period = UrgentFailure.objects.filter(occurred_on__gte=period.start_date, occurred_on__lte=period.end_date)

    def counts(units: set[int] | None) -> QuerySet:
        return _of(in_period, units).values_list("unit_id", "kind").annotate(n=Count("id")).order_by()

    def entries(units: set[int] | None) -> QuerySet:
        return _of(BasicWorkEntry.objects.confirmed().filter(year=year), units).values_list("unit_id", *BASIC_ITEM_FIELDS)

    for unit_id, kind, n in prepared.rows(("failures", period), only, counts):
        failures[unit_id][kind] = n
    outcomes = _request_outcomes(period, only)
    basic = {row[0]: list(row[1:]) for row in prepared.rows(("basic", year), only, entries)}
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
    """The assessment of January to `through` of `year` for every unit, in office order: computed once per
    state of the data and reused until a write changes it (units.versioning)."""
    return cached(f"scores:{year}:{through}", lambda: _compute_scores(year, through), _update_scores)


def _compute_scores(year: int, through: int) -> ScoreReport:
    rule_set = rules_for_year(year)
    rules = rule_set.rules()
    period = Period(year=year, through=through)
    units = {u.pk: u for u in Unit.objects.all()}
    scores = score_all(gather_facts(year, period, rules, list(units.values())), period, rules)
    scores.sort(key=lambda s: units[s.facts.unit_id].office_sort_key())
    return ScoreReport(year=year, period=period, rule_set_name=rule_set.name, rules=rules, scores=scores, units=units)


def _update_scores(report: ScoreReport, changed: set[int]) -> ScoreReport:
    """The report after writes to the facts of `changed` units (units.versioning.touching): their facts
    gathered again and scored, every unit ranked again. The units, rules and rule set are unchanged: a change
    to them draws a new token, and the report is computed whole."""
    changed = changed & report.units.keys()
    fresh = gather_facts(report.year, report.period, report.rules, [report.units[u] for u in changed], only=changed)
    scores = rescore(report.scores, {f.unit_id: f for f in fresh}, report.period, report.rules)
    return replace(report, scores=scores)


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
