import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bulletins.services import build_bulletin, bulletin_json
from scoring.engine import parse_year_month
from scoring.management.commands.scores import write_output

FORMATS = ("json", "xlsx")


def parse_past_month(text: str) -> tuple[int, int]:
    """A month that has begun: YYYY-MM, not in the future (Asia/Shanghai)."""
    try:
        year, month = parse_year_month(text)
    except ValueError as e:
        raise CommandError(str(e)) from None
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise CommandError(f"{year}年{month}月尚未到来，不能生成通报。")
    return year, month


class Command(BaseCommand):
    help = "输出某月政务信息采用情况通报（按当前数据）：json 或 xlsx。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--format", default="json", help="json（默认）或 xlsx")
        parser.add_argument("--output", help="输出文件（xlsx 必须指定）")

    def handle(self, *args, month: str, format: str, output: str | None, **options) -> None:
        year, month_number = parse_past_month(month)
        if format not in FORMATS:
            raise CommandError(f"格式“{format}”无效，应为：{'、'.join(FORMATS)}。")
        bulletin = build_bulletin(year, month_number)
        if format == "json":
            content = json.dumps(bulletin_json(bulletin), ensure_ascii=False, indent=2) + "\n"
        else:
            from bulletins.exports import bulletin_reports
            from exports import render_xlsx

            content = render_xlsx(bulletin_reports(bulletin))
        write_output(self, content, output)
