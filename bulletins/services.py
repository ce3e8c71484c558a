"""The live numbers of a monthly adoption bulletin (Art. 5; INTERFACES.md, the bulletin)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from core.assessment import Period
from scoring.engine import ADOPTIONS, INSTRUCTIONS, competition_places, group_points, round2
from scoring.rules import LEVELS, Rules
from scoring.services import Activity, gather_activity, rules_for_year
from submissions.models import Adoption, JointUnit, LeaderInstruction
from units.models import Sequence, Unit
from units.versioning import cached


def _points(activity: Activity, rules: Rules) -> Decimal:
    adoption = group_points(activity.adoptions, ADOPTIONS, rules)
    instruction = group_points(activity.instructions, INSTRUCTIONS, rules)
    return round2(sum(adoption.values()) + sum(instruction.values()))


def _adopted(activity: Activity) -> dict[str, int]:
    return {level: sum(g.count for g in activity.adoptions if g.level == level) for level in LEVELS}


def _unit_row(unit: Unit, month: Activity, ytd: Activity, rules: Rules) -> dict:
    adopted_month, adopted_ytd = _adopted(month), _adopted(ytd)
    return {
        "unit": unit.name,
        "unit_id": unit.pk,
        "sequence": unit.sequence,
        "ranked": unit.is_ranked and unit.is_active,
        "submitted": {"month": month.counted, "ytd": ytd.counted},
        "adopted": {
            "month": {"city": adopted_month["city"], "province": adopted_month["province"], "state": adopted_month["state"]},
            "ytd": {"city": adopted_ytd["city"], "province": adopted_ytd["province"], "state": adopted_ytd["state"]},
        },
        "instructions": {
            "month": sum(g.count for g in month.instructions),
            "ytd": sum(g.count for g in ytd.instructions),
        },
        "points": {"month": str(_points(month, rules)), "ytd": str(_points(ytd, rules))},
        "rank": None,
    }


def _rank(rows: list[dict]) -> None:
    """Place within the sequence by year-to-date points; equal points share a place (1, 2, 2, 4)."""
    for sequence in Sequence.values:
        ranked = sorted(
            (r for r in rows if r["sequence"] == sequence and r["ranked"]),
            key=lambda r: Decimal(r["points"]["ytd"]),
            reverse=True,
        )
        for row, place in zip(ranked, competition_places(ranked, lambda r: Decimal(r["points"]["ytd"])), strict=True):
            row["rank"] = place


def _directory(period: Period) -> list[dict]:
    """The month's adopted items by unit, with the instructions they received in the month.

    Plain rows in three queries, no model instances: a month of a large year has thousands of adoptions.
    """
    adoptions = Adoption.objects.dated_between(period.start_date, period.end_date)
    adopted_items = adoptions.values("submission_id")
    instructions: dict[int, list[dict]] = defaultdict(list)
    month_instructions = LeaderInstruction.objects.dated_between(period.start_date, period.end_date)
    for item_id, level, kind, leader, day in month_instructions.filter(submission__in=adopted_items).values_list(
        "submission_id", "level", "kind", "leader", "instructed_on"
    ):
        instructions[item_id].append({"level": level, "kind": kind, "leader": leader, "date": day.isoformat()})
    joint: dict[int, list[int]] = defaultdict(list)
    joint_rows = JointUnit.objects.confirmed().filter(submission__in=adopted_items)
    for item_id, unit_id in joint_rows.values_list("submission_id", "unit_id"):
        joint[item_id].append(unit_id)
    units = {u.pk: u for u in Unit.objects.all()}
    entries = []
    for item_id, ledger_no, title, unit_id, level, adoption_type, carrier, issue_no in adoptions.values_list(
        "submission_id", "submission__ledger_no", "submission__title", "submission__unit_id",
        "level", "adoption_type", "carrier", "issue_no",
    ):
        for unit in (units[unit_id], *(units[j] for j in joint[item_id])):
            entries.append(
                {
                    "unit": unit.name,
                    "unit_id": unit.pk,
                    "sort": unit.office_sort_key(),
                    "ledger_no": ledger_no,
                    "submission_id": item_id,
                    "title": title,
                    "level": level,
                    "adoption_type": adoption_type,
                    "carrier": carrier,
                    "issue_no": issue_no,
                    "instructions": instructions[item_id],
                }
            )
    entries.sort(key=lambda e: (e.pop("sort"), e["ledger_no"], LEVELS.index(e["level"])))
    return entries


def build_bulletin(year: int, month: int) -> dict:
    """The bulletin of a month as the facts stand now: every unit, zeros included, in office order; computed
    once per state of the data (units.versioning)."""
    return cached(f"bulletin:{year}:{month}", lambda: _build_bulletin(year, month))


def _build_bulletin(year: int, month: int) -> dict:
    rules = rules_for_year(year).rules()
    month_period, ytd_period = Period.month(year, month), Period(year=year, through=month)
    month_activity = gather_activity(month_period, rules.highest_level_only)
    ytd_activity = gather_activity(ytd_period, rules.highest_level_only)
    units = Unit.objects.all().in_office_order()
    rows = [_unit_row(u, month_activity.get(u.pk, Activity()), ytd_activity.get(u.pk, Activity()), rules) for u in units]
    _rank(rows)
    return {
        "month": f"{year}-{month:02d}",
        "rule_set": rules.name,
        "units": rows,
        "no_submission_units": [r["unit"] for r in rows if r["submitted"]["month"] == 0],
        "adopted_items": _directory(month_period),
    }


def bulletin_json(bulletin: dict) -> dict:
    """The bulletin as INTERFACES.md prints it: only the documented keys, points as numbers."""
    keys = ("unit", "sequence", "submitted", "adopted", "instructions", "points", "rank")
    units = []
    for row in bulletin["units"]:
        out = {k: row[k] for k in keys}
        out["points"] = {k: float(v) for k, v in row["points"].items()}
        units.append(out)
    return {"month": bulletin["month"], "units": units}
