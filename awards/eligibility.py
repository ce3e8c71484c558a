"""Who may receive an individual award of a finalized year (RULES.md Art. 11–12, decision 12).

Organizers and officers come from the model and advanced units of the finalized result; research items
are the items with a research adoption dated in the year. Each list is ordered the way the office reads
it: people by their unit's score, items by the points they earned, each with why it is on the list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet

from awards.models import AwardKind, AwardPick, SpecialContribution, YearResult
from awards.standings import Standing, unit_totals
from core.assessment import Period
from core.dates import cn_date
from scoring.engine import ADOPTIONS, INSTRUCTIONS, fact_points, highest_adoption_level, round2
from scoring.models import RuleSet
from scoring.rules import Rules
from scoring.services import rules_for_year
from submissions.models import Adoption, AdoptionType, InstructionKind, JointUnit, LeaderInstruction, Level, Submission
from units.models import Person, PersonRole
from units.versioning import MOST_UNITS_UPDATED, cached

# Art. 12 as decided: city small/large research, or research at provincial or State Council level.
RESEARCH_ADOPTION = Q(level=Level.CITY, adoption_type__in=[AdoptionType.SMALL_RESEARCH, AdoptionType.LARGE_RESEARCH]) | Q(
    level__in=[Level.PROVINCE, Level.STATE], adoption_type=AdoptionType.RESEARCH
)


@dataclass
class Candidate:
    kind: str
    target_id: int  # a person for organizers and officers, a submission for research items
    name: str
    unit: str
    post: str
    reason: str
    score: Decimal | None  # the unit's total, or the item's points
    picked: bool = False


def _unit_reason(standing: Standing) -> str:
    return f"{standing.name}为{standing.tier_label}（{standing.sequence_label}序列第{standing.rank}名）"


def _person_order(totals: dict[int, Standing], order: dict[int, int]):
    def key(person: Person) -> tuple:
        standing = totals.get(person.unit_id)
        total = standing.total if standing else Decimal("-1")
        return (-total, order.get(person.unit_id, len(order)), person.name, person.pk)

    return key


def _people(result: YearResult, role: str, extra: Q | None = None) -> tuple[list[Person], dict[int, Standing]]:
    totals = unit_totals(result.data)
    tiered = [uid for uid, s in totals.items() if s.tier]
    wanted = Q(role=role, unit_id__in=tiered)
    if extra is not None:
        wanted |= extra
    people = Person.objects.filter(wanted, is_active=True).select_related("unit")
    order = {uid: i for i, uid in enumerate(totals)}  # the snapshot is in office order
    return sorted(people, key=_person_order(totals, order)), totals


def organizer_candidates(result: YearResult) -> list[Candidate]:
    """Leaders in charge of model and advanced units (Art. 11)."""
    people, totals = _people(result, PersonRole.LEADER_IN_CHARGE)
    return [
        Candidate(
            kind=AwardKind.ORGANIZER, target_id=p.pk, name=p.name, unit=p.unit.name, post=p.post or p.get_role_display(),
            reason=f"{_unit_reason(totals[p.unit_id])}，本人为分管领导", score=totals[p.unit_id].total,
        )
        for p in people
    ]


def officer_candidates(result: YearResult) -> list[Candidate]:
    """Information officers of model and advanced units, and officers flagged for a special contribution."""
    flags = {f.person_id: f.note for f in SpecialContribution.objects.filter(year=result.year)}
    people, totals = _people(result, PersonRole.INFORMATION_OFFICER, Q(pk__in=list(flags)))
    candidates = []
    for p in people:
        standing = totals.get(p.unit_id)
        reasons = []
        if standing and standing.tier and p.role == PersonRole.INFORMATION_OFFICER:
            reasons.append(f"{_unit_reason(standing)}，本人为信息员")
        if p.pk in flags:
            reasons.append(f"特殊贡献：{flags[p.pk]}")
        candidates.append(
            Candidate(
                kind=AwardKind.OFFICER, target_id=p.pk, name=p.name, unit=p.unit.name, post=p.post or p.get_role_display(),
                reason="；".join(reasons), score=standing.total if standing else None,
            )
        )
    return candidates


def _rules_of(result: YearResult) -> Rules:
    """The rules the result was finalized under, so item points agree with the frozen unit scores."""
    rule_set = RuleSet.objects.filter(name=result.rule_set_name).first() or rules_for_year(result.year)
    return rule_set.rules()


class _Adopted(NamedTuple):
    level: str
    adoption_type: str
    adopted_on: dt.date
    carrier: str
    issue_no: str


class _Instructed(NamedTuple):
    level: str
    kind: str
    instructed_on: dt.date
    leader: str


def item_points(adoptions: list[_Adopted], instructions: list[_Instructed], rules: Rules, period: Period) -> Decimal:
    """The whole item's adoption and instruction points in the period (Art. 9), not split among joint units."""
    top_level = highest_adoption_level(((a.level, a.adopted_on) for a in adoptions), period)
    adopted = sum(fact_points(rules, ADOPTIONS, a.level, a.adoption_type, 1, top_level) for a in adoptions)
    instructed = sum(fact_points(rules, INSTRUCTIONS, i.level, i.kind, 1) for i in instructions)
    return round2(adopted + instructed)


def describe_item(adoptions: list[_Adopted], instructions: list[_Instructed]) -> str:
    """采用及批示情况: each adoption and instruction of the year, as the office writes it."""
    parts = []
    for a in adoptions:
        issue = f"，《{a.carrier}》{a.issue_no}" if a.carrier else ""
        parts.append(f"{Level(a.level).label}采用（{AdoptionType(a.adoption_type).label}，{cn_date(a.adopted_on)}{issue}）")
    for i in instructions:
        leader = f"{i.leader}，" if i.leader else ""
        parts.append(f"{Level(i.level).label}领导{InstructionKind(i.kind).label}批示（{leader}{cn_date(i.instructed_on)}）")
    return "；".join(parts)


def _by_item(rows: QuerySet, row: Callable) -> defaultdict[int, list]:
    """The rows (the item's id first) as `row`s per item, in the query's order."""
    found = defaultdict(list)
    for submission_id, *fields in rows:
        found[submission_id].append(row(*fields))
    return found


def research_candidates(result: YearResult, among: set[int] | None = None) -> list[Candidate]:
    """Valid items with a research adoption dated in the year, by the points they earned in it (Art. 12); of the
    items `among` only, if given.

    Read as plain rows, four queries: a large year has tens of thousands of them (models and prefetching took
    seconds)."""
    period = Period(year=result.year)
    adoptions = Adoption.objects.dated_between(period.start_date, period.end_date)
    items = Submission.objects.counted().filter(pk__in=adoptions.filter(RESEARCH_ADOPTION).values("submission_id"))
    if among is not None:
        items = items.filter(pk__in=among)
    adopted = _by_item(adoptions.filter(submission__in=items).order_by("adopted_on", "id").values_list(
        "submission_id", *_Adopted._fields), _Adopted)
    instructed = _by_item(LeaderInstruction.objects.dated_between(period.start_date, period.end_date).filter(
        submission__in=items).order_by("instructed_on", "id").values_list("submission_id", *_Instructed._fields), _Instructed)
    joint = _by_item(JointUnit.objects.confirmed().filter(submission__in=items).order_by("id").values_list(
        "submission_id", "unit__name"), str)
    rules = _rules_of(result)
    candidates = [
        Candidate(
            kind=AwardKind.RESEARCH, target_id=pk, name=title, unit="、".join([unit, *joint[pk]]), post="",
            reason=describe_item(adopted[pk], instructed[pk]),
            score=item_points(adopted[pk], instructed[pk], rules, period),
        )
        for pk, title, unit in items.values_list("pk", "title", "unit__name")
    ]
    return sorted(candidates, key=_by_points)


def _by_points(candidate: Candidate) -> tuple:
    return -candidate.score, candidate.target_id


def _items_of(units: set[int]) -> set[int]:
    """The units' own items and the items they are a confirmed joint unit of: whose facts a write touching the
    units (units.versioning.touching) may have changed."""
    own = Submission.objects.filter(unit__in=units).values_list("pk", flat=True)
    return {*own, *JointUnit.objects.confirmed().filter(unit__in=units).values_list("submission_id", flat=True)}


FINDERS = {
    AwardKind.ORGANIZER: organizer_candidates,
    AwardKind.OFFICER: officer_candidates,
    AwardKind.RESEARCH: research_candidates,
}


def eligible(result: YearResult) -> dict[str, list[Candidate]]:
    """Every award's eligible candidates, read from the facts of the whole year (0.4 s on the large year): once
    per state of the data. Picks are not part of it (awards.apps: they leave the data version alone), so picking
    never makes this be read again."""
    def compute() -> dict[str, list[Candidate]]:
        return {kind: finder(result) for kind, finder in FINDERS.items()}

    def update(kept: dict[str, list[Candidate]], units: set[int]) -> dict[str, list[Candidate]]:
        """After writes touching some units (reports, adoptions, instructions, failures): only the research
        items of those units can have changed; people and their units' tiers come from the frozen result and
        from records whose writes draw a new data version."""
        if len(units) > MOST_UNITS_UPDATED:
            return compute()
        touched = _items_of(units)
        research = [c for c in kept[AwardKind.RESEARCH] if c.target_id not in touched]
        return {**kept, AwardKind.RESEARCH: sorted([*research, *research_candidates(result, touched)], key=_by_points)}

    return cached(f"award-eligible:{result.pk}", compute, update)


def eligible_index(result: YearResult) -> dict[str, dict[int, int]]:
    """Every award's eligible people or items by id, with their place in its list: whether picks are eligible,
    and which they are in order, without reading the lists (tens of thousands of items on a large year). Kept
    like the lists."""
    return cached(f"award-eligible-index:{result.pk}",
                  lambda: {kind: {c.target_id: i for i, c in enumerate(found)} for kind, found in eligible(result).items()})


def picked_candidates(result: YearResult, kind: str, chosen: set[int]) -> list[Candidate]:
    """The eligible ones among an award's picks, in the order of its list, marked picked."""
    places = eligible_index(result)[kind]
    found = eligible(result)[kind]
    return mark_picked([found[i] for i in sorted(places[t] for t in chosen if t in places)], chosen)


def picked_ids(year: int) -> dict[str, set[int]]:
    """The year's picks: award -> the picked people or items."""
    picked: dict[str, set[int]] = {kind: set() for kind in AwardKind.values}
    for kind, person_id, submission_id in AwardPick.objects.filter(year=year).values_list("kind", "person_id", "submission_id"):
        picked[kind].add(submission_id if kind == AwardKind.RESEARCH else person_id)
    return picked


def candidates(result: YearResult, kind: str) -> list[Candidate]:
    """The eligible candidates of one award, with `picked` set from the year's picks."""
    return mark_picked(eligible(result)[kind], picked_ids(result.year)[kind])


def mark_picked(found: list[Candidate], chosen: set[int]) -> list[Candidate]:
    """Copies (the eligible lists are shared, never changed) with `picked` set."""
    return [replace(c, picked=c.target_id in chosen) for c in found]


def stale_picks(result: YearResult) -> list[AwardPick]:
    """Picks no longer eligible (the year was finalized again since): shown for the administrator to undo."""
    ids = eligible_index(result)
    picks = AwardPick.objects.filter(year=result.year).select_related("person__unit", "submission")
    return [p for p in picks if (p.submission_id if p.kind == AwardKind.RESEARCH else p.person_id) not in ids[p.kind]]
