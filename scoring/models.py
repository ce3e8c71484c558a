from __future__ import annotations

import functools
import itertools
import operator
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
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

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


# Storage of a basic-work entry: the rule set of the year says how many items it has (at most
# BASIC_ITEM_SLOTS) and each item's maximum (at most BASIC_ITEM_MAX); an entry fills the first items.
BASIC_ITEM_SLOTS = 12
BASIC_ITEM_MAX = Decimal(20)
HALF_STEPS = [Decimal(i) / 2 for i in range(int(BASIC_ITEM_MAX * 2) + 1)]
BASIC_ITEM_FIELDS = tuple(f"item{i}" for i in range(1, BASIC_ITEM_SLOTS + 1))
ZERO_NEEDS_REASON = "各项均为0分时，请在备注中说明原因。"


def _item_field(number: int) -> models.DecimalField:
    return models.DecimalField(f"第{number}项", max_digits=3, decimal_places=1, null=True, blank=True)


def _empty(field: str) -> Q:
    return Q(**{f"{field}__isnull": True})


def _basic_work_constraints() -> list[models.CheckConstraint]:
    fields = BASIC_ITEM_FIELDS
    in_order = functools.reduce(operator.and_, [_empty(after) | ~_empty(before) for before, after in itertools.pairwise(fields)])
    some_points = functools.reduce(operator.or_, [~_empty(f) & Q(**{f"{f}__gt": 0}) for f in fields])  # NULL > 0 must fail
    return [
        # Decision 7: points in steps of 0.5, from 0 up to the rule set's maximum (checked against the rule
        # set by the form and the ledger; a row alone can only be held to the storage bound).
        *[models.CheckConstraint(name=f"basic_work_{f}_range", condition=_empty(f) | Q(**{f"{f}__in": HALF_STEPS}))
          for f in fields],
        # The first item is there, and no item follows an empty one.
        models.CheckConstraint(name="basic_work_items_in_order", condition=~_empty(fields[0]) & in_order),
        # Decision 7: an entry of all zeros is recorded "with a reason".
        models.CheckConstraint(name="basic_work_zero_has_reason", condition=~Q(note="") | some_points),
        models.CheckConstraint(name="basic_work_status_valid", condition=Q(status__in=BasicWorkStatus.values)),
        models.CheckConstraint(name="basic_work_method_valid", condition=Q(method__in=AssessmentMethod.values)),
    ]


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
    item9 = _item_field(9)
    item10 = _item_field(10)
    item11 = _item_field(11)
    item12 = _item_field(12)
    note = models.TextField("备注", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BasicWorkEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "基础工作考核"
        verbose_name_plural = "基础工作考核"
        ordering = ["-year", "unit"]
        constraints = [
            # One confirmed entry (and one pending self-check) per unit and year.
            models.UniqueConstraint(fields=["unit", "year", "status"], name="basic_work_once_per_status"),
            *_basic_work_constraints(),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年基础工作（{self.get_status_display()}）"

    @property
    def items(self) -> list[Decimal]:
        """The points of the items the entry has, in order."""
        return [value for field in BASIC_ITEM_FIELDS if (value := getattr(self, field)) is not None]

    @property
    def total(self) -> Decimal:
        return sum(self.items, Decimal("0"))


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "未导入"
    CANCELLED = "cancelled", "已取消"


class ImportStage(models.TextChoices):
    CHECKING = "checking", "检查"
    WRITING = "writing", "写入"
    REBUILDING = "rebuilding", "重建统计"


class ImportJobQuerySet(models.QuerySet):
    def unfinished(self) -> ImportJobQuerySet:
        return self.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])


class ImportJob(models.Model):
    """One upload of a ledger workbook, imported by a background worker (issue 13); the file is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    file = models.FileField("台账文件", upload_to="ledgers/%Y/%m/")
    file_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    address = models.GenericIPAddressField("上传地址", null=True, blank=True)  # the audit records of the import carry it
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    stage = models.CharField("阶段", max_length=16, choices=ImportStage.choices, blank=True)
    # Per sheet: rows the workbook declares (an estimate; None when it does not say) and rows done this stage.
    rows_total = models.JSONField("各表行数", default=dict)
    rows_done = models.JSONField("各表已处理行数", default=dict)
    stage_started_at = models.DateTimeField("本阶段开始", null=True)
    started_at = models.DateTimeField("开始时间", null=True)
    finished_at = models.DateTimeField("结束时间", null=True)
    # Written by the worker on every progress report: a running job whose row stops moving is dead.
    updated_at = models.DateTimeField("最近进展", auto_now=True)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    summary = models.JSONField("结果", default=dict)
    problems = models.JSONField("问题", default=list)
    problem_total = models.PositiveIntegerField("问题数", default=0)
    reason = models.CharField("失败原因", max_length=300, blank=True)
    task_id = models.CharField("后台任务", max_length=64, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="import_job_status_valid", condition=Q(status__in=ImportStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)
