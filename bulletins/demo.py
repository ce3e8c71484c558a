"""Demo data: the bulletins of the demo year's completed months, published as the office would."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bulletins.models import BulletinVersion
from bulletins.publishing import publish_bulletin


def seed_bulletins(year: int) -> int:
    """Publish every completed month of `year` that has no published version yet; returns how many."""
    today = timezone.localdate()
    last = 12 if year < today.year else today.month - 1
    published = set(BulletinVersion.objects.filter(month__year=year).values_list("month", flat=True))
    months = [dt.date(year, m, 1) for m in range(1, last + 1) if dt.date(year, m, 1) not in published]
    for month in months:
        publish_bulletin(month)
    return len(months)
