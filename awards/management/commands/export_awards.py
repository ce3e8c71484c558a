from django.core.management.base import BaseCommand, CommandError

from awards.exports import award_workbook
from awards.services import latest_result
from core import cli


class Command(BaseCommand):
    help = "导出已确定年度（最新版本）的评比名单工作簿。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=cli.year, required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args, year: int, output: str, **options) -> None:
        result = latest_result(year)
        if result is None:
            raise CommandError(f"{year}年度考核结果尚未确定，请先运行 finalize_year。")
        cli.write_output(self, award_workbook(result), output)
        self.stdout.write(f"已导出{year}年度评比名单（第{result.version}版）：{output}")
