from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.dates import cn_date
from operations.backup import BackupError, read_manifest, restore_archive, tables_with_data
from operations.health import migrations_pending


class Command(BaseCommand):
    help = "从 backup 命令生成的归档恢复数据库和存储的文件：先核对清单，恢复后核对各表行数。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", metavar="ARCHIVE", help="备份文件（.tar.gz）")
        parser.add_argument("--force", action="store_true", help="当前数据库已有数据时也恢复（覆盖全部数据，需要确认）")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="与 --force 同用时不再询问确认（用于脚本）")

    def handle(self, *args, archive: str, force: bool, interactive: bool, **options) -> None:
        path = Path(archive)
        try:
            manifest = read_manifest(path)
            occupied = tables_with_data()
            if occupied and not force:
                raise CommandError(f"当前数据库已有数据（{'、'.join(occupied[:5])} 等 {len(occupied)} 个表），恢复会覆盖"
                                   "全部数据。请在空数据库中恢复，或加 --force 确认覆盖。")
            if occupied and interactive:
                try:
                    answer = input("恢复将覆盖当前数据库中的全部数据。确认请输入 yes：")
                except EOFError:  # no terminal: nobody confirmed
                    answer = ""
                if answer.strip() != "yes":
                    raise CommandError("已取消恢复，没有改动任何数据。")
            restore_archive(path, manifest)
        except BackupError as e:
            raise CommandError(str(e)) from None
        made = timezone.localtime(dt.datetime.fromisoformat(manifest["created_at"]))
        self.stdout.write(f"已从 {path.name} 恢复（{cn_date(made, 'minute')} 的备份），各表行数与清单一致。")
        if migrations_pending():
            self.stdout.write("备份来自较早的程序版本，正在升级数据库结构（migrate）……")
            call_command("migrate", interactive=False, verbosity=0)
