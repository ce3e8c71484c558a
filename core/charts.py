"""Bar charts drawn on the server as SVG: no JavaScript library, no inline style (CSP), prints as it shows.

One shape for every chart of the site (`templates/_chart.html` draws it): bars standing on a month axis, or
lying one per unit with its name beside it; one or several series stacked; lines after a given bar (the
ranking's tier lines). Every coordinate is computed here, as plain text, so the template only places them;
`description` repeats the numbers in words for screen readers (the SVG's <desc>).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | Decimal
# Deep red first (the single series, the office's colour), then colours told apart in print too.
PALETTE = ("#9b1c1c", "#1f4e79", "#b7791f", "#2f855a", "#6b46c1")
COLUMN_WIDTH, COLUMN_HEIGHT = 360, 150  # bars standing: a year by month
ROW_WIDTH, ROW_HEIGHT, ROW_LABEL = 480, 16, 150  # bars lying: one row per unit, its name in the first 150
PAD_TOP, PAD_BOTTOM, PAD_X, LEGEND, MARK_LABEL = 18, 20, 4, 20, 80


@dataclass(frozen=True)
class Segment:
    x: str
    y: str
    width: str
    height: str
    fill: str
    title: str  # the segment's hover text: "3月 区政府：12"


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # the bar's total as shown beside it; "" for a bar without data (a month not published)
    segments: tuple[Segment, ...]
    value_x: str
    value_y: str
    label_x: str
    label_y: str


@dataclass(frozen=True)
class Mark:
    """A line after a bar, e.g. the last place of a tier."""

    label: str
    x1: str
    y1: str
    x2: str
    y2: str
    text_x: str
    text_y: str


@dataclass(frozen=True)
class LegendEntry:
    name: str
    fill: str
    x: str
    text_x: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    horizontal: bool
    width: int
    height: int
    axis: tuple[str, str, str, str]  # x1, y1, x2, y2 of the line the bars stand on
    marks: list[Mark]
    legend: list[LegendEntry]
    legend_y: str = "0"

    @property
    def dom_id(self) -> str:
        """For aria-labelledby: charts on one page have different titles."""
        return "chart-" + hashlib.sha256(self.title.encode()).hexdigest()[:10]

    @property
    def mark_anchor(self) -> str:
        return "end" if self.horizontal else "start"

    @cached_property
    def bars_svg(self) -> SafeString:
        """The bars as SVG, written here: a ranking's thousand bars are too many for the template language
        (about 15 variables a bar, 65 ms for a thousand; this takes a tenth of that)."""
        return mark_safe("\n".join(_bar_svg(bar, self.horizontal) for bar in self.bars))  # noqa: S308 - see _bar_svg


# A ranking's chart is drawn again after every write that moves a total, most of its thousand bars as they were:
# each bar is built and written once per place, value and scale.
BARS_KEPT = 8192


@lru_cache(maxsize=BARS_KEPT)
def _bar_svg(bar: Bar, horizontal: bool) -> str:
    """One bar's group: coordinates computed in `bar_chart`, every text escaped."""
    value_anchor, label_anchor = ("start", "end") if horizontal else ("middle", "middle")
    rects = "".join(f'<rect x="{s.x}" y="{s.y}" width="{s.width}" height="{s.height}" fill="{s.fill}">'
                    f"<title>{escape(s.title)}</title></rect>" for s in bar.segments)
    value = (f'<text x="{bar.value_x}" y="{bar.value_y}" font-size="8" text-anchor="{value_anchor}" '
             f'fill="#333">{escape(bar.value)}</text>') if bar.value else ""
    return (f'<g>{rects}{value}<text x="{bar.label_x}" y="{bar.label_y}" font-size="9" text-anchor="{label_anchor}" '
            f'fill="{"#333" if bar.value else "#767676"}">{escape(bar.label)}</text></g>')


def _fmt(number: float) -> str:
    # Coordinates as plain text: a localized template would not be safe inside SVG attributes.
    return f"{number:.1f}"


def _total(values: list[Number | None]) -> Number | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Number | None] | Mapping[str, Sequence[Number | None]],
    *,
    horizontal: bool = False,
    marks: Sequence[tuple[int, str]] = (),
    top: Number | None = None,
) -> BarChart:
    """One bar per label, scaled to the largest total (or `top`, to share a scale between charts).

    `series` is one list of values, or several by name (stacked, with a legend). None draws no bar: nothing is
    known for it. `marks` are (bar index, label): a line drawn after that bar.
    """
    named = dict(series) if isinstance(series, Mapping) else {"": list(series)}
    columns = [[values[i] for values in named.values()] for i in range(len(labels))]
    totals = [_total(column) for column in columns]
    scale = float(top or max((t for t in totals if t is not None), default=0)) or 1.0
    legend_rows = LEGEND if len(named) > 1 else 0
    count = max(len(labels), 1)
    if horizontal:
        width, height = ROW_WIDTH, PAD_TOP + legend_rows + count * ROW_HEIGHT + 4
        # Room after the longest bar for its value, and for the marks' labels when there are marks.
        length, slot, base = ROW_WIDTH - ROW_LABEL - 48 - (MARK_LABEL if marks else 0), ROW_HEIGHT, PAD_TOP + legend_rows
        axis = (_fmt(ROW_LABEL), _fmt(base), _fmt(ROW_LABEL), _fmt(height - 2))
    else:
        width, height = COLUMN_WIDTH, COLUMN_HEIGHT + legend_rows
        length, slot, base = COLUMN_HEIGHT - PAD_TOP - PAD_BOTTOM, (COLUMN_WIDTH - 2 * PAD_X) / count, PAD_X
        axis = ("0", _fmt(height - PAD_BOTTOM), _fmt(width), _fmt(height - PAD_BOTTOM))
    colours = dict(zip(named, PALETTE * (len(named) // len(PALETTE) + 1), strict=False))
    shape = _Shape(horizontal, length, slot, base, height, scale, tuple(colours.items()))
    bars = [_bar(shape, i, label, tuple(map(_text, column)), _text(total))
            for i, (label, column, total) in enumerate(zip(labels, columns, totals, strict=True))]
    return BarChart(
        title=title,
        description=_describe(labels, named, totals),
        bars=bars,
        horizontal=horizontal,
        width=width,
        height=height,
        axis=axis,
        marks=[_mark(after, text, base, slot, width, height, horizontal) for after, text in marks],
        legend=[LegendEntry(name, colours[name], _fmt(4 + k * 86), _fmt(16 + k * 86)) for k, name in enumerate(named)]
        if legend_rows else [],
        legend_y=_fmt(PAD_TOP + 1),
    )


class _Shape(NamedTuple):
    """What places a chart's bars, apart from their own values."""

    horizontal: bool
    length: float  # of the largest bar
    slot: float  # room per bar along the axis of bars
    base: float  # where the first slot starts
    height: int
    scale: float
    colours: tuple[tuple[str, str], ...]  # (series name, fill)


def _text(value: Number | None) -> str | None:
    """A value as shown: the key of a kept bar (Decimal("1.5") == Decimal("1.50"), shown apart)."""
    return None if value is None else str(value)


@lru_cache(maxsize=BARS_KEPT)
def _bar(shape: _Shape, i: int, label: str, column: tuple[str | None, ...], total: str | None) -> Bar:
    horizontal, length, slot, base, height, scale, colours = shape
    start = base + i * slot  # the bar's slot along the axis of bars
    segments, done = [], 0.0
    for (name, fill), value in zip(colours, column, strict=True):
        size = length * float(value or 0) / scale
        if size:
            where = f"{label} {name}：{value}" if name else f"{label}：{value}"
            if horizontal:
                x, y, w, h = ROW_LABEL + done, start + slot * 0.15, size, slot * 0.7
            else:
                x, y, w, h = start + slot * 0.15, height - PAD_BOTTOM - done - size, slot * 0.7, size
            segments.append(Segment(_fmt(x), _fmt(y), _fmt(w), _fmt(h), fill, where))
        done += size
    if horizontal:
        value_at, label_at = (ROW_LABEL + done + 3, start + slot * 0.75), (ROW_LABEL - 4, start + slot * 0.75)
    else:
        value_at, label_at = (start + slot / 2, height - PAD_BOTTOM - done - 3), (start + slot / 2, height - 6)
    return Bar(label, total or "", tuple(segments), *map(_fmt, value_at), *map(_fmt, label_at))


def _mark(after: int, text: str, base: float, slot: float, width: int, height: int, horizontal: bool) -> Mark:
    at = base + (after + 1) * slot
    if horizontal:
        return Mark(text, "0", _fmt(at), _fmt(width), _fmt(at), _fmt(width - 2), _fmt(at - 2))
    return Mark(text, _fmt(at), _fmt(PAD_TOP), _fmt(at), _fmt(height - PAD_BOTTOM), _fmt(at + 2), _fmt(PAD_TOP + 8))


def _describe(labels: Sequence[str], named: dict[str, Sequence[Number | None]], totals: list[Number | None]) -> str:
    """The numbers in words: "1月：12；2月：无数据" or, stacked, "1月：共15（区政府12，县（市）3）"."""
    parts = []
    for i, (label, total) in enumerate(zip(labels, totals, strict=True)):
        if total is None:
            parts.append(f"{label}：无数据")
        elif len(named) > 1:
            shares = "，".join(f"{name}{values[i] or 0}" for name, values in named.items())
            parts.append(f"{label}：共{total}（{shares}）")
        else:
            parts.append(f"{label}：{total}")
    return "；".join(parts) + "。"
