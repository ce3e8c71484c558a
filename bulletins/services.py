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
from units.versioning import MOST_UNITS_UPDATED, cached


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


def _ranked(rows: list[dict]) -> list[dict]:
    """The rows with their places within the sequence by year-to-date points; equal points share a place (1, 2, 2,
    4). A row whose place is unchanged is the same object (the preview keeps what it rendered of it)."""
    places: dict[int, int] = {}
    for sequence in Sequence.values:
        ranked = sorted(
            (r for r in rows if r["sequence"] == sequence and r["ranked"]),
            key=lambda r: Decimal(r["points"]["ytd"]),
            reverse=True,
        )
        for row, place in zip(ranked, competition_places(ranked, lambda r: Decimal(r["points"]["ytd"])), strict=True):
            places[id(row)] = place
    return [row if row["rank"] == places.get(id(row)) else {**row, "rank": places.get(id(row))} for row in rows]


def _rows(year: int, month: int, rules: Rules, units: list[Unit], only: set[int] | None = None) -> list[dict]:
    """The units' rows, unranked; with `only` (their ids) the queries read those units' facts only."""
    month_activity = gather_activity(Period.month(year, month), rules.highest_level_only, only)
    ytd_activity = gather_activity(Period(year=year, through=month), rules.highest_level_only, only)
    return [_unit_row(u, month_activity.get(u.pk, Activity()), ytd_activity.get(u.pk, Activity()), rules) for u in units]


def _directory(period: Period, units: dict[int, Unit], only: set[int] | None = None) -> list[dict]:
    """The month's adopted items by unit, with the instructions they received in the month; with `only` (unit
    ids), the items of those units and those they are a confirmed joint unit of (with all their units' lines).

    Plain rows in three queries (five with `only`), no model instances: a month of a large year has thousands of
    adoptions.
    """
    adoptions = Adoption.objects.dated_between(period.start_date, period.end_date)
    if only is not None:  # the items first: as one condition (an OR) the queries below took 30 ms each
        joined = JointUnit.objects.confirmed().filter(unit__in=only).values("submission_id")
        items = {*adoptions.filter(submission__unit__in=only).values_list("submission_id", flat=True),
                 *adoptions.filter(submission__in=joined).values_list("submission_id", flat=True)}
        adoptions = adoptions.filter(submission__in=items)
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
    return entries


def _in_directory_order(entries: list[dict], units: dict[int, Unit]) -> list[dict]:
    # Ledger numbers are unique: the order is total, whichever order the entries came in.
    keys = {pk: unit.office_sort_key() for pk, unit in units.items()}
    return sorted(entries, key=lambda e: (keys[e["unit_id"]], e["ledger_no"], LEVELS.index(e["level"])))


def build_bulletin(year: int, month: int) -> dict:
    """The bulletin of a month as the facts stand now: every unit, zeros included, in office order; computed
    once per state of the data (units.versioning), and after writes touching some units updated for them."""
    return cached(f"bulletin:{year}:{month}", lambda: _build_bulletin(year, month), _update_bulletin)


def _build_bulletin(year: int, month: int) -> dict:
    rules = rules_for_year(year).rules()
    units = {u.pk: u for u in Unit.objects.all()}
    rows = _ranked(_rows(year, month, rules, sorted(units.values(), key=Unit.office_sort_key)))
    return {
        "month": f"{year}-{month:02d}",
        "rule_set": rules.name,
        "units": rows,
        "no_submission_units": [r["unit"] for r in rows if r["submitted"]["month"] == 0],
        "adopted_items": _in_directory_order(_directory(Period.month(year, month), units), units),
    }


def _update_bulletin(kept: dict, changed: set[int]) -> dict:
    """The bulletin after writes to the facts of `changed` units (units.versioning.touching: reports, adoptions,
    instructions, failures): their rows computed again, every unit ranked again, and the directory's lines of
    their items (own or confirmed joint) read again. Units and rule sets are unchanged: a change to them draws a
    new token, and the bulletin is computed whole."""
    year, month = (int(part) for part in kept["month"].split("-"))
    if len(changed) > MOST_UNITS_UPDATED:
        return _build_bulletin(year, month)
    rules = rules_for_year(year).rules()
    units = {u.pk: u for u in Unit.objects.all()}
    changed = changed & units.keys()
    fresh = {row["unit_id"]: row for row in _rows(year, month, rules, [units[pk] for pk in changed], changed)}
    rows = _ranked([fresh.get(row["unit_id"], row) for row in kept["units"]])
    read = _directory(Period.month(year, month), units, changed)
    # An item's lines go together: those of an item of a changed unit, or read again (it may have moved here).
    stale = {e["submission_id"] for e in kept["adopted_items"] if e["unit_id"] in changed} | {e["submission_id"] for e in read}
    entries = [e for e in kept["adopted_items"] if e["submission_id"] not in stale]
    return {
        **kept,
        "units": rows,
        "no_submission_units": [r["unit"] for r in rows if r["submitted"]["month"] == 0],
        "adopted_items": _in_directory_order([*entries, *read], units),
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
