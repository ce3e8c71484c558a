from __future__ import annotations

from django.db.models import OuterRef
from django.http import HttpRequest
from django.utils import timezone

from submissions.models import JointUnit, SpecialRequest, earliest_answer


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
    to_confirm = JointUnit.objects.pending().filter(unit_id=user.unit_id).count()
    return {"template": "submissions/panel.html", "requests": list(requests), "to_confirm": to_confirm}
