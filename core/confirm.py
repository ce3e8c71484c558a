"""One way to ask before what cannot be undone: the action's POST first shows what will happen, and only
the same POST sent again from that page, with the confirmation field, goes through.

A server-rendered page rather than a browser `confirm()` dialog: it can say everything that will happen
(the document number, the month, the units affected) and it needs no inline script under a strict CSP.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
REVISE_FIELD = "revise"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "1"


def ask(
    request: HttpRequest,
    *,
    title: str,
    lines: Sequence[str],
    action: str,
    back_url: str = "",
    warning: str = "",
    danger: bool = False,
    revise: bool = False,
) -> HttpResponse:
    """The page that says what will happen (`lines`, `warning` in red) and posts the same data again,
    confirmed, from the button `action` ("确认发布"). With `revise`, going back re-posts the data with
    REVISE_FIELD so the form keeps its values."""
    hidden = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD, REVISE_FIELD)
        for value in request.POST.getlist(name)
    ]
    return render(request, "confirm.html", {
        "title": title, "lines": lines, "action": action, "warning": warning, "danger": danger,
        "hidden": hidden, "back_url": back_url, "revise": revise, "confirm_field": CONFIRM_FIELD,
        "revise_field": REVISE_FIELD,
    })
