import json

from django.core.management.base import BaseCommand, CommandError

from core import cli
from core.assessment import parse_year_month
from scoring.services import compute_scores, scores_json

FORMATS = ("json", "table", "xlsx")


class Command(BaseCommand):
    help = "输出年度考核得分（1 月至 --through 月）：json、table 或 xlsx。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=cli.year, required=True, help="考核年度，例如 2024")
        parser.add_argument("--through", help="截止月份 YYYY-MM（默认 12 月）")
        parser.add_argument("--format", default="json", help="json（默认）、table 或 xlsx")
        parser.add_argument("--output", help="输出文件（xlsx 必须指定）")

    def handle(self, *args, year: int, through: str | None, format: str, output: str | None, **options) -> None:
        month = 12
        if through:
            try:
                through_year, month = parse_year_month(through)
            except ValueError as e:
                raise CommandError(str(e)) from None
            if through_year != year:
                raise CommandError(f"--through {through} 不在 {year} 年内。")
        if format not in FORMATS:
            raise CommandError(f"格式“{format}”无效，应为：{'、'.join(FORMATS)}。")
        report = compute_scores(year, month)
        if format == "json":
            content = json.dumps(scores_json(report), ensure_ascii=False, indent=2) + "\n"
        elif format == "table":
            content = score_table(report)
        else:
            from exports import render_xlsx
            from scoring.exports import ranking_reports

            content = render_xlsx(ranking_reports(report))
        cli.write_output(self, content, output)


def score_table(report) -> str:
    header = ("序列", "单位", "基础", "定额", "紧急", "专约", "调研", "报送", "采用", "批示", "总分", "名次", "档次")
    lines = ["\t".join(header)]
    for s in report.scores:
        values = (s.basic, s.quota, s.urgent, s.special, s.research, s.reporting_total, s.adoption, s.instruction, s.total)
        lines.append(
            "\t".join(
                [s.facts.sequence, s.facts.name, *("未考核" if v is None else f"{v:.2f}" for v in values)]
                + [str(s.rank or "") + ("*" if s.tie_flag else ""), s.tier.label if s.tier else ""]
            )
        )
    return "\n".join(lines) + "\n"


