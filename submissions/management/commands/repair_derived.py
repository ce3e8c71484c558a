from django.core.management.base import BaseCommand

from submissions.services import repair_derived


class Command(BaseCommand):
    help = (
        "重建全部派生数据：信息的单位数、采用和批示上的所属单位副本、全部月度汇总、账号的未读消息数"
        "（数据库被本系统以外的方式修改后使用；平时每次写入后自动保持一致）。"
    )

    def handle(self, *args, **options) -> None:
        done = repair_derived()
        self.stdout.write(self.style.SUCCESS(
            f"已修复信息单位数 {done.unit_counts} 条、采用和批示的所属单位 {done.fact_owners} 条；"
            f"月度汇总已重算：{done.tallies} 行；已修复未读消息数 {done.unread_counts} 个账号。"
        ))
