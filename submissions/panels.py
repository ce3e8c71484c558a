from __future__ import annotations

from django.db.models import Case, Count, OuterRef, When
from django.db.models.functions import ExtractMonth
from django.http import HttpRequest
from django.utils import timezone

from core.assessment import TIME_ZONE, YEARS, Period
from core.charts import bar_chart
from core.links import url_by_id
from submissions.models import Adoption, DeskState, JointUnit, Level, SpecialRequest, Submission, earliest_answer
from units.models import Unit
from units.versioning import cached_for_unit

DESK_ITEMS = 10
MONTHS = range(1, 13)


def home_panel(request: HttpRequest) -> dict | None:
    """The start page's panel: an officer's open requests, soonest deadline first, each with an answer link,
    and how many joint items await the unit's confirmation."""
    user = request.user
    if not user.is_officer:
        return None
    panel, now = _unit_panel(user.unit_id), timezone.now()
    return {**panel, "requests": [r for r in panel["requests"] if r.deadline >= now]}  # one closed since it was read


def _unit_panel(unit_id: int) -> dict:
    """The panel's rows, read once per state of the unit's facts (units.versioning.cached_for_unit): a write touching
    other units only (reports, adoptions, instructions, failures) leaves them; any other write (requests, joint
    confirmations, the desk's decisions, corrections) reads them again."""

    def compute() -> dict:
        requests = (
            SpecialRequest.objects.filter(targets=unit_id).open(timezone.now()).only("code", "title", "deadline")
            .annotate(my_answer=earliest_answer(OuterRef("pk"), unit_id))
            .order_by("deadline", "id")
        )
        # The fate of the unit's latest items on the editorial desk, returned ones first (they wait on the unit);
        # only an adopted item's fate names its carriers (the fate tag).
        returned_first = Case(When(desk_state=DeskState.RETURNED, then=0), default=1)
        desk_items = list(Submission.objects.filter(unit=unit_id).exclude(desk_state=DeskState.OFF_DESK)
                          .only("title", "submitted_at", "desk_state", "desk_note")
                          .order_by(returned_first, "-submitted_at", "-id")[:DESK_ITEMS])
        adopted = [item.pk for item in desk_items if item.desk_state == DeskState.ADOPTED]
        adoptions = Adoption.objects.by_item(adopted)  # none adopted: no query
        detail = url_by_id("submissions:detail")
        for item in desk_items:
            item.url, item.adoption_list = detail(item.pk), adoptions[item.pk]
        to_confirm = JointUnit.objects.pending().filter(unit_id=unit_id).count()
        return {"template": "submissions/panel.html", "requests": list(requests), "to_confirm": to_confirm,
                "desk_items": desk_items}

    return cached_for_unit(f"officer-panel:{unit_id}", unit_id, compute)


def _shown_year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if year in YEARS else today.year


def unit_year_section(request: HttpRequest, unit: Unit) -> dict:
    """A unit's page: its valid items (its own and confirmed joint ones, RULES.md decisions 2 and 10) and their
    adoptions by level, per month of the year (months still to come without a bar); two grouped queries."""
    year, today = _shown_year(request), timezone.localdate()
    period, months = Period(year), range(1, (today.month if year == today.year else 12) + 1)
    items = Submission.objects.counted().of_unit(unit).submitted_between(period.start, period.end)
    per_month = dict(items.values_list(ExtractMonth("submitted_at", tzinfo=TIME_ZONE)).annotate(n=Count("id")).order_by())
    adopted: dict[str, list[int | None]] = {f"{level.label}采用": [0 if m in months else None for m in MONTHS] for level in Level}
    adoptions = Adoption.objects.filter(submission__in=Submission.objects.of_unit(unit)).dated_between(
        period.start_date, period.end_date)
    for level, month, n in adoptions.values_list("level", ExtractMonth("adopted_on")).annotate(n=Count("id")).order_by():
        adopted[f"{Level(level).label}采用"][month - 1] = n
    labels = [f"{m}月" for m in MONTHS]
    return {"template": "submissions/_unit_year.html", "year": year, "later": year < today.year, "charts": [
        bar_chart(f"{unit.name}{year}年各月报送信息（条）", labels,
                  [per_month.get(m, 0) if m in months else None for m in MONTHS]),
        bar_chart(f"{unit.name}{year}年各月被采用（次，按层级）", labels, adopted),
    ]}
