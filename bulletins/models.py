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


class BulletinUnitRow(models.Model):
    """One unit's row of a published version, copied out of the frozen snapshot at publication: an officer's
    start page reads its unit's row of each month instead of every unit's (1,000 units: 1.5 MB a month)."""

    version = models.ForeignKey(BulletinVersion, on_delete=models.CASCADE, related_name="unit_rows")
    unit_id = models.BigIntegerField("单位")  # as frozen in the snapshot: no foreign key to the unit as it is now
    row = models.JSONField("通报中的本单位数据")

    class Meta:
        verbose_name = "通报单位数据"
        verbose_name_plural = "通报单位数据"
        constraints = [
            # Also the index of the start page's lookup: one unit's rows of the shown versions.
            models.UniqueConstraint(fields=["unit_id", "version"], name="bulletin_unit_row_once"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.row.get('unit', '')}"

    @classmethod
    def copy_from(cls, version: BulletinVersion) -> None:
        cls.objects.bulk_create(
            cls(version=version, unit_id=row["unit_id"], row=row) for row in version.data.get("units", []) if row.get("unit_id")
        )
