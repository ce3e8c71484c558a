from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from submissions.models import Submission
from units.models import Person


class YearResult(models.Model):
    """A finalized year-end result: every unit's scores, rank and tier, frozen (RULES.md decision 13)."""

    year = models.PositiveIntegerField("年度")
    version = models.PositiveIntegerField("版本")
    rule_set_name = models.CharField("考核规则", max_length=50)
    data = models.JSONField("考核结果")
    reason = models.CharField("重新确定原因", max_length=300, blank=True)
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finalized_at = models.DateTimeField("确定时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度考核结果"
        verbose_name_plural = "年度考核结果"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="year_result_version_once"),
            models.CheckConstraint(name="year_result_refinalize_has_reason", condition=Q(version=1) | ~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度考核结果 第{self.version}版"


class AwardKind(models.TextChoices):
    ORGANIZER = "organizer", "优秀组织者"
    OFFICER = "officer", "优秀信息员"
    RESEARCH = "research", "优秀调研信息"


class SpecialContribution(models.Model):
    """An information officer the office flags for a special contribution in a year (RULES.md Art. 11)."""

    year = models.PositiveIntegerField("年度")
    person = models.ForeignKey(Person, verbose_name="信息员", on_delete=models.PROTECT, related_name="special_contributions")
    note = models.CharField("特殊贡献说明", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "特殊贡献信息员"
        verbose_name_plural = "特殊贡献信息员"
        constraints = [models.UniqueConstraint(fields=["year", "person"], name="special_contribution_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.person.name}"


class AwardPick(models.Model):
    """One individual award the administrator picked for a year: a person, or a research item."""

    year = models.PositiveIntegerField("年度")
    kind = models.CharField("奖项", max_length=16, choices=AwardKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="award_picks")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="award_picks")
    picked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    picked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "个人及信息奖项"
        verbose_name_plural = "个人及信息奖项"
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "person"], name="award_pick_person_once"),
            models.UniqueConstraint(fields=["year", "kind", "submission"], name="award_pick_item_once"),
            models.CheckConstraint(
                name="award_pick_target_matches_kind",
                condition=(Q(kind="research", submission__isnull=False, person__isnull=True)
                           | (~Q(kind="research") & Q(person__isnull=False, submission__isnull=True))),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.person or self.submission}"
