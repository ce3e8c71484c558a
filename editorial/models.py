"""The office's editorial desk (采编): carriers, their issues, the items published in them, and the decisions.

Publishing an issue records one `submissions.Adoption` per item (editorial.services): the facts scoring reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from submissions.models import ALLOWED_ADOPTION_TYPES, Adoption, AdoptionType, Level, Submission, allowed_type_condition


class Frequency(models.TextChoices):
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    IRREGULAR = "irregular", "不定期"


class CarrierQuerySet(models.QuerySet):
    def active(self) -> CarrierQuerySet:
        return self.filter(is_active=True)


class Carrier(models.Model):
    """A publication of a general office (刊物) in which adopted items appear."""

    name = models.CharField("刊物名称", max_length=100, unique=True, help_text="不含书名号，如：哈尔滨政务信息。")
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    # Blank: the carrier carries several types, chosen per item when it is published.
    adoption_type = models.CharField("采用类型", max_length=16, choices=AdoptionType.choices, blank=True,
                                     help_text="刊发即计入的采用类型；留空表示逐条选择。")
    frequency = models.CharField("刊期", max_length=16, choices=Frequency.choices, default=Frequency.IRREGULAR)
    is_active = models.BooleanField("在用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking (audit/locking.py)

    objects = CarrierQuerySet.as_manager()

    class Meta:
        verbose_name = "刊物"
        verbose_name_plural = "刊物"
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(name="carrier_level_valid", condition=Q(level__in=Level.values)),
            models.CheckConstraint(
                name="carrier_type_allowed_at_level", condition=Q(adoption_type="") | allowed_type_condition()
            ),
        ]

    def __str__(self) -> str:
        return f"《{self.name}》"

    def type_choices(self) -> list[tuple[str, str]]:
        """The adoption types an item published in this carrier may earn."""
        types = (self.adoption_type,) if self.adoption_type else ALLOWED_ADOPTION_TYPES[self.level]
        return [(t, AdoptionType(t).label) for t in types]


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已刊发"
    WITHDRAWN = "withdrawn", "已撤回"


class Issue(models.Model):
    """One issue of a carrier: composed as a draft, then published with its number and date (第N期, 总第N期)."""

    carrier = models.ForeignKey(Carrier, verbose_name="刊物", on_delete=models.PROTECT, related_name="issues")
    status = models.CharField("状态", max_length=16, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    # Numbered when published: 第N期 restarts each year, 总第N期 runs on. A withdrawn issue keeps its number.
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    number = models.PositiveIntegerField("期号", null=True, blank=True)
    total_number = models.PositiveIntegerField("总期号", null=True, blank=True)
    issued_on = models.DateField("刊发日期", null=True, blank=True)
    editor_note = models.TextField("编者按", blank=True)
    responsible_editor = models.CharField("责任编辑", max_length=50, blank=True)
    signed_by = models.CharField("签发", max_length=50, blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "期刊"
        verbose_name_plural = "期刊"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(name="issue_status_valid", condition=Q(status__in=IssueStatus.values)),
            models.CheckConstraint(
                name="issue_numbered_unless_draft",
                condition=Q(status=IssueStatus.DRAFT)
                | Q(year__isnull=False, number__isnull=False, total_number__isnull=False, issued_on__isnull=False),
            ),
            models.UniqueConstraint(fields=["carrier", "year", "number"], condition=Q(number__isnull=False),
                                    name="issue_number_once_per_year"),
            models.UniqueConstraint(fields=["carrier", "total_number"], condition=Q(total_number__isnull=False),
                                    name="issue_total_number_once"),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.carrier}（草稿）"
        return f"{self.carrier}{self.number_label}"

    @property
    def number_label(self) -> str:
        return f"{self.year}年第{self.number}期"

    @property
    def is_draft(self) -> bool:
        return self.status == IssueStatus.DRAFT


class IssueItem(models.Model):
    """An item in an issue, with its text as edited for publication (the unit's original stays untouched)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="entries")
    submission = models.ForeignKey(Submission, verbose_name="信息", on_delete=models.PROTECT, related_name="issue_entries")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    title = models.CharField("刊发标题", max_length=300)
    body = models.TextField("刊发正文", blank=True)
    adoption_type = models.CharField("采用类型", max_length=16, choices=AdoptionType.choices)
    # The adoption its publication recorded; none while a draft, or when the item already had one at the level.
    adoption = models.OneToOneField(Adoption, null=True, blank=True, on_delete=models.SET_NULL, related_name="issue_entry")
    forwarded_on = models.DateField("报送省政府日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "刊发信息"
        verbose_name_plural = "刊发信息"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "submission"], name="issue_item_once"),
        ]
        indexes = [
            # The forwarded list: published items sent up to the province, newest first.
            models.Index(fields=["forwarded_on"], condition=Q(forwarded_on__isnull=False), name="issue_item_forwarded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} {self.title}"


class DecisionAction(models.TextChoices):
    SELECT = "selected", "采用"
    RESERVE = "reserved", "备用"
    REJECT = "rejected", "不采用"
    RETURN = "returned", "退回修改"


class Decision(models.Model):
    """An editor's decision on an item; every round is kept (a returned item comes back and is decided again)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="desk_decisions")
    action = models.CharField("处理", max_length=16, choices=DecisionAction.choices)
    comment = models.CharField("意见", max_length=500, blank=True)
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "采编处理"
        verbose_name_plural = "采编处理"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(name="decision_action_valid", condition=Q(action__in=DecisionAction.values)),
            models.CheckConstraint(name="decision_return_has_comment",
                                   condition=~Q(action=DecisionAction.RETURN) | ~Q(comment="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.submission_id}"
