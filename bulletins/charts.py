"""Small bar charts drawn on the server as SVG (no JavaScript library, prints as it shows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 360, 150
PAD_TOP, PAD_BOTTOM, PAD_X = 18, 20, 4


@dataclass(frozen=True)
class Bar:
    label: str  # the month, under the bar
    value: str  # shown above the bar; "" for a month without a published bulletin
    x: str
    y: str
    width: str
    height: str
    center: str
    value_y: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - PAD_BOTTOM
    label_y: int = HEIGHT - 6


def _fmt(number: float) -> str:
    # Coordinates as plain text: a localized template would not be safe inside SVG attributes.
    return f"{number:.1f}"


def bar_chart(title: str, values: Sequence[int | Decimal | None], labels: Sequence[str]) -> BarChart:
    """One bar per value, scaled to the largest; None draws no bar (nothing published for that month)."""
    top = float(max((v for v in values if v is not None), default=0)) or 1.0
    slot = (WIDTH - 2 * PAD_X) / max(len(values), 1)
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = 0.0 if value is None else plot_height * float(value) / top
        left = PAD_X + i * slot
        y = HEIGHT - PAD_BOTTOM - height
        bars.append(Bar(
            label=label,
            value="" if value is None else str(value),
            x=_fmt(left + slot * 0.15), width=_fmt(slot * 0.7), y=_fmt(y), height=_fmt(height),
            center=_fmt(left + slot / 2), value_y=_fmt(y - 3),
        ))
    return BarChart(title=title, bars=bars)
