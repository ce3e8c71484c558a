import json

from django.core.management.base import BaseCommand, CommandError

from scoring.engine import parse_year_month
from scoring.services import compute_scores, scores_json

FORMATS = ("json", "table", "xlsx")


def parse_year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise CommandError(f"年度“{text}”无效，应为四位年份，例如 2024。")
    return int(text)


def write_output(command: BaseCommand, content: str | bytes, output: str | None) -> None:
    """Write to --output, or to standard output (text only)."""
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


class Command(BaseCommand):
    help = "输出年度考核得分（1 月至 --through 月）：json、table 或 xlsx。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", required=True, help="考核年度，例如 2024")
        parser.add_argument("--through", help="截止月份 YYYY-MM（默认 12 月）")
        parser.add_argument("--format", default="json", help="json（默认）、table 或 xlsx")
        parser.add_argument("--output", help="输出文件（xlsx 必须指定）")

    def handle(self, *args, year: str, through: str | None, format: str, output: str | None, **options) -> None:
        year_number = parse_year(year)
        month = 12
        if through:
            try:
                through_year, month = parse_year_month(through)
            except ValueError as e:
                raise CommandError(str(e)) from None
            if through_year != year_number:
                raise CommandError(f"--through {through} 不在 {year_number} 年内。")
        if format not in FORMATS:
            raise CommandError(f"格式“{format}”无效，应为：{'、'.join(FORMATS)}。")
        report = compute_scores(year_number, month)
        if format == "json":
            content = json.dumps(scores_json(report), ensure_ascii=False, indent=2) + "\n"
        elif format == "table":
            content = score_table(report)
        else:
            from exports import render_xlsx
            from scoring.exports import ranking_reports

            content = render_xlsx(ranking_reports(report))
        write_output(self, content, output)


def score_table(report) -> str:
    header = ("序列", "单位", "基础", "定额", "紧急", "专约", "调研", "报送", "采用", "批示", "总分", "名次", "档次")
    tiers = {"model": "标兵", "advanced": "先进", None: ""}
    lines = ["\t".join(header)]
    for s in report.scores:
        values = (s.basic, s.quota, s.urgent, s.special, s.research, s.reporting_total, s.adoption, s.instruction, s.total)
        lines.append(
            "\t".join(
                [s.facts.sequence, s.facts.name, *("未考核" if v is None else f"{v:.2f}" for v in values)]
                + [str(s.rank or "") + ("*" if s.tie_flag else ""), tiers[s.tier]]
            )
        )
    return "\n".join(lines) + "\n"


