from __future__ import annotations

from django.conf import settings
from django.db import models


class BulletinVersion(models.Model):
    """A published monthly adoption bulletin: a frozen snapshot (RULES.md decision 13)."""

    month = models.DateField("月份", help_text="该月第一天")
    version = models.PositiveIntegerField("版本")
    number = models.CharField("文号", max_length=50)
    data = models.JSONField("通报内容")
    reason = models.CharField("发布或更正原因", max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "采用情况通报"
        verbose_name_plural = "采用情况通报"
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="bulletin_version_once"),
            models.CheckConstraint(name="bulletin_month_first_day", condition=models.Q(month__day=1)),
            models.CheckConstraint(
                name="bulletin_correction_has_reason",
                condition=models.Q(version=1) | ~models.Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%-m月}通报 第{self.version}版"
