from __future__ import annotations

from django.db.models import Case, OuterRef, When
from django.http import HttpRequest
from django.utils import timezone

from submissions.models import DeskState, JointUnit, SpecialRequest, Submission, earliest_answer

DESK_ITEMS = 10


def home_panel(request: HttpRequest) -> dict | None:
    """The start page's panel: an officer's open requests, soonest deadline first, each with an answer link,
    and how many joint items await the unit's confirmation."""
    user = request.user
    if not user.is_officer:
        return None
    requests = (
        SpecialRequest.objects.for_unit(user.unit).open(timezone.now())
        .annotate(my_answer=earliest_answer(OuterRef("pk"), user.unit_id))
        .order_by("deadline", "id")
    )
    # The fate of the unit's latest items on the editorial desk, returned ones first (they wait on the unit).
    returned_first = Case(When(desk_state=DeskState.RETURNED, then=0), default=1)
    desk_items = (Submission.objects.filter(unit=user.unit_id).exclude(desk_state=DeskState.OFF_DESK)
                  .prefetch_related("adoptions").order_by(returned_first, "-submitted_at", "-id")[:DESK_ITEMS])
    to_confirm = JointUnit.objects.pending().filter(unit_id=user.unit_id).count()
    return {"template": "submissions/panel.html", "requests": list(requests), "to_confirm": to_confirm,
            "desk_items": list(desk_items)}
