from django.core.management.base import BaseCommand

from submissions.models import MonthTally
from submissions.tallies import rebuild_all_tallies


class Command(BaseCommand):
    help = "重算全部单位的月度汇总（数据库被本系统以外的方式修改后使用；平时每次写入后自动重算）。"

    def handle(self, *args, **options) -> None:
        rebuild_all_tallies()
        self.stdout.write(self.style.SUCCESS(f"月度汇总已重算：{MonthTally.objects.count()} 行。"))
