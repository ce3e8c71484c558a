from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from core.dates import cn_date


class BulletinVersionQuerySet(models.QuerySet):
    def headers(self) -> BulletinVersionQuerySet:
        """Lists and version histories never read the snapshot itself (100+ units and their items)."""
        return self.defer("data")

    def of_month(self, month: dt.date) -> BulletinVersionQuerySet:
        return self.filter(month=month)

    def latest_of_month(self, month: dt.date) -> BulletinVersion | None:
        return self.of_month(month).order_by("-version").first()

    def latest_per_month(self) -> list[BulletinVersion]:
        """The version shown for each published month, newest month first."""
        latest: dict[dt.date, BulletinVersion] = {}
        for version in self.order_by("-month", "-version"):
            latest.setdefault(version.month, version)
        return list(latest.values())


class BulletinVersion(models.Model):
    """A published monthly adoption bulletin: a frozen snapshot (RULES.md decision 13)."""

    month = models.DateField("月份", help_text="该月第一天")
    version = models.PositiveIntegerField("版本")
    number = models.CharField("文号", max_length=50)
    data = models.JSONField("通报内容")
    reason = models.CharField("发布或更正原因", max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = BulletinVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "采用情况通报"
        verbose_name_plural = "采用情况通报"
        ordering = ["-month", "-version"]
        constraints = [
            # Also the index behind every lookup of a month's versions.
            models.UniqueConstraint(fields=["month", "version"], name="bulletin_version_once"),
            models.CheckConstraint(name="bulletin_month_first_day", condition=models.Q(month__day=1)),
            models.CheckConstraint(
                name="bulletin_correction_has_reason",
                condition=models.Q(version=1) | ~models.Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{cn_date(self.month, 'month')}通报 第{self.version}版"

    @property
    def month_param(self) -> str:
        """The month as it appears in URLs and commands: 2024-03."""
        return f"{self.month:%Y-%m}"
