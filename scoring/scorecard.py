"""A unit's scorecard: every point of its score with the facts and the rule clause behind it.

The numbers come from `compute_scores` (the one scoring service); this module only lists, for one unit,
the facts those numbers were computed from, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db.models import QuerySet

from core.assessment import Period, RequestOutcome, request_outcome
from core.dates import cn_date
from core.links import url_by_id
from scoring.basic_work import BasicWorkRow, entry_row
from scoring.engine import ADOPTIONS, INSTRUCTIONS, UnitScore, fact_points, is_outranked, round2
from scoring.rules import Rules
from scoring.services import ScoreReport, request_targets, with_top_level
from submissions.models import Adoption, JointUnit, LeaderInstruction, SpecialRequest, UrgentFailure
from units.models import Unit


def number(value: Fraction | Decimal | int) -> str:
    """A count as people read it: whole numbers bare, others to two decimals (a pro-rata quota of 12.5)."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{round2(value)}"


def ratio_line(done: int, expected: Fraction, points: Fraction, result: Decimal, what: str, all_or_nothing: bool = False) -> str:
    """Reporting items 1 and 4: "已报送 137 条 / 应报送 180 条 × 15 = 11.42"."""
    if expected <= 0 or done >= expected:
        return f"已报送{what} {done} 条，达到应报送 {number(expected)} 条，得满分 {result}"
    if all_or_nothing:
        return f"已报送{what} {done} 条，未达到应报送 {number(expected)} 条（达标制），得 {result}"
    return f"已报送{what} {done} 条 / 应报送 {number(expected)} 条 × {number(points)} = {result}"


@dataclass
class RequestLine:
    request: SpecialRequest
    first_answer: dt.datetime | None
    outcome: RequestOutcome
    credit: Fraction

    @property
    def credit_display(self) -> str:
        return number(self.credit)


@dataclass
class PointLine:
    fact: Adoption | LeaderInstruction
    points: Decimal
    shared: int  # units the points are split among (1 = not joint, or no split)
    superseded: bool
    date: str  # as shown: "2024年3月9日"
    what: str  # the level and kind as shown: "省级 · 一般动态（哈尔滨日报第12期）", "市领导 市长 · 肯定性批示"
    url: str  # the item's page


def _adoption_words(a: Adoption) -> str:
    carrier = f"（{a.carrier}{a.issue_no}）" if a.carrier else ""
    return f"{a.get_level_display()} · {a.get_adoption_type_display()}{carrier}"


def _instruction_words(i: LeaderInstruction) -> str:
    leader = f" {i.leader}" if i.leader else ""
    return f"{i.get_level_display()}领导{leader} · {i.get_kind_display()}批示"


# Per source: the fields of the fact's kind and date, and the words for its level and kind.
_SHOWN = {ADOPTIONS: ("adoption_type", "adopted_on", _adoption_words),
          INSTRUCTIONS: ("kind", "instructed_on", _instruction_words)}


@dataclass
class Scorecard:
    """The unit's score with the facts it was computed from. The facts are read when asked for: the page
    renders them once per state of the unit's facts (scoring.views._unit_sections), not at each view."""

    report: ScoreReport
    score: UnitScore
    unit: Unit

    @cached_property
    def basic(self) -> BasicWorkRow:
        return entry_row(self.unit, self.report.year)

    @cached_property
    def failures(self) -> list[tuple[UrgentFailure, Decimal]]:
        period, deductions = self.report.period, self.rules.failure_deductions
        failures = UrgentFailure.objects.filter(unit=self.unit, occurred_on__gte=period.start_date,
                                                occurred_on__lte=period.end_date)
        return [(f, round2(deductions[f.kind])) for f in failures.order_by("occurred_on", "pk")]

    @cached_property
    def requests(self) -> list[RequestLine]:
        return _request_lines(self.unit, self.report.period, self.rules)

    @cached_property
    def adoptions(self) -> list[PointLine]:
        period = self.report.period
        adoptions = Adoption.objects.dated_between(period.start_date, period.end_date)
        if self.rules.highest_level_only:
            adoptions = with_top_level(adoptions, period)
        return _point_lines(_unit_facts(adoptions, self.unit), ADOPTIONS, self.rules)

    @cached_property
    def instructions(self) -> list[PointLine]:
        period = self.report.period
        instructions = LeaderInstruction.objects.dated_between(period.start_date, period.end_date)
        return _point_lines(_unit_facts(instructions, self.unit), INSTRUCTIONS, self.rules)

    @property
    def rules(self) -> Rules:
        return self.report.rules

    @property
    def basic_items(self) -> list[tuple[str, Decimal | None]]:
        """The rule set's items with the confirmed entry's points (none where an older entry has fewer)."""
        entry = self.basic.confirmed
        if not entry:
            return []
        points = entry.items
        return [(label, points[i] if i < len(points) else None) for i, label in enumerate(self.rules.basic_items)]

    @property
    def quota_line(self) -> str:
        s = self.score
        return ratio_line(s.facts.counted, s.required, self.rules.reporting_item_points, s.quota, "",
                          self.rules.quota_all_or_nothing)

    @property
    def research_line(self) -> str:
        s = self.score
        return ratio_line(s.facts.research, s.research_expected, self.rules.reporting_item_points, s.research, "调研信息")

    @property
    def special_line(self) -> str:
        if not self.requests:
            return f"本期无专约，得满分 {self.score.special}"
        credit = sum((r.credit for r in self.requests), Fraction(0))
        points = number(self.rules.reporting_item_points)
        return f"得分系数合计 {number(credit)} / 专约 {len(self.requests)} 项 × {points} = {self.score.special}"


ITEM_SHOWN = ("title", "ledger_no", "unit_count")  # _point_lines.html, `fact_points`


def _unit_facts(queryset: QuerySet, unit: Unit) -> list:
    """Facts on the unit's own items and on the joint items it is a confirmed unit of (decision 10), in their
    model's order.

    Two index-backed queries: one query with the two conditions OR-ed scans every fact of the period.
    """
    own = queryset.filter(unit=unit)
    joint = queryset.filter(submission__in=JointUnit.objects.confirmed().filter(unit=unit).values("submission"))
    # Of the item, only what a line shows (its body is up to 20,000 characters).
    shown = [*(f.name for f in queryset.model._meta.concrete_fields), *(f"submission__{name}" for name in ITEM_SHOWN)]
    facts = {f.pk: f for part in (own, joint) for f in part.select_related("submission").only(*shown)}
    ordering = queryset.model._meta.ordering
    return sorted(facts.values(), key=lambda f: [getattr(f, name) for name in ordering])


def _request_lines(unit: Unit, period: Period, rules: Rules) -> list[RequestLine]:
    """Decision 5, per request: judged by the unit's earliest valid answer known by the period's end."""
    targets = (
        request_targets(period)
        .filter(unit=unit)
        .select_related("specialrequest")
        .order_by("specialrequest__deadline", "specialrequest_id")
    )
    lines = []
    for target in targets:
        outcome = request_outcome(target.first_answer, target.specialrequest.deadline)
        lines.append(RequestLine(target.specialrequest, target.first_answer, outcome, rules.request_credits[outcome]))
    return lines


def _point_lines(facts: list, source: str, rules: Rules) -> list[PointLine]:
    """The lines with their words and dates made here: the template's filters cost more per row (70 rows)."""
    kind_field, date_field, words = _SHOWN[source]
    item_url = url_by_id("submissions:detail")
    lines = []
    for fact in facts:
        shared = fact.submission.unit_count if rules.joint_split else 1
        top_level = getattr(fact, "top_level", None)
        points = fact_points(rules, source, fact.level, getattr(fact, kind_field), fact.submission.unit_count, top_level)
        lines.append(PointLine(fact, round2(points), shared, is_outranked(fact.level, top_level, rules),
                               cn_date(getattr(fact, date_field)), words(fact), item_url(fact.submission_id)))
    return lines


def build_scorecard(report: ScoreReport, unit: Unit) -> Scorecard:
    return Scorecard(report, next(s for s in report.scores if s.facts.unit_id == unit.pk), unit)
