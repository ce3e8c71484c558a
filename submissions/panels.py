from __future__ import annotations

from django.db.models import Min, Q
from django.http import HttpRequest
from django.utils import timezone

from submissions.models import DeskState, SpecialRequest, Submission


def home_panel(request: HttpRequest) -> dict | None:
    """The start page's panel: an officer's open requests, soonest deadline first, each with an answer link."""
    user = request.user
    if not user.is_officer:
        return None
    valid_own = Q(answers__is_invalid=False, answers__unit=user.unit_id)
    requests = (
        SpecialRequest.objects.for_unit(user.unit).open(timezone.now())
        .annotate(my_answer=Min("answers__submitted_at", filter=valid_own))
        .order_by("deadline", "id")
    )
    # The fate of the unit's latest items on the editorial desk, returned ones first (they wait on the unit).
    on_desk = Submission.objects.filter(unit=user.unit_id).exclude(desk_state=DeskState.OFF_DESK).prefetch_related("adoptions")
    returned = list(on_desk.filter(desk_state=DeskState.RETURNED).order_by("submitted_at", "id"))
    latest = list(on_desk.exclude(desk_state=DeskState.RETURNED).order_by("-submitted_at", "-id")[:8])
    return {"template": "submissions/panel.html", "requests": list(requests), "desk_items": returned + latest}
