from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from bulletins.models import BulletinUnitRow, BulletinVersion
from bulletins.notice import points_text
from core.charts import BarChart, bar_chart
from units.models import Sequence

MONTHS = range(1, 13)


def unit_rows_of_year(year: int, unit_id: int) -> dict[int, dict]:
    """The unit's row in the latest published version of each month of the year, by month number (none for a
    month whose latest version lacks the unit), in one query."""
    later = BulletinVersion.objects.filter(month=OuterRef("version__month"), version__gt=OuterRef("version__version"))
    unit_rows = (BulletinUnitRow.objects.filter(unit_id=unit_id, version__month__year=year).exclude(Exists(later))
                 .values_list("version__month", "row"))
    return {month.month: row for month, row in unit_rows}


def unit_year_charts(year: int, rows: dict[int, dict]) -> list[BarChart]:
    """Items submitted, adoptions (all levels) and points per month; months without a bulletin draw no bar."""
    labels = [f"{m}月" for m in MONTHS]
    submitted = [rows[m]["submitted"]["month"] if m in rows else None for m in MONTHS]
    adopted = [sum(rows[m]["adopted"]["month"].values()) if m in rows else None for m in MONTHS]
    points = [Decimal(points_text(rows[m]["points"]["month"])) if m in rows else None for m in MONTHS]
    return [
        bar_chart(f"{year}年各月报送信息（条）", labels, submitted),
        bar_chart(f"{year}年各月被采用（次）", labels, adopted),
        bar_chart(f"{year}年各月得分", labels, points),
    ]


def own_place(row: dict | None, month: int) -> dict | None:
    """An officer's unit in a published bulletin: its sequence, rank and points (the month's and to date)."""
    return row and {
        "unit": row.get("unit", ""),
        "rank": row.get("rank"),
        "sequence": Sequence(row["sequence"]).label if row["sequence"] in Sequence.values else row["sequence"],
        "points_month": points_text(row["points"]["month"]),
        "points_ytd": points_text(row["points"]["ytd"]),
        "through": month,
    }


def home_panel(request: HttpRequest) -> dict | None:
    """The start page's panel: the latest published bulletin; for an officer, their unit's place and chart."""
    latest = BulletinVersion.objects.headers().first()
    panel = {"template": "bulletins/_panel.html", "latest": latest}
    user = request.user
    if latest is None or not user.is_officer:
        return panel
    year = latest.month.year
    rows = unit_rows_of_year(year, user.unit_id)
    row = rows.get(latest.month.month)
    return panel | {
        "year": year,
        "own": own_place(row, latest.month.month),
        "charts": unit_year_charts(year, rows) if rows else [],
    }
