"""Project-level pages: the start page gathers what each app offers the user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bulletins.panels import home_panel as bulletin_panel
from scoring.panels import home_panel as planner_panel
from submissions.panels import home_panel as submission_panel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Each app contributes its own panel to the start page (open requests, the latest bulletin place...).
    panels = [p for p in (submission_panel(request), planner_panel(request), bulletin_panel(request)) if p]
    return render(request, "home.html", {"panels": panels})
