import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.ledger import LedgerInvalid, Progress, import_ledger
from scoring.models import ImportStage

OUTCOMES = (("created", "新增"), ("updated", "更新"), ("unchanged", "未变"))


class TerminalProgress(Progress):
    """One line a stage on a terminal, rewritten in place: rows per sheet and the rate so far."""

    def __init__(self, out) -> None:
        self.out = out
        self.stage_name = ""
        self.done: dict[str, int] = {}
        self.started = self.shown = time.monotonic()

    def stage(self, stage: ImportStage, totals: dict[str, int | None]) -> None:
        self.end()
        self.stage_name, self.done, self.started = stage.label, {}, time.monotonic()
        self.show()

    def end(self) -> None:
        """The stage's last numbers, and a new line."""
        if self.stage_name:
            self.show()
            self.out.write("")

    def rows(self, sheet: str, done: int) -> None:
        self.done[sheet] = done
        if time.monotonic() - self.shown >= 0.5:
            self.show()

    def show(self) -> None:
        self.shown = time.monotonic()
        rate = sum(self.done.values()) / max(self.shown - self.started, 0.001)
        sheets = " ".join(f"{sheet} {n:,}" for sheet, n in self.done.items())
        self.out.write(f"\r\033[K{self.stage_name}：{sheets or '—'}（{rate:,.0f} 行/秒）", ending="")
        self.out.flush()


class Command(BaseCommand):
    help = "导入台账工作簿（.xlsx）：全部有效才写入，否则逐条列出问题并以状态 1 退出。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="台账工作簿路径（.xlsx）")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在。")
        progress = TerminalProgress(self.stderr) if self.stderr.isatty() else None
        try:
            result = import_ledger(path, progress=progress)
        except LedgerInvalid as invalid:
            if progress:
                progress.end()
            for error in invalid.errors:
                self.stderr.write(f"{error.sheet}\t第{error.row or '-'}行\t{error.column or '-'}\t{error.message}")
            if invalid.total > len(invalid.errors):
                self.stderr.write(f"……另有 {invalid.total - len(invalid.errors)} 个问题未列出。")
            raise CommandError(str(invalid)) from None
        if progress:
            progress.end()
        for sheet, counts in result.summary.items():
            self.stdout.write(f"{sheet}：" + "，".join(f"{label} {counts[key]}" for key, label in OUTCOMES))
        self.stdout.write(self.style.SUCCESS("台账导入完成。"))
