from __future__ import annotations

from django.http import HttpRequest

from scoring import planner


def home_panel(request: HttpRequest) -> dict | None:
    """The start page's target planner for an officer's unit: the year so far (issue 16)."""
    user = request.user
    if not user.is_officer:
        return None
    report = planner.current_report()
    return {"template": "scoring/_planner_panel.html", "report": report, "plan": planner.plan_of(report, user.unit_id)}
