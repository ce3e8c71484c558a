"""The desk's part of seed_demo: a year of published issues of 《哈尔滨政务信息》 made from the demo's city
adoptions, and a few items waiting in the inbox. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from editorial.models import Carrier, Issue, IssueItem, IssueStatus
from submissions.models import Adoption, DeskState, Level, StaleTally, Submission

CARRIER = "哈尔滨政务信息"
INBOX_SIZE = 25


def _week_of_month(day: dt.date) -> tuple[int, int]:
    return day.month, (day.day - 1) // 7


def seed_editorial(year: int) -> None:
    carrier = Carrier.objects.filter(name=CARRIER).first()
    if carrier is None or Issue.objects.filter(carrier=carrier, year=year).exists():
        return
    adoptions = list(Adoption.objects.filter(level=Level.CITY, carrier=CARRIER, adopted_on__year=year)
                     .select_related("submission").order_by("adopted_on", "id"))
    with transaction.atomic():
        # One issue a week (never across a month end, so no adoption moves to another month's bulletin).
        weeks = [list(group) for _, group in groupby(adoptions, key=lambda a: _week_of_month(a.adopted_on))]
        issues = Issue.objects.bulk_create(
            Issue(carrier=carrier, status=IssueStatus.PUBLISHED, year=year, number=n, total_number=n,
                  issued_on=max(a.adopted_on for a in week), responsible_editor="王晓明", signed_by="刘建国",
                  published_at=timezone.now())
            for n, week in enumerate(weeks, start=1)
        )
        entries = []
        for issue, week in zip(issues, weeks, strict=True):
            for position, adoption in enumerate(week, start=1):
                adoption.adopted_on, adoption.issue_no = issue.issued_on, issue.number_label
                item = adoption.submission
                entries.append(IssueItem(issue=issue, submission=item, position=position, title=item.title, body=item.body,
                                         adoption_type=adoption.adoption_type, adoption=adoption))
        Adoption.objects.bulk_update(adoptions, ["adopted_on", "issue_no"], batch_size=1000)
        IssueItem.objects.bulk_create(entries, batch_size=1000)
        Submission.objects.filter(pk__in=[a.submission_id for a in adoptions]).update(desk_state=DeskState.ADOPTED)
        StaleTally.mark({a.unit_id for a in adoptions})
        # The latest items nobody has adopted wait in the inbox.
        latest = (Submission.objects.filter(submitted_at__year=year, is_invalid=False, adoptions__isnull=True)
                  .order_by("-submitted_at").values_list("pk", flat=True)[:INBOX_SIZE])
        Submission.objects.filter(pk__in=list(latest)).update(desk_state=DeskState.PENDING)
        Issue.objects.create(carrier=carrier, responsible_editor="王晓明")
