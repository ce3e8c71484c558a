from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.ledger import LedgerInvalid, import_ledger

OUTCOMES = (("created", "新增"), ("updated", "更新"), ("unchanged", "未变"))


class Command(BaseCommand):
    help = "导入台账工作簿（.xlsx）：全部有效才写入，否则逐条列出问题并以状态 1 退出。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="台账工作簿路径（.xlsx）")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在。")
        try:
            result = import_ledger(path)
        except LedgerInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(f"{error.sheet}\t第{error.row or '-'}行\t{error.column or '-'}\t{error.message}")
            if invalid.total > len(invalid.errors):
                self.stderr.write(f"……另有 {invalid.total - len(invalid.errors)} 个问题未列出。")
            raise CommandError(str(invalid)) from None
        for sheet, counts in result.summary.items():
            self.stdout.write(f"{sheet}：" + "，".join(f"{label} {counts[key]}" for key, label in OUTCOMES))
        self.stdout.write(self.style.SUCCESS("台账导入完成。"))
