"""The rule set as plain values (RULES.md), and the 2008 defaults.

A RuleSet row keeps these numbers as JSON; `Rules.from_params` reads them into exact fractions so the
arithmetic in `scoring.engine` never touches the database or a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

SOURCE_2008 = "哈政办综〔2008〕11号"
RULES_2008: dict[str, Any] = {
    "basic_items": [
        "有明确的分管领导、主管领导、信息员三级负责制的组织机构",
        "有健全的工作制度",
        "有一支由专兼职信息员组成的信息工作队伍",
        "形成覆盖本系统的运转有效的工作网络",
        "每年开展信息员业务培训活动",
        "信息工作所需设施齐全",
        "能够利用电子网络传输报送信息",
        "积极参加市政府系统信息工作会议、活动，按时限完成交办的工作任务",
    ],
    "basic_item_points": 5,
    "reporting_item_points": 15,
    # Art. 8.1: items a month; central/provincial units take the bureau quota.
    "monthly_quota": {"district": 15, "county": 15, "bureau": 10, "office_abroad": 15, "central_provincial": 10},
    "quota_mode": "proportional",  # or "all_or_nothing" (decision 3)
    "failure_deductions": {"late": 5, "omission": 10, "concealment": 15},  # decision 4
    "concealment_bars_awards": False,
    "request_credits": {"on_time": 1, "late": "0.5", "missing": 0},  # decision 5
    "research_per_year": 4,  # decision 6
    "adoption_points": {  # Art. 9
        "city": {"general": 1, "urgent": 2, "small_research": 2, "large_research": 5},
        "province": {"general": 2, "research": 10},
        "state": {"general": 10, "research": 20},
    },
    "adoption_mode": "additive",  # or "highest_level" (decision 8)
    "instruction_points": {
        "city": {"read": 2, "affirm": 3, "reference": 5, "decision": 10},
        "province": {"read": 10, "affirm": 10, "reference": 15, "decision": 20},
        "state": {"read": 20, "affirm": 20, "reference": 20, "decision": 20},
    },
    "joint_split": True,  # decision 10: a joint item's points are split equally among its units
    # Art. 10: [last model place, last advanced place] per sequence.
    "tier_places": {"district": [2, 5], "county": [3, 7], "bureau": [10, 30], "office_abroad": [2, 5]},
    "award_targets": {"organizer": 20, "officer": 60, "research": 20},  # Art. 11, 12
}

LEVELS = ("city", "province", "state")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}


def _frac(value: Any) -> int | Fraction:
    """Exact value of a rule number; whole numbers stay ints, which keeps the arithmetic fast."""
    number = Fraction(str(value))
    return number.numerator if number.denominator == 1 else number


@dataclass(frozen=True)
class Rules:
    name: str
    basic_items: tuple[str, ...]  # Art. 7: what each basic-work item asks for
    basic_item_points: Fraction  # the most one item scores
    reporting_item_points: Fraction
    monthly_quota: dict[str, Fraction]
    quota_all_or_nothing: bool
    failure_deductions: dict[str, Fraction]
    concealment_bars_awards: bool
    request_credits: dict[str, Fraction]
    research_per_year: Fraction
    adoption_points: dict[str, dict[str, Fraction]]
    highest_level_only: bool
    instruction_points: dict[str, dict[str, Fraction]]
    joint_split: bool
    tier_places: dict[str, tuple[int, int]]
    award_targets: dict[str, int]

    @cached_property
    def adoption_steps(self) -> tuple[tuple[str, str, int, int], ...]:
        """(level, type, numerator, denominator) of each adoption worth points (Art. 9), for the planner."""
        return tuple((level, kind, points.numerator, points.denominator)
                     for level, table in self.adoption_points.items() for kind, points in table.items() if points > 0)

    @classmethod
    def from_params(cls, params: dict[str, Any], name: str = "2008") -> Rules:
        return cls(
            name=name,
            basic_items=tuple(params["basic_items"]),
            basic_item_points=_frac(params["basic_item_points"]),
            reporting_item_points=_frac(params["reporting_item_points"]),
            monthly_quota={k: _frac(v) for k, v in params["monthly_quota"].items()},
            quota_all_or_nothing=params["quota_mode"] == "all_or_nothing",
            failure_deductions={k: _frac(v) for k, v in params["failure_deductions"].items()},
            concealment_bars_awards=bool(params["concealment_bars_awards"]),
            request_credits={k: _frac(v) for k, v in params["request_credits"].items()},
            research_per_year=_frac(params["research_per_year"]),
            adoption_points={lv: {t: _frac(p) for t, p in tbl.items()} for lv, tbl in params["adoption_points"].items()},
            highest_level_only=params["adoption_mode"] == "highest_level",
            instruction_points={lv: {k: _frac(p) for k, p in tbl.items()} for lv, tbl in params["instruction_points"].items()},
            joint_split=bool(params["joint_split"]),
            tier_places={k: (int(v[0]), int(v[1])) for k, v in params["tier_places"].items()},
            award_targets={k: int(v) for k, v in params["award_targets"].items()},
        )

    @property
    def basic_item_count(self) -> int:
        return len(self.basic_items)

    @property
    def basic_item_max(self) -> Decimal:
        """The most one basic-work item scores, as entries write points (a multiple of 0.5, so exact)."""
        return Decimal(self.basic_item_points.numerator) / self.basic_item_points.denominator

    def quota_for(self, sequence: str, central_provincial: bool) -> Fraction:
        return self.monthly_quota["central_provincial" if central_provincial else sequence]
