import json

from django.core.management.base import BaseCommand, CommandError

from bulletins.publishing import BulletinRefused, parse_month
from bulletins.services import build_bulletin, bulletin_json
from core import cli

FORMATS = ("json", "xlsx")


class Command(BaseCommand):
    help = "输出某月政务信息采用情况通报（按当前数据）：json 或 xlsx。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--format", default="json", help="json（默认）或 xlsx")
        parser.add_argument("--output", help="输出文件（xlsx 必须指定）")

    def handle(self, *args, month: str, format: str, output: str | None, **options) -> None:
        try:
            first = parse_month(month)
        except BulletinRefused as refusal:
            raise CommandError(str(refusal)) from None
        if format not in FORMATS:
            raise CommandError(f"格式“{format}”无效，应为：{'、'.join(FORMATS)}。")
        bulletin = build_bulletin(first.year, first.month)
        if format == "json":
            content = json.dumps(bulletin_json(bulletin), ensure_ascii=False, indent=2) + "\n"
        else:
            from bulletins.exports import bulletin_reports
            from exports import render_xlsx

            content = render_xlsx(bulletin_reports(bulletin))
        cli.write_output(self, content, output)
