from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from bulletins.demo import seed_bulletins
from editorial.demo import seed_editorial
from harbin_infoassess.demo import seed_activity
from reminders.services import send_reminders
from units.demo import seed_people, seed_units


class Command(BaseCommand):
    help = "载入演示数据：哈尔滨的单位及责任人、各角色演示账号、一年的报送采用和已完成月份的通报。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        # The current year by default, so the pages show live data (TIME_ZONE is Asia/Shanghai).
        parser.add_argument("--year", type=int, default=timezone.localdate().year, help="year of the demo activity")

    def handle(self, *args, year: int, **options) -> None:
        with transaction.atomic():
            units = seed_units(year)
            people = seed_people(units)
            accounts = seed_accounts()
            seed_activity(year)
            seed_editorial(year)
            seed_bulletins(year)
            # The reminders due today (each once), so the demo's bells show them beside the bulletins' notices.
            send_reminders()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{len(units)} 个单位，{people} 名责任人，{year} 年的报送与采用。"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示）：")
        for account in accounts:
            unit = f" · {account.unit.name}" if account.unit else ""
            self.stdout.write(f"  {account.username:<10} {account.get_role_display()}{unit}")
