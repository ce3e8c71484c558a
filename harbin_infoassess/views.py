"""Project-level pages: the start page gathers what each app offers the user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bulletins.panels import home_panel as bulletin_panel
from harbin_infoassess import office
from scoring.panels import home_panel as planner_panel
from submissions.panels import home_panel as submission_panel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Each app contributes its own panel to the start page (open requests, the latest bulletin place...).
    panels = [p for p in (submission_panel(request), planner_panel(request), bulletin_panel(request)) if p]
    context: dict = {"panels": panels}
    user = request.user
    if user.can_read_all:
        # The office and its readers: the city-wide picture and the latest result; staff also their work queue.
        now = timezone.now()
        context |= {"picture": office.city_picture(timezone.localdate(now).year), "result": office.latest_result()}
        if user.is_office_staff:
            context |= {"queue": office.work_queue(now), "imports": office.recent_imports()}
    return render(request, "home.html", context)
