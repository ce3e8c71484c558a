from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.assessment import YEARS
from units.models import Unit


class RuleSet(models.Model):
    """Every number of RULES.md, kept as data so a year can change them without a code change."""

    name = models.CharField("规则版本", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    based_on = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField("参数")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "考核规则"
        verbose_name_plural = "考核规则"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def rules(self):
        from scoring.rules import Rules

        return Rules.from_params(self.params, name=self.name)


class AssessmentYear(models.Model):
    """Which rule set scores a year; a year without a row uses the 2008 rule set."""

    year = models.PositiveIntegerField(
        "年度", unique=True, validators=[MinValueValidator(YEARS.start), MaxValueValidator(YEARS[-1])]
    )
    rule_set = models.ForeignKey(RuleSet, verbose_name="考核规则", on_delete=models.PROTECT, related_name="years")

    class Meta:
        verbose_name = "考核年度"
        verbose_name_plural = "考核年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度（{self.rule_set}）"


class AssessmentMethod(models.TextChoices):
    SELF_CHECK = "self_check", "自查"
    SPOT_CHECK = "spot_check", "抽查"
    CROSS_CHECK = "cross_check", "互查"


class BasicWorkStatus(models.TextChoices):
    SELF_CHECK = "self_check", "单位自查（待确认）"
    CONFIRMED = "confirmed", "办公厅确认"


HALF_STEPS = [Decimal(i) / 2 for i in range(11)]
BASIC_ITEM_FIELDS = tuple(f"item{i}" for i in range(1, 9))


def _item_field(number: int) -> models.DecimalField:
    return models.DecimalField(
        f"第{number}项", max_digits=3, decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
    )


class BasicWorkEntryQuerySet(models.QuerySet):
    def confirmed(self) -> BasicWorkEntryQuerySet:
        return self.filter(status=BasicWorkStatus.CONFIRMED)


class BasicWorkEntry(models.Model):
    """A unit's basic-work assessment for a year, item by item (RULES.md Art. 7, decision 7)."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="basic_work")
    year = models.PositiveIntegerField("年度")
    status = models.CharField("状态", max_length=16, choices=BasicWorkStatus.choices)
    method = models.CharField("方式", max_length=16, choices=AssessmentMethod.choices, default=AssessmentMethod.SPOT_CHECK)
    item1 = _item_field(1)
    item2 = _item_field(2)
    item3 = _item_field(3)
    item4 = _item_field(4)
    item5 = _item_field(5)
    item6 = _item_field(6)
    item7 = _item_field(7)
    item8 = _item_field(8)
    note = models.TextField("备注", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = BasicWorkEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "基础工作考核"
        verbose_name_plural = "基础工作考核"
        ordering = ["-year", "unit"]
        constraints = [
            # One confirmed entry (and one pending self-check) per unit and year.
            models.UniqueConstraint(fields=["unit", "year", "status"], name="basic_work_once_per_status"),
            *[
                models.CheckConstraint(
                    name=f"basic_work_{field}_range",
                    # 0 to 5 in steps of 0.5.
                    condition=Q(**{f"{field}__in": HALF_STEPS}),
                )
                for field in BASIC_ITEM_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年基础工作（{self.get_status_display()}）"

    @property
    def items(self) -> list[Decimal]:
        return [getattr(self, field) for field in BASIC_ITEM_FIELDS]

    @property
    def total(self) -> Decimal:
        return sum(self.items, Decimal("0"))
