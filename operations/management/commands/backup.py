from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from operations.backup import BackupError, create_backup, prune_archives


class Command(BaseCommand):
    help = "备份数据库和存储的文件（上传的台账、生成的文件）到一个带清单的归档，并按设置清理旧备份。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", metavar="DIR", help="备份目录（默认：BACKUP_DIR 设置）")

    def handle(self, *args, output: str | None, **options) -> None:
        directory = Path(output) if output else Path(settings.BACKUP_DIR)
        now = timezone.now()
        try:
            archive = create_backup(directory, now)
        except (BackupError, OSError) as e:
            raise CommandError(f"备份失败：{e}") from None
        self.stdout.write(f"已备份到 {archive}（{archive.stat().st_size:,} 字节）")
        for path in prune_archives(directory, now, settings.BACKUP_KEEP_DAYS, settings.BACKUP_KEEP_COUNT):
            self.stdout.write(f"已删除旧备份 {path.name}")
