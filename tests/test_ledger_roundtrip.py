"""Import → `scores` / `bulletin` round trip on a generated ledger.

A year of facts is generated as plain Python lists, written as a workbook, loaded with `import_ledger` and
reported by the commands. Every number of the reports is then compared with a computation of RULES.md written
here, straight from the lists: not from the database and not with `scoring.engine`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from pypinyin import lazy_pinyin

from scoring.ledger import import_ledger
from tests.ledger_builder import BASE, ledger_bytes, ledger_file

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2024

# ---------------------------------------------------------------- RULES.md, as the test reads it

SEQUENCES = {"区政府": "district", "县(市)政府": "county", "委办局": "bureau", "驻外办事处": "office_abroad"}
MONTHLY_QUOTA = {"区政府": 15, "县(市)政府": 15, "委办局": 10, "驻外办事处": 15}  # Art. 8.1
CENTRAL_QUOTA = 10  # central/provincial units take the bureau quota
ITEM_POINTS = 15  # each of the 4 reporting items
DEDUCTION = {"迟报": 5, "漏报": 10, "瞒报": 15}  # decision 4
CREDIT = {"on_time": Fraction(1), "late": Fraction(1, 2), "missing": Fraction(0)}  # decision 5
RESEARCH_PER_YEAR = 4  # decision 6
RESEARCH_TYPES = {"小型调研", "大型调研"}
ADOPTION_POINTS = {  # Art. 9
    "市": {"一般动态": 1, "紧急重要": 2, "小型调研": 2, "大型调研": 5},
    "省": {"一般动态": 2, "调研": 10},
    "国务院": {"一般动态": 10, "调研": 20},
}
INSTRUCTION_POINTS = {
    "市": {"阅研性": 2, "肯定性": 3, "借鉴性": 5, "决策性": 10},
    "省": {"阅研性": 10, "肯定性": 10, "借鉴性": 15, "决策性": 20},
    "国务院": {"阅研性": 20, "肯定性": 20, "借鉴性": 20, "决策性": 20},
}
LEVEL_KEYS = {"市": "city", "省": "province", "国务院": "state"}
TIER_PLACES = {"区政府": (2, 5), "县(市)政府": (3, 7), "委办局": (10, 30), "驻外办事处": (2, 5)}  # Art. 10
INFO_TYPES = ["一般动态", "紧急重要", "小型调研", "大型调研"]


def half_up(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- the generated ledger


@dataclass
class Unit:
    name: str
    sequence: str  # the Chinese label, as in the ledger
    central: bool = False
    ranked: bool = True


@dataclass
class Item:
    no: str
    unit: str
    at: dt.datetime  # Shanghai wall time
    kind: str
    joint: list[str] = field(default_factory=list)
    request: str | None = None
    invalid: str = ""

    @property
    def units(self) -> list[str]:
        return [self.unit, *self.joint]


@dataclass
class Ledger:
    units: list[Unit] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    adoptions: list[tuple[str, str, str, dt.date]] = field(default_factory=list)  # item, level, type, date
    instructions: list[tuple[str, str, str, dt.date, str]] = field(default_factory=list)  # item, level, kind, date, leader
    requests: list[tuple[str, dt.datetime, list[str]]] = field(default_factory=list)  # code, deadline, targets
    failures: list[tuple[str, dt.date, str]] = field(default_factory=list)  # unit, date, kind
    basic: dict[tuple[str, int], list[Decimal]] = field(default_factory=dict)

    def item(self, unit: str, at: dt.datetime, kind: str = "一般动态", **kw) -> Item:
        item = Item(no=f"{YEAR}-{len(self.items) + 1:05d}", unit=unit, at=at, kind=kind, **kw)
        self.items.append(item)
        return item


def shanghai(month: int, day: int, hour: int = 9, minute: int = 0, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute)


def generate(seed: int = 2024) -> Ledger:
    rnd = random.Random(seed)
    ledger = Ledger()
    # The offices abroad are all made by hand (add_tie_units), so their places are known.
    counts = {"区政府": ("区", 6), "县(市)政府": ("县", 8), "委办局": ("局", 14)}
    for sequence, (prefix, n) in counts.items():
        for i in range(1, n + 1):
            ledger.units.append(Unit(f"{prefix}单位{i:02d}", sequence, central=sequence == "委办局" and i <= 3))
    ledger.units.append(Unit("参照单位甲", "委办局", ranked=False))
    ledger.units.append(Unit("参照单位乙", "区政府", ranked=False))
    names = [u.name for u in ledger.units]

    # Items over the year, at each unit's own pace, a few of them joint or invalid.
    for unit in ledger.units:
        pace = rnd.choice([2, 6, 11, 16])
        for month in range(1, 13):
            for _ in range(rnd.randint(max(0, pace - 3), pace + 3)):
                at = shanghai(month, rnd.randint(1, 28), rnd.randint(0, 23), rnd.choice([0, 15, 30, 45]))
                kind = rnd.choices(INFO_TYPES, weights=[70, 15, 10, 5])[0]
                joint = rnd.sample([n for n in names if n != unit.name], rnd.randint(1, 3)) if rnd.random() < 0.08 else []
                invalid = rnd.choice(["重复报送", "非信息类"]) if rnd.random() < 0.05 else ""
                ledger.item(unit.name, at, kind, joint=joint, invalid=invalid)
    # The edges of the year in Shanghai time.
    edge_unit = ledger.units[0].name
    ledger.item(edge_unit, shanghai(1, 1, 7, 0))  # 2023-12-31 23:00 UTC: counts in the new year
    ledger.item(edge_unit, shanghai(12, 31, 23, 59, year=YEAR - 1))
    ledger.item(edge_unit, shanghai(12, 31, 23, 59))
    ledger.item(edge_unit, shanghai(1, 1, 0, 0, year=YEAR + 1))
    december = ledger.item(ledger.units[1].name, shanghai(12, 20, year=YEAR - 1), "大型调研")
    ledger.adoptions.append((december.no, "市", "大型调研", dt.date(YEAR, 1, 8)))  # scores in January, not for reporting

    add_tie_units(ledger)
    add_requests(ledger, rnd)
    add_adoptions_and_instructions(ledger, rnd)

    for _ in range(25):
        unit = rnd.choice([u for u in ledger.units if u.name not in TIE_NAMES]).name
        day = dt.date(YEAR, rnd.randint(1, 12), rnd.randint(1, 28))
        ledger.failures.append((unit, day, rnd.choice(list(DEDUCTION))))
    for month in (2, 4, 6, 8, 10):  # one unit fails so often that the deduction hits the floor of 0
        ledger.failures.append((ledger.units[2].name, dt.date(YEAR, month, 3), "瞒报"))
    ledger.failures.append((ledger.units[3].name, dt.date(YEAR - 1, 12, 30), "瞒报"))  # another year

    for unit in ledger.units:
        if rnd.random() < 0.9 and unit.name not in TIE_NAMES:
            ledger.basic[(unit.name, YEAR)] = [Decimal(rnd.randint(6, 10)) / 2 for _ in range(8)]
    ledger.basic[(ledger.units[5].name, YEAR - 1)] = [Decimal(5)] * 8  # another year: not this year's entry
    return ledger


TIE_NAMES = {"驻外单位A", "驻外单位B", "驻外单位C", "驻外单位D", "驻外单位E", "区单位甲", "区单位乙", "县单位甲", "县单位乙"}


def add_tie_units(ledger: Ledger) -> None:
    """Units made to tie, so ranks, tie-breaks and tiers across a boundary are exercised (decision 11)."""
    for name in sorted(TIE_NAMES):
        sequence = {"驻": "驻外办事处", "区": "区政府", "县": "县(市)政府"}[name[0]]
        ledger.units.append(Unit(name, sequence))
        ledger.basic[(name, YEAR)] = [Decimal(5)] * 8
    # B, C and D of the offices abroad are equal in every respect: places 2, 2, 2 straddle the model boundary.
    for name in ("驻外单位B", "驻外单位C", "驻外单位D"):
        ledger.item(name, shanghai(3, 3), "小型调研")
    first = ledger.item("驻外单位A", shanghai(3, 4), "大型调研")
    ledger.adoptions.append((first.no, "国务院", "调研", dt.date(YEAR, 4, 1)))
    # 区单位甲 and 乙 end equal on total; 甲 has State Council points, 乙 provincial ones of the same sum.
    a = ledger.item("区单位甲", shanghai(5, 5))
    ledger.adoptions.append((a.no, "国务院", "一般动态", dt.date(YEAR, 5, 20)))
    for i in range(5):
        b = ledger.item("区单位乙", shanghai(5, 6 + i))
        ledger.adoptions.append((b.no, "省", "一般动态", dt.date(YEAR, 5, 21)))
    for i in range(4):
        ledger.item("区单位甲", shanghai(5, 12 + i))
    # 县单位甲 and 乙 are equal on total and on every level's points; 甲 counted more items (all past the quota).
    for month in range(1, 13):
        for day in range(1, 17):
            ledger.item("县单位甲", shanghai(month, day))
            if day <= 15:
                ledger.item("县单位乙", shanghai(month, day, 10))
    for name in ("县单位甲", "县单位乙"):
        for quarter_month in (2, 5, 8, 11):
            ledger.item(name, shanghai(quarter_month, 20), "小型调研")


def add_requests(ledger: Ledger, rnd: random.Random) -> None:
    """Special requests with answers on time, late, missing, joint-only, invalid and after the period's end."""
    names = [u.name for u in ledger.units if u.name not in TIE_NAMES]
    for r in range(1, 10):
        code = f"ZY{r:02d}"
        deadline = shanghai(r + 1, 15, 18, 0)
        targets = rnd.sample(names, rnd.randint(3, 8))
        ledger.requests.append((code, deadline, targets))
        for unit in targets:
            outcome = rnd.choice(["on_time", "on_time", "late", "missing", "joint_only", "invalid", "both"])
            on_time = deadline - dt.timedelta(days=rnd.randint(0, 10), hours=rnd.randint(0, 5))
            late = deadline + dt.timedelta(minutes=1) + dt.timedelta(days=rnd.randint(0, 20))
            if outcome == "on_time":
                ledger.item(unit, on_time, request=code)
            elif outcome == "late":
                ledger.item(unit, late, request=code)
            elif outcome == "both":  # judged by the earliest answer
                ledger.item(unit, late, request=code)
                ledger.item(unit, on_time, request=code)
            elif outcome == "joint_only":  # another unit's item with this unit on it answers for it (decision 5)
                other = next(n for n in names if n not in targets)
                ledger.item(other, on_time, request=code, joint=[unit])
            elif outcome == "invalid":
                ledger.item(unit, on_time, request=code, invalid="重复报送")
    # Due in June, answered in July: late for the year, not yet known (so not delivered) through June.
    ledger.requests.append(("ZY-6", shanghai(6, 28, 17, 0), [names[0], names[1]]))
    ledger.item(names[0], shanghai(7, 2), request="ZY-6")
    ledger.item(names[1], shanghai(6, 28, 17, 0), request="ZY-6")  # at the deadline: on time
    # Answered by a unit the request was not sent to: no outcome for it.
    outsider = next(n for n in names if n not in ledger.requests[0][2])
    ledger.item(outsider, shanghai(3, 1), request="ZY01")


def add_adoptions_and_instructions(ledger: Ledger, rnd: random.Random) -> None:
    level_types = [(level, kind) for level, kinds in ADOPTION_POINTS.items() for kind in kinds]
    for item in list(ledger.items):
        if item.invalid or item.unit in TIE_NAMES or item.at.year != YEAR or rnd.random() > 0.18:
            continue
        levels = {"市"} | ({"省"} if rnd.random() < 0.25 else set()) | ({"国务院"} if rnd.random() < 0.05 else set())
        for level in sorted(levels):
            kind = rnd.choice([k for lv, k in level_types if lv == level])
            adopted = (item.at + dt.timedelta(days=rnd.randint(1, 45))).date()
            ledger.adoptions.append((item.no, level, kind, adopted))
            for _ in range(rnd.choice([0, 0, 0, 1, 2])):
                on = adopted + dt.timedelta(days=rnd.randint(0, 20))
                leader = f"领导{len(ledger.instructions)}"
                ledger.instructions.append(
                    (item.no, rnd.choice(list(LEVEL_KEYS)), rnd.choice(list(INSTRUCTION_POINTS["市"])), on, leader)
                )


# ---------------------------------------------------------------- the ledger as a workbook


def as_sheets(ledger: Ledger, seed: int = 7) -> dict[str, list[dict]]:
    """The lists as ledger sheets, writing the same kind of value in the different ways a ledger may."""
    rnd = random.Random(seed)

    def when(at: dt.datetime):
        return rnd.choice([at, at.strftime("%Y-%m-%d %H:%M")])

    def day(d: dt.date):
        return rnd.choice([d, d.isoformat()])

    def number(no: str):
        return no  # text; the numeric form is covered in test_ledger_sheets

    return {
        "单位": [
            {
                "单位名称": u.name,
                "序列": u.sequence,
                "中直省属": "是" if u.central else rnd.choice(["否", ""]),
                "参加评比": "是" if u.ranked else "否",
            }
            for u in ledger.units
        ],
        "专约": [
            {
                "专约编号": code,
                "标题": f"专约{code}",
                "截止时间": when(deadline),
                "对象单位": rnd.choice(["、", ","]).join(targets),
            }
            for code, deadline, targets in ledger.requests
        ],
        "报送": [
            {
                "信息编号": number(i.no),
                "单位名称": i.unit,
                "标题": f"信息{i.no}",
                "报送时间": when(i.at),
                "信息类型": i.kind,
                "联合报送单位": "、".join(i.joint),
                "专约编号": i.request or "",
                "无效原因": i.invalid,
            }
            for i in ledger.items
        ],
        "采用": [
            {"信息编号": no, "采用层级": level, "采用类型": kind, "采用日期": day(on), "刊物": "政务信息", "期号": str(k)}
            for k, (no, level, kind, on) in enumerate(ledger.adoptions)
        ],
        "批示": [
            {"信息编号": no, "领导层级": level, "批示类型": kind, "批示日期": day(on), "批示领导": leader}
            for no, level, kind, on, leader in ledger.instructions
        ],
        "紧急信息问题": [{"单位名称": unit, "日期": day(on), "问题类型": kind} for unit, on, kind in ledger.failures],
        "基础工作": [
            {"单位名称": unit, "年度": year, **{f"第{i}项": float(v) for i, v in enumerate(items, start=1)}}
            for (unit, year), items in ledger.basic.items()
        ],
    }


# ---------------------------------------------------------------- RULES.md computed from the lists


def period_bounds(first: int, through: int) -> tuple[dt.datetime, dt.datetime]:
    """Shanghai wall times [start, end) of months `first`..`through` of YEAR."""
    start = shanghai(first, 1, 0, 0)
    end = shanghai(through + 1, 1, 0, 0) if through < 12 else shanghai(1, 1, 0, 0, year=YEAR + 1)
    return start, end


def day_of(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(on, dt.time())


def points_by_level(ledger: Ledger, unit: str, start: dt.datetime, end: dt.datetime) -> tuple[dict, dict]:
    """Adoption and instruction points per level of a unit in [start, end); joint items split equally."""
    items = {i.no: i for i in ledger.items}
    adoption = {level: Fraction(0) for level in LEVEL_KEYS}
    instruction = {level: Fraction(0) for level in LEVEL_KEYS}
    for no, level, kind, on in ledger.adoptions:
        if start <= day_of(on) < end and unit in items[no].units:
            adoption[level] += Fraction(ADOPTION_POINTS[level][kind], len(items[no].units))
    for no, level, kind, on, _leader in ledger.instructions:
        if start <= day_of(on) < end and unit in items[no].units:
            instruction[level] += Fraction(INSTRUCTION_POINTS[level][kind], len(items[no].units))
    return adoption, instruction


def counted_items(ledger: Ledger, unit: str, start: dt.datetime, end: dt.datetime) -> list[Item]:
    return [i for i in ledger.items if not i.invalid and start <= i.at < end and unit in i.units]


def request_credit(ledger: Ledger, unit: str, start: dt.datetime, end: dt.datetime) -> list[Fraction]:
    credits = []
    for code, deadline, targets in ledger.requests:
        if unit not in targets or not start <= deadline < end:
            continue
        # Its own items and the joint items it is on (a ledger's joint units are confirmed).
        answers = [i.at for i in ledger.items if unit in i.units and i.request == code and not i.invalid and i.at < end]
        outcome = "missing" if not answers else "on_time" if min(answers) <= deadline else "late"
        credits.append(CREDIT[outcome])
    return credits


def expected_scores(ledger: Ledger, through: int) -> dict[str, dict]:
    start, end = period_bounds(1, through)
    rows = {}
    for unit in ledger.units:
        counted = counted_items(ledger, unit.name, start, end)
        research = sum(1 for i in counted if i.kind in RESEARCH_TYPES)
        required = (CENTRAL_QUOTA if unit.central else MONTHLY_QUOTA[unit.sequence]) * through
        expected_research = Fraction(RESEARCH_PER_YEAR * through, 12)
        deducted = sum(DEDUCTION[k] for u, on, k in ledger.failures if u == unit.name and start <= day_of(on) < end)
        credits = request_credit(ledger, unit.name, start, end)
        adoption, instruction = points_by_level(ledger, unit.name, start, end)
        reporting = {
            "quota": half_up(ITEM_POINTS * min(Fraction(1), Fraction(len(counted), required))),
            "urgent": half_up(Fraction(max(0, ITEM_POINTS - deducted))),
            "special": half_up(ITEM_POINTS * sum(credits, Fraction(0)) / len(credits)) if credits else half_up(Fraction(15)),
            "research": half_up(ITEM_POINTS * min(Fraction(1), research / expected_research)),
        }
        reporting["total"] = sum(reporting.values())
        basic_items = ledger.basic.get((unit.name, YEAR))
        basic = None if basic_items is None else sum(basic_items, Decimal(0))
        adoption_points = half_up(sum(adoption.values()))
        instruction_points = half_up(sum(instruction.values()))
        rows[unit.name] = {
            "unit": unit.name,
            "sequence": SEQUENCES[unit.sequence],
            "ranked": unit.ranked,
            "basic": basic,
            "reporting": reporting,
            "adoption": adoption_points,
            "instruction": instruction_points,
            "total": (basic or 0) + reporting["total"] + adoption_points + instruction_points,
            "rank": None,
            "tier": None,
            "tie_flag": False,
            "_key": None,
        }
        by_level = {level: half_up(adoption[level] + instruction[level]) for level in LEVEL_KEYS}
        rows[unit.name]["_key"] = (rows[unit.name]["total"], by_level["国务院"], by_level["省"], by_level["市"], len(counted))
    for sequence, (last_model, last_advanced) in TIER_PLACES.items():
        ranked = sorted(
            (rows[u.name] for u in ledger.units if u.sequence == sequence and u.ranked), key=lambda r: r["_key"], reverse=True
        )
        for row in ranked:
            place = 1 + sum(1 for other in ranked if other["_key"] > row["_key"])
            last_shared = place - 1 + sum(1 for other in ranked if other["_key"] == row["_key"])
            row["rank"] = place
            row["tier"] = "model" if place <= last_model else "advanced" if place <= last_advanced else None
            row["tie_flag"] = place <= last_model < last_shared or place <= last_advanced < last_shared
    return rows


def expected_bulletin(ledger: Ledger, month: int) -> dict[str, dict]:
    rows = {}
    for unit in ledger.units:
        row = {"unit": unit.name, "sequence": SEQUENCES[unit.sequence]}
        for span, (start, end) in (("month", period_bounds(month, month)), ("ytd", period_bounds(1, month))):
            items = {i.no: i for i in ledger.items}
            adopted = {LEVEL_KEYS[level]: 0 for level in LEVEL_KEYS}
            for no, level, _kind, on in ledger.adoptions:
                if start <= day_of(on) < end and unit.name in items[no].units:
                    adopted[LEVEL_KEYS[level]] += 1
            adoption, instruction = points_by_level(ledger, unit.name, start, end)
            row.setdefault("submitted", {})[span] = len(counted_items(ledger, unit.name, start, end))
            row.setdefault("adopted", {})[span] = adopted
            row.setdefault("instructions", {})[span] = sum(
                1 for no, _l, _k, on, _p in ledger.instructions if start <= day_of(on) < end and unit.name in items[no].units
            )
            row.setdefault("points", {})[span] = float(half_up(sum(adoption.values()) + sum(instruction.values())))
        row["rank"] = None
        rows[unit.name] = row
    for sequence in SEQUENCES:
        ranked = [rows[u.name] for u in ledger.units if u.sequence == sequence and u.ranked]
        for row in ranked:
            row["rank"] = 1 + sum(1 for other in ranked if other["points"]["ytd"] > row["points"]["ytd"])
    return rows


def office_order(ledger: Ledger) -> list[str]:
    order = list(SEQUENCES)
    return [u.name for u in sorted(ledger.units, key=lambda u: (order.index(u.sequence), lazy_pinyin(u.name)))]


# ---------------------------------------------------------------- the round trip


@functools.cache
def generated_workbook() -> bytes:
    """The generated ledger as a workbook, written once for the module (writing it is the slow part)."""
    return ledger_bytes(as_sheets(generate()))


@pytest.fixture
def ledger() -> Ledger:
    generated = generate()  # deterministic: the same ledger as the cached workbook
    result = import_ledger(BytesIO(generated_workbook()))
    assert result.summary["报送"]["created"] == len(generated.items)
    return generated


def run_json(command: str, *args: str) -> dict:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return json.loads(out.getvalue())


def as_json_numbers(row: dict) -> dict:
    """The expected row as the report prints it: numbers as JSON numbers."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    out["basic"] = None if row["basic"] is None else float(row["basic"])
    out["reporting"] = {k: float(v) for k, v in row["reporting"].items()}
    for key in ("adoption", "instruction", "total"):
        out[key] = float(row[key])
    return out


def test_scores_report_matches_rules_computed_from_the_ledger(ledger):
    for through in (12, 6, 1):
        args = ["--year", str(YEAR)] + (["--through", f"{YEAR}-{through:02d}"] if through != 12 else [])
        report = run_json("scores", *args)
        assert (report["year"], report["through"], report["rule_set"]) == (YEAR, f"{YEAR}-{through:02d}", "2008")
        expected = expected_scores(ledger, through)
        assert [row["unit"] for row in report["units"]] == office_order(ledger)
        mismatches = [
            (row["unit"], row, as_json_numbers(expected[row["unit"]]))
            for row in report["units"]
            if row != as_json_numbers(expected[row["unit"]])
        ]
        assert not mismatches, (through, mismatches[:3])


def test_bulletin_matches_rules_computed_from_the_ledger(ledger):
    for month in (1, 3, 6, 12):
        report = run_json("bulletin", "--month", f"{YEAR}-{month:02d}")
        assert report["month"] == f"{YEAR}-{month:02d}"
        expected = expected_bulletin(ledger, month)
        assert [row["unit"] for row in report["units"]] == office_order(ledger)
        mismatches = [(row["unit"], row, expected[row["unit"]]) for row in report["units"] if row != expected[row["unit"]]]
        assert not mismatches, (month, mismatches[:3])


def test_reloading_the_ledger_keeps_the_report(ledger):
    before = run_json("scores", "--year", str(YEAR))
    result = import_ledger(ledger_file(as_sheets(ledger, seed=8)))  # the same facts, written the other ways
    assert all(counts["created"] == counts["updated"] == 0 for counts in result.summary.values()), result.summary
    assert run_json("scores", "--year", str(YEAR)) == before


@pytest.mark.django_db(False)
def test_the_generated_year_exercises_every_rule():
    """Guard against a generator that silently stops covering a case."""
    ledger = generate()
    year = expected_scores(ledger, 12)
    june = expected_scores(ledger, 6)
    rows = list(year.values())
    assert {r["reporting"]["quota"] == 15 for r in rows} == {True, False}
    assert any(Decimal(0) < r["reporting"]["special"] < 15 for r in rows)
    assert any(r["reporting"]["urgent"] == 0 for r in rows) and any(0 < r["reporting"]["urgent"] < 15 for r in rows)
    assert any(Decimal(0) < r["reporting"]["research"] < 15 for r in rows)
    assert any(r["adoption"] % 1 for r in rows), "a joint split leaves a fraction"
    assert any(r["basic"] is None for r in rows)
    assert any(r["tie_flag"] for r in rows)
    assert year["区单位甲"]["rank"] < year["区单位乙"]["rank"] and year["区单位甲"]["total"] == year["区单位乙"]["total"]
    assert year["县单位甲"]["rank"] < year["县单位乙"]["rank"] and year["县单位甲"]["total"] == year["县单位乙"]["total"]
    assert [year[f"驻外单位{c}"]["rank"] for c in "ABCDE"] == [1, 2, 2, 2, 5]
    assert [year[f"驻外单位{c}"]["tier"] for c in "ABCDE"] == ["model"] * 4 + ["advanced"]
    names = [u.name for u in ledger.units if u.name not in TIE_NAMES]
    june_start, june_end = period_bounds(1, 6)
    year_start, year_end = period_bounds(1, 12)
    assert request_credit(ledger, names[0], june_start, june_end)[-1] == 0  # answered in July: unknown in June
    assert request_credit(ledger, names[0], year_start, year_end)[-1] == Fraction(1, 2)
    assert june != year


def test_scores_json_has_exactly_the_keys_of_interfaces_md():
    import_ledger(ledger_file(BASE))
    report = run_json("scores", "--year", str(YEAR))
    assert list(report) == ["year", "through", "rule_set", "units"]
    assert report["units"]
    for row in report["units"]:
        assert list(row) == [
            "unit",
            "sequence",
            "ranked",
            "basic",
            "reporting",
            "adoption",
            "instruction",
            "total",
            "rank",
            "tier",
            "tie_flag",
        ]
        assert list(row["reporting"]) == ["quota", "urgent", "special", "research", "total"]
        assert row["sequence"] in {"district", "county", "bureau", "office_abroad"}
        assert row["tier"] in {"model", "advanced", None}
        assert isinstance(row["tie_flag"], bool)
        assert row["rank"] is None if not row["ranked"] else isinstance(row["rank"], int)
        assert row["basic"] is None or isinstance(row["basic"], int | float)
        for value in (row["total"], row["adoption"], row["instruction"], *row["reporting"].values()):
            assert isinstance(value, int | float) and round(value, 2) == value
