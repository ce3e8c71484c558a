"""The target planner on the pages: `scoring.engine.plan_for` over a score report, and its words (every unit's
plans of the all-units ranking: scoring.ranking_tables).

No query of its own: everything comes from the report `compute_scores` already made.
"""

from __future__ import annotations

from django.utils import timezone

from scoring.engine import Plan, TierGap, plan_for
from scoring.services import ScoreReport, compute_scores
from submissions.models import AdoptionType

# The adoptions a gap is worded in: the everyday one, the large city one and the provincial research one.
KINDS_SHOWN = (("city", "general"), ("city", "large_research"), ("province", "research"))
LEVEL_WORDS = {"city": "市级", "province": "省级", "state": "国家级"}


def plan_of(report: ScoreReport, unit_id: int) -> Plan:
    return plan_for(unit_id, report.scores, report.period, report.rules, timezone.localdate())


def current_report() -> ScoreReport:
    """The year so far, through the current month (Beijing time)."""
    today = timezone.localdate()
    return compute_scores(today.year, today.month)


def equivalents(gap: TierGap, kinds: tuple[tuple[str, str], ...] = KINDS_SHOWN) -> str:
    """"7 条市级一般动态采用，或 2 条市级大型调研采用，或 1 条省级调研采用" (the kinds the rule set has)."""
    counts = {(level, kind): n for level, kind, n in gap.adoptions}
    return "，或 ".join(
        f"{counts[key]} 条{LEVEL_WORDS[key[0]]}{AdoptionType(key[1]).label}采用" for key in kinds if key in counts
    )
