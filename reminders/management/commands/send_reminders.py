from __future__ import annotations

from django.core.management.base import BaseCommand

from reminders.services import send_reminders
from reminders.tasks import send_reminders_task


class Command(BaseCommand):
    help = "发送到期的提醒（约稿截止、报送定额、逾期未报、通报待发布）和待发送的邮件；每条提醒只发送一次，可每几分钟运行一次。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue", action="store_true", help="交给后台任务进程执行，而不是在本进程中执行")

    def handle(self, *args, queue: bool = False, **options) -> None:
        if queue:
            result = send_reminders_task.enqueue()
            self.stdout.write(f"已加入任务队列：{result.id}")
            return
        sent = send_reminders()
        self.stdout.write(f"提醒 {sent.reminders} 项，站内消息 {sent.notices} 条，邮件 {sent.mails} 封。")
