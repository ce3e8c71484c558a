"""The client's address, as the login lockout (django-axes) and the request log see it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: behind our TLS proxy the one it appended to X-Forwarded-For (the last entry; earlier
    ones come from the client and can be forged), else the socket's. Never anything but a valid address: axes
    stores it in an address column."""
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.BEHIND_TLS_PROXY:
        candidates.insert(0, request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip())
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
