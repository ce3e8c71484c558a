from __future__ import annotations

from django.db import models

from core.dates import cn_date


class WorkerHeartbeat(models.Model):
    """The last time a task worker on a host reported that it is alive (read by /healthz)."""

    worker = models.CharField("任务进程", max_length=200, unique=True)
    seen_at = models.DateTimeField("最近报告时间")

    class Meta:
        verbose_name = "任务进程心跳"
        verbose_name_plural = "任务进程心跳"

    def __str__(self) -> str:
        return f"{self.worker} @ {cn_date(self.seen_at, 'second')}"
