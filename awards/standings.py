"""Reading a year-end snapshot (`YearResult.data`, or a provisional one): unit tiers by sequence, all ranks.

Everything here comes from the snapshot alone, so a finalized result reads the same whatever facts change
later (RULES.md decision 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.assessment import Tier
from scoring.exports import remark as score_remark
from units.models import SEQUENCE_ORDER, Sequence


def points(value: object) -> Decimal | None:
    """A snapshot number (float or string) as points with two decimals."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Standing:
    unit_id: int | None
    name: str
    sequence: str
    ranked: bool
    basic: Decimal | None
    reporting: Decimal
    adoption: Decimal
    instruction: Decimal
    total: Decimal
    rank: int | None
    tier: Tier | None
    tie_flag: bool
    barred: bool

    @classmethod
    def from_json(cls, row: dict) -> Standing:
        return cls(
            unit_id=row.get("unit_id"), name=row["unit"], sequence=row["sequence"], ranked=row["ranked"],
            basic=points(row["basic"]), reporting=points(row["reporting"]["total"]), adoption=points(row["adoption"]),
            instruction=points(row["instruction"]), total=points(row["total"]), rank=row["rank"],
            tier=Tier(row["tier"]) if row["tier"] else None, tie_flag=row["tie_flag"], barred=row.get("barred", False),
        )

    @property
    def sequence_label(self) -> str:
        return Sequence(self.sequence).label

    @property
    def tier_label(self) -> str:
        return self.tier.label if self.tier else ""

    @property
    def remark(self) -> str:
        return score_remark(self.ranked, self.basic is None, self.barred, self.tie_flag)


def standings(data: dict) -> list[Standing]:
    """Every unit of the snapshot, in the office's order as stored."""
    return [Standing.from_json(row) for row in data["units"]]


def _rank_order(s: Standing) -> tuple:
    return (SEQUENCE_ORDER[s.sequence], s.rank is None, s.rank or 0)


def in_rank_order(rows: list[Standing]) -> list[Standing]:
    """Sequence by sequence in the office's order, each by rank; unranked units last (sort is stable)."""
    return sorted(rows, key=_rank_order)


def tier_units(rows: list[Standing], tier: str) -> list[Standing]:
    return in_rank_order([s for s in rows if s.tier == tier])


@dataclass
class SequenceBlock:
    sequence: str
    label: str
    model: list[Standing]
    advanced: list[Standing]
    others: list[Standing]
    places: tuple[int, int] | None

    @property
    def tiered(self) -> list[Standing]:
        return self.model + self.advanced

    @property
    def flagged(self) -> list[Standing]:
        return [s for s in self.model + self.advanced if s.tie_flag]


def by_sequence(data: dict) -> list[SequenceBlock]:
    """The tiers of each sequence, for the pages (RULES.md Art. 10)."""
    rows = in_rank_order(standings(data))
    tier_places = data.get("tier_places", {})
    blocks = []
    for sequence in Sequence.values:
        own = [s for s in rows if s.sequence == sequence]
        places = tier_places.get(sequence)
        blocks.append(
            SequenceBlock(
                sequence=sequence, label=Sequence(sequence).label,
                model=[s for s in own if s.tier == Tier.MODEL], advanced=[s for s in own if s.tier == Tier.ADVANCED],
                others=[s for s in own if s.tier is None], places=tuple(places) if places else None,
            )
        )
    return blocks


def unit_totals(data: dict) -> dict[int, Standing]:
    """The snapshot's units by id, for ordering people and items by their unit's score."""
    return {s.unit_id: s for s in standings(data) if s.unit_id is not None}
