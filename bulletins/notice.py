"""The bulletin as the office sends it (HARBIN.md): one shape that the page, the print and the exports render.

Built from a bulletin dict — a published snapshot or the live `build_bulletin` result — and nothing else, so a
published page never queries the facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from core.charts import BarChart, bar_chart
from core.dates import cn_date
from submissions.models import InstructionKind, Level
from units.models import SEQUENCE_ORDER, Sequence

ISSUER = "哈尔滨市人民政府办公厅"
SALUTATION = "各区、县(市)人民政府，市政府各委、办、局，中直、省属在哈有关单位："
NUMERALS = "一二三四五六七八九十"
LEVEL_COLUMNS = (("city", "市采用"), ("province", "省采用"), ("state", "国务院采用"))
# The paired columns of the page, each "this month / year to date".
PAIR_HEADERS = ("报送", *(label for _, label in LEVEL_COLUMNS), "批示", "得分")
FIGURE_NAMES = tuple(f"{name}({period})" for name in PAIR_HEADERS for period in ("本月", "累计"))
DIRECTORY_HEADER = ("单位", "信息标题", "采用层级", "刊物及期号", "批示")
TOP_UNITS = 10  # the month's best units in the bulletin's chart


def points_text(value: object) -> str:
    """Points with two decimals (snapshots keep them as strings like "12.50")."""
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def unit_figures(unit: dict) -> list[tuple[str, object]]:
    """A unit's place and numbers in the order of the page and the export, each with its column name."""
    adopted = unit["adopted"]
    values = [
        unit["submitted"]["month"], unit["submitted"]["ytd"],
        *(adopted[period].get(level, 0) for level, _ in LEVEL_COLUMNS for period in ("month", "ytd")),
        unit["instructions"]["month"], unit["instructions"]["ytd"],
        points_text(unit["points"]["month"]), points_text(unit["points"]["ytd"]),
    ]
    return [("名次", unit.get("rank")), *zip(FIGURE_NAMES, values, strict=True)]


def bulletin_number(month: dt.date) -> str:
    """The office's document number: the month's bulletin is number <month> of its year."""
    return f"哈政办信通〔{month.year}〕{month.month}号"


def notice_title(month: dt.date) -> str:
    return f"关于{month.year}年{month.month}月份全市政府系统政务信息采用情况的通报"


@dataclass(frozen=True)
class NoticeRow:
    unit: str
    unit_id: int | None
    rank: int | None
    figures: list[tuple[str, object]]  # unit_figures without the place

    @property
    def pairs(self) -> list[tuple[object, object]]:
        values = [value for _, value in self.figures]
        return list(zip(values[::2], values[1::2], strict=True))


@dataclass(frozen=True)
class SequenceTable:
    ordinal: str
    sequence: str
    label: str
    rows: list[NoticeRow]
    silent_units: list[str]  # no item this month
    rows_html: str = ""  # the rows already rendered (the staff's preview: bulletins.preview_lines)


@dataclass(frozen=True)
class DirectoryEntry:
    unit: str
    unit_id: int | None
    title: str
    level: str
    carrier: str
    instructions: str


@dataclass(frozen=True)
class Catalogue:
    """One sequence's part of the adopted-items directory: on a published page it folds and loads when opened."""

    sequence: str
    label: str
    entries: list[DirectoryEntry]
    header: tuple[str, ...] = field(default=DIRECTORY_HEADER)
    rows_html: str = ""  # the entries already rendered (the staff's preview: bulletins.preview_lines)


@dataclass(frozen=True)
class Notice:
    month: dt.date
    number: str
    issued_on: dt.date
    tables: list[SequenceTable]
    directory: list[DirectoryEntry]
    version: int | None = None  # None: the live preview, not published
    catalogues: list[Catalogue] = field(default_factory=list)  # the directory by sequence
    issuer: str = ISSUER
    salutation: str = SALUTATION
    pair_headers: tuple[str, ...] = field(default=PAIR_HEADERS)
    directory_header: tuple[str, ...] = field(default=DIRECTORY_HEADER)
    charts: list[BarChart] = field(default_factory=list)  # part of the page rendered once per published version

    @property
    def period(self) -> str:
        return f"{self.month.year}年{self.month.month}月份"

    @property
    def title(self) -> str:
        return notice_title(self.month)

    @property
    def intro(self) -> str:
        return f"现将{self.period}全市政府系统政务信息报送、采用情况通报如下。"

    @property
    def directory_title(self) -> str:
        return f"附：{self.period}被采用信息目录（按单位）"

    @property
    def issued_label(self) -> str:
        return cn_date(self.issued_on)


def _rank_key(indexed: tuple[int, dict]) -> tuple:
    index, unit = indexed
    # Place first; unranked units (no place) last; the office's order among equals.
    return (unit.get("rank") is None, unit.get("rank") or 0, index)


def _label(choices: type, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def instructions_text(instructions: list[dict]) -> str:
    """The instructions an adopted item received in the month, e.g. 市领导（张市长）肯定性批示."""
    parts = []
    for entry in instructions:
        leader = f"（{entry['leader']}）" if entry.get("leader") else ""
        parts.append(f"{_label(Level, entry['level'])}领导{leader}{_label(InstructionKind, entry['kind'])}批示")
    return "；".join(parts)


def directory_entry(item: dict) -> DirectoryEntry:
    """A line of the adopted-items directory from a bulletin's `adopted_items` entry."""
    return DirectoryEntry(
        unit=item["unit"],
        unit_id=item.get("unit_id"),
        title=item["title"],
        level=_label(Level, item["level"]),
        carrier=" ".join(part for part in (item.get("carrier"), item.get("issue_no")) if part),
        instructions=instructions_text(item.get("instructions", [])),
    )


def build_notice(data: dict, *, number: str = "", issued_on: dt.date | None = None, version: int | None = None) -> Notice:
    """The notice of a bulletin dict; without a number and date (the live bulletin): the month's number, today."""
    year, month = (int(part) for part in data["month"].split("-"))
    first = dt.date(year, month, 1)
    by_sequence: dict[str, list[tuple[int, dict]]] = {}
    sequence_of: dict[str, str] = {}
    for index, unit in enumerate(data.get("units", [])):
        by_sequence.setdefault(unit["sequence"], []).append((index, unit))
        sequence_of[unit["unit"]] = unit["sequence"]
    silent: dict[str, list[str]] = {}
    for name in data.get("no_submission_units", []):
        silent.setdefault(sequence_of.get(name, ""), []).append(name)
    tables = []
    for sequence in sorted(by_sequence, key=lambda s: SEQUENCE_ORDER.get(s, len(SEQUENCE_ORDER))):
        rows = [
            NoticeRow(unit["unit"], unit.get("unit_id"), unit.get("rank"), unit_figures(unit)[1:])
            for _, unit in sorted(by_sequence[sequence], key=_rank_key)
        ]
        tables.append(
            SequenceTable(NUMERALS[len(tables)], sequence, sequence_label(sequence), rows, silent.get(sequence, []))
        )
    directory = [directory_entry(item) for item in data.get("adopted_items", [])]
    return Notice(first, number or bulletin_number(first), issued_on or timezone.localdate(), tables, directory, version,
                  catalogues=_catalogues(directory, sequence_of), charts=notice_charts(data, first))


def _catalogues(directory: list[DirectoryEntry], sequence_of: dict[str, str]) -> list[Catalogue]:
    by_sequence: dict[str, list[DirectoryEntry]] = {}
    for entry in directory:  # in office order, so sequence by sequence
        by_sequence.setdefault(sequence_of.get(entry.unit, ""), []).append(entry)
    return [Catalogue(sequence, sequence_label(sequence), entries) for sequence, entries in by_sequence.items()]


def notice_catalogue(data: dict, sequence: str) -> Catalogue | None:
    """One sequence's catalogue of a bulletin dict, without the rest of the notice; None if it has none."""
    sequence_of = {unit["unit"]: unit["sequence"] for unit in data.get("units", [])}
    items = [item for item in data.get("adopted_items", []) if sequence_of.get(item["unit"]) == sequence]
    return next(iter(_catalogues([directory_entry(item) for item in items], sequence_of)), None)


def sequence_label(sequence: str) -> str:
    return f"{_label(Sequence, sequence)}序列"


def notice_charts(data: dict, month: dt.date) -> list[BarChart]:
    """The month's adoptions per sequence (by level), and the units with the most points this month."""
    units = data.get("units", [])
    period = f"{month.year}年{month.month}月"
    sequences = sorted({u["sequence"] for u in units}, key=lambda s: SEQUENCE_ORDER.get(s, len(SEQUENCE_ORDER)))
    adopted = {
        label: [sum(u["adopted"]["month"].get(level, 0) for u in units if u["sequence"] == s) for s in sequences]
        for level, label in LEVEL_COLUMNS
    }
    # Most points first; among equals the office's order (the snapshot's order), as the tables list them.
    best = sorted((u for u in units if Decimal(str(u["points"]["month"])) > 0),
                  key=lambda u: -Decimal(str(u["points"]["month"])))[:TOP_UNITS]
    charts = [bar_chart(f"{period}各序列被采用情况（次）", [f"{_label(Sequence, s)}" for s in sequences], adopted)]
    if best:
        charts.append(bar_chart(f"{period}得分前{len(best)}名单位", [u["unit"] for u in best],
                                [Decimal(points_text(u["points"]["month"])) for u in best], horizontal=True))
    return charts
