from django.core.management.base import BaseCommand, CommandError

from awards.services import AwardsRefused, finalize_year
from core import cli


class Command(BaseCommand):
    help = "确定年度考核结果（冻结各单位得分、名次和等次）；再次确定生成新版本，须填写原因。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=cli.year, required=True)
        parser.add_argument("--reason", default="")

    def handle(self, *args, year: int, reason: str, **options) -> None:
        try:
            result = finalize_year(year, reason=reason)
        except AwardsRefused as refused:
            lines = [refused.message, *refused.units]
            raise CommandError("\n".join(lines)) from None
        tiered = sum(1 for unit in result.data["units"] if unit["tier"])
        self.stdout.write(f"已确定{year}年度考核结果第{result.version}版（规则“{result.rule_set_name}”，获奖单位{tiered}个）。")
