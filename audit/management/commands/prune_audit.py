from __future__ import annotations

import argparse
import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.services import MIN_RETENTION, prune
from core.dates import cn_date


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，应为 YYYY-MM-DD，例如 2024-01-31。") from None


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"天数“{text}”无效，应为正整数。")
    return int(text)


class Command(BaseCommand):
    help = (f"删除早于某日期（北京时间）的审计记录；{MIN_RETENTION.days}天内的记录不能删除。"
            "不带参数时删除超过保留期（AUDIT_RETENTION_DAYS）的记录。")

    def add_arguments(self, parser) -> None:
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--before", type=_date, help="删除该日期（不含）之前的记录，YYYY-MM-DD")
        when.add_argument("--days", type=_days, help=f"删除早于该天数的记录（至少 {MIN_RETENTION.days}）")

    def handle(self, *args, before: dt.date | None, days: int | None, **options) -> None:
        if before is not None:
            cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
        else:
            days = settings.AUDIT_RETENTION_DAYS if days is None else days
            if days > 36500:
                raise CommandError("天数过大。")
            cutoff = timezone.now() - dt.timedelta(days=days)
        try:
            deleted = prune(cutoff)
        except ValueError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"已删除 {cn_date(cutoff, 'minute')} 之前的审计记录 {deleted} 条。")
