from __future__ import annotations

from django.http import HttpRequest


def home_panel(request: HttpRequest) -> dict | None:
    """The start page's panel of this app: {"template": ..., **context}, or None."""
    return None
