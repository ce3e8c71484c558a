"""What the report commands share: the --year argument and writing a report to a file or standard output."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from core.assessment import YEARS


def year(text: str) -> int:
    """An argparse type for --year: a four-digit year, or a Chinese error."""
    if not text.isdigit() or int(text) not in YEARS:
        raise argparse.ArgumentTypeError(f"年度“{text}”无效，应为四位年份，例如 2024。")
    return int(text)


def write_output(command: BaseCommand, content: str | bytes, output: str | None) -> None:
    """Write to --output, or text to standard output (a workbook needs a file)."""
    if output:
        try:
            with open(output, "wb") as f:
                f.write(content.encode("utf-8") if isinstance(content, str) else content)
        except OSError as e:
            raise CommandError(f"无法写入文件“{output}”：{e.strerror}") from None
    elif isinstance(content, bytes):
        raise CommandError("xlsx 格式需要用 --output 指定输出文件。")
    else:
        command.stdout.write(content)
