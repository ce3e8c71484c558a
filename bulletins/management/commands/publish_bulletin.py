from django.core.management.base import BaseCommand, CommandError

from bulletins.publishing import BulletinRefused, parse_month, publish_bulletin
from core.dates import cn_date


class Command(BaseCommand):
    help = "发布某月政务信息采用情况通报（固定为新版本；已发布过的月份须填写更正原因）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--reason", default="", help="发布或更正原因（重新发布时必填）")

    def handle(self, *args, month: str, reason: str, **options) -> None:
        try:
            version = publish_bulletin(parse_month(month), user=None, reason=reason)
        except BulletinRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"已发布{cn_date(version.month, 'month')}通报第{version.version}版（{version.number}）。")
