from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sized

from django.conf import settings
from django.db import models
from django.db.models import Max, Min, Q
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from core.assessment import RequestOutcome, request_outcome
from units import versioning
from units.models import Unit


class InfoType(models.TextChoices):
    """The type a unit declares when it reports an item (INTERFACES.md 报送.信息类型)."""

    GENERAL = "general", "一般动态"
    URGENT = "urgent", "紧急重要"
    SMALL_RESEARCH = "small_research", "小型调研"
    LARGE_RESEARCH = "large_research", "大型调研"


RESEARCH_TYPES = (InfoType.SMALL_RESEARCH, InfoType.LARGE_RESEARCH)


class Level(models.TextChoices):
    """Whose general office adopted an item, or whose leader wrote an instruction."""

    CITY = "city", "市"
    PROVINCE = "province", "省"
    STATE = "state", "国务院"


class AdoptionType(models.TextChoices):
    GENERAL = "general", "一般动态"
    URGENT = "urgent", "紧急重要"
    SMALL_RESEARCH = "small_research", "小型调研"
    LARGE_RESEARCH = "large_research", "大型调研"
    RESEARCH = "research", "调研"


# RULES.md Art. 9: the types each level's carriers have.
ALLOWED_ADOPTION_TYPES: dict[str, tuple[str, ...]] = {
    Level.CITY: (AdoptionType.GENERAL, AdoptionType.URGENT, AdoptionType.SMALL_RESEARCH, AdoptionType.LARGE_RESEARCH),
    Level.PROVINCE: (AdoptionType.GENERAL, AdoptionType.RESEARCH),
    Level.STATE: (AdoptionType.GENERAL, AdoptionType.RESEARCH),
}


class InstructionKind(models.TextChoices):
    READ = "read", "阅研性"
    AFFIRM = "affirm", "肯定性"
    REFERENCE = "reference", "借鉴性"
    DECISION = "decision", "决策性"


class DeskState(models.TextChoices):
    """Where an item stands on the office's editorial desk (editorial app). Blank: never on the desk (items
    from before the desk and from ledger imports), so they do not flood the inbox."""

    OFF_DESK = "", "—"
    PENDING = "pending", "待处理"
    SELECTED = "selected", "拟采用"  # in a draft issue
    ADOPTED = "adopted", "已采用"  # in a published issue
    RESERVED = "reserved", "备用"
    REJECTED = "rejected", "未采用"
    RETURNED = "returned", "退回修改"
    WITHDRAWN = "withdrawn", "已撤回"


# An item its unit may still edit (and, while pending, withdraw).
UNIT_EDITABLE_STATES = (DeskState.PENDING, DeskState.RETURNED)


class FailureKind(models.TextChoices):
    LATE = "late", "迟报"
    OMISSION = "omission", "漏报"
    CONCEALMENT = "concealment", "瞒报"


class SpecialRequestQuerySet(models.QuerySet):
    def for_unit(self, unit: Unit) -> SpecialRequestQuerySet:
        return self.filter(targets=unit)

    def open(self, now: dt.datetime) -> SpecialRequestQuerySet:
        return self.filter(deadline__gte=now)


class SpecialRequest(models.Model):
    """A special request / special report the General Office commissions (专约/专报, RULES.md decision 5)."""

    code = models.CharField("专约编号", max_length=50, unique=True)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("约稿要求", blank=True)
    deadline = models.DateTimeField("截止时间")
    targets = models.ManyToManyField(Unit, verbose_name="对象单位", related_name="special_requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SpecialRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "专约"
        verbose_name_plural = "专约"
        ordering = ["-deadline"]
        indexes = [
            # Scoring picks the requests whose deadline falls in the period.
            models.Index(fields=["deadline"], name="request_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class SubmissionQuerySet(models.QuerySet):
    def counted(self) -> SubmissionQuerySet:
        """Items that count for reporting: all but those marked invalid (RULES.md decision 2)."""
        return self.filter(is_invalid=False)

    def submitted_between(self, start: dt.datetime, end: dt.datetime) -> SubmissionQuerySet:
        return self.filter(submitted_at__gte=start, submitted_at__lt=end)

    def years(self, *also: int) -> list[int]:
        """The years worth choosing on any page, newest first: from the first item's year to the last one's (two
        index reads, not a scan of every item, once per state of the data), with `also` (the current year, the
        year shown)."""
        def span() -> range:
            ends = self.model.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
            if ends["first"] is None:
                return range(0)
            return range(timezone.localtime(ends["first"]).year, timezone.localtime(ends["last"]).year + 1)

        return sorted(set(also) | set(versioning.cached("item-years", span)), reverse=True)

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        StaleTally.mark(item.unit_id for item in objs)
        return objs

    def of_unit(self, unit: Unit | int) -> SubmissionQuerySet:
        """The unit's own items and the joint items it is on: ids from two index-backed queries in a UNION
        (an OR of the two makes PostgreSQL walk every item, 240 ms on 300,000)."""
        own = Submission.objects.filter(unit=unit).values("pk").order_by()
        joint = JointUnit.objects.filter(unit=unit).values("submission_id").order_by()
        return self.filter(pk__in=own.union(joint))


class Submission(models.Model):
    """An information item a unit reports (报送)."""

    ledger_no = models.CharField("信息编号", max_length=50, unique=True)
    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="submissions")
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    info_type = models.CharField("信息类型", max_length=16, choices=InfoType.choices)
    submitted_at = models.DateTimeField("报送时间")
    special_request = models.ForeignKey(
        SpecialRequest, verbose_name="所答专约", null=True, blank=True, on_delete=models.PROTECT, related_name="answers",
    )
    # 1 + the number of confirmed joint units: adoption and instruction points are split by it (RULES.md
    # decision 10); kept by `sync_unit_counts`.
    unit_count = models.PositiveSmallIntegerField(default=1, editable=False)
    is_invalid = models.BooleanField("无效", default=False)
    invalid_reason = models.CharField("无效原因", max_length=200, blank=True)
    desk_state = models.CharField("采编状态", max_length=16, choices=DeskState.choices, blank=True, default="")
    # The editors' word to the unit with the latest decision (why it was returned or not adopted).
    desk_note = models.CharField("采编意见", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The audit record of the ledger import that created it, one for all the rows it created together.
    import_record = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "政务信息"
        verbose_name_plural = "政务信息"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(name="submission_type_valid", condition=Q(info_type__in=InfoType.values)),
            models.CheckConstraint(name="submission_unit_count_positive", condition=Q(unit_count__gte=1)),
            models.CheckConstraint(
                name="submission_invalid_has_reason",
                condition=Q(is_invalid=False) | ~Q(invalid_reason=""),
            ),
            models.CheckConstraint(name="submission_desk_state_valid", condition=Q(desk_state__in=DeskState.values)),
        ]
        indexes = [
            # The editorial inbox: items on the desk in a state, oldest first.
            models.Index(fields=["desk_state", "submitted_at"], condition=~Q(desk_state=""), name="submission_desk_idx"),
            # An officer's start page: the unit's latest items on the desk (a few of its hundreds of items).
            models.Index(fields=["unit", "submitted_at"], condition=~Q(desk_state=""), name="submission_unit_desk_idx"),
            # Scoring and the bulletin aggregate a unit's items by submission time.
            models.Index(fields=["unit", "submitted_at"], name="submission_unit_time_idx"),
            # The items list, newest first.
            models.Index(fields=["-submitted_at", "-id"], name="submission_newest_idx"),
            # Scoring finds each special request's earliest answer per unit.
            models.Index(
                fields=["special_request", "unit", "submitted_at"],
                condition=Q(special_request__isnull=False),
                name="submission_answer_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_no} {self.title}"

    @property
    def answer_outcome(self) -> RequestOutcome | None:
        """On time or late, for an item answering a special request (decision 5)."""
        return request_outcome(self.submitted_at, self.special_request.deadline) if self.special_request_id else None


class JointUnitQuerySet(models.QuerySet):
    def confirmed(self) -> JointUnitQuerySet:
        """The joint units that count (RULES.md decision 10): confirmed by that unit's officer or the office,
        or entered by the office or a ledger. Everything that counts for a joint unit reads them from here."""
        return self.filter(confirmed=True)

    def pending(self) -> JointUnitQuerySet:
        """Named by an officer and not yet confirmed (待确认): the item is still the reporting unit's alone."""
        return self.filter(confirmed=False)

    def counted(self) -> JointUnitQuerySet:
        """Confirmed joint units of items that count for reporting (decisions 2 and 10)."""
        return self.confirmed().filter(submission__is_invalid=False)

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        items = Submission.objects.only("unit_id").in_bulk({joint.submission_id for joint in objs})
        StaleTally.mark([*(joint.unit_id for joint in objs), *(item.unit_id for item in items.values())])
        return objs


class JointUnit(models.Model):
    """Another unit that reported an item together with its own unit (联合报送单位).

    It counts for that unit only once confirmed (RULES.md decision 10): one an officer names waits (待确认)
    for that unit's officer or the office; the office's and the ledger's are confirmed when entered.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="joint_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="joint_submissions")
    confirmed = models.BooleanField("已确认", default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = JointUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "联合报送单位"
        verbose_name_plural = "联合报送单位"
        constraints = [
            models.UniqueConstraint(fields=["submission", "unit"], name="joint_unit_once"),
            models.CheckConstraint(
                name="joint_unit_pending_has_no_confirmer",
                condition=Q(confirmed=True) | Q(confirmed_by__isnull=True, confirmed_at__isnull=True),
            ),
        ]
        indexes = [
            # Scoring aggregates joint items by the joint unit.
            models.Index(fields=["unit", "submission"], name="joint_unit_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} + {self.unit_id}"


def allowed_type_condition(type_field: str = "adoption_type") -> Q:
    """Rows whose `level` offers their adoption type in `type_field` (RULES.md Art. 9, decision 8)."""
    condition = Q()
    for level, types in ALLOWED_ADOPTION_TYPES.items():
        condition |= Q(level=level, **{f"{type_field}__in": types})
    return condition


class ItemFactQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        unloaded = {fact.submission_id for fact in objs if not fact.item_loaded}
        items = Submission.objects.only("unit_id", "unit_count").in_bulk(unloaded)
        for fact in objs:
            fact.take_owner(fact.submission if fact.item_loaded else items[fact.submission_id])
        objs = super().bulk_create(objs, *args, **kwargs)
        StaleTally.mark(fact.unit_id for fact in objs)
        return objs


class ItemFact(models.Model):
    """What happened to an item later: an adoption or an instruction.

    It carries a copy of its item's unit and unit count, so that scoring groups the facts by unit without
    joining the items table. The copies are taken on every save and bulk create, and kept right by
    `sync_fact_owners` whenever an item's unit or joint units change.
    """

    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+", editable=False)
    unit_count = models.PositiveSmallIntegerField(editable=False)
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.take_owner(self.submission)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "unit", "unit_count"}
        super().save(*args, **kwargs)

    @property
    def item_loaded(self) -> bool:
        return type(self).submission.is_cached(self)

    def take_owner(self, item: Submission) -> None:
        self.unit_id, self.unit_count = item.unit_id, item.unit_count


class AdoptionQuerySet(ItemFactQuerySet):
    def dated_between(self, start: dt.date, end: dt.date) -> AdoptionQuerySet:
        return self.filter(adopted_on__gte=start, adopted_on__lte=end)

    def by_item(self, items: list[int]) -> defaultdict[int, list[Adoption]]:
        """The adoptions of these items, by item, with what lists show of them (levels, carriers and issues)."""
        found: defaultdict[int, list[Adoption]] = defaultdict(list)
        for adoption in self.filter(submission__in=items).only("submission", "level", "carrier", "issue_no"):
            found[adoption.submission_id].append(adoption)
        return found


class Adoption(ItemFact):
    """An item published in a carrier of the city, provincial or State Council general office (采用)."""

    submission = models.ForeignKey(Submission, verbose_name="信息", on_delete=models.CASCADE, related_name="adoptions")
    level = models.CharField("采用层级", max_length=16, choices=Level.choices)
    adoption_type = models.CharField("采用类型", max_length=16, choices=AdoptionType.choices)
    adopted_on = models.DateField("采用日期")
    carrier = models.CharField("刊物", max_length=100, blank=True)
    issue_no = models.CharField("期号", max_length=50, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    import_record = models.BigIntegerField(null=True, blank=True, editable=False)  # as Submission.import_record

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        verbose_name = "采用"
        verbose_name_plural = "采用"
        ordering = ["adopted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "level"], name="adoption_once_per_level"),
            models.CheckConstraint(name="adoption_type_allowed_at_level", condition=allowed_type_condition()),
        ]
        indexes = [
            # Scoring and the bulletin select adoptions by date.
            models.Index(fields=["adopted_on"], name="adoption_date_idx"),
            # Scoring reads the adoptions of joint items, which the month tallies leave out, from this small index.
            models.Index(
                fields=["adopted_on", "submission", "unit", "unit_count", "level", "adoption_type"],
                condition=Q(unit_count__gt=1),
                name="adoption_joint_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}采用 {self.get_adoption_type_display()}（{self.adopted_on}）"


class InstructionQuerySet(ItemFactQuerySet):
    def dated_between(self, start: dt.date, end: dt.date) -> InstructionQuerySet:
        return self.filter(instructed_on__gte=start, instructed_on__lte=end)


class LeaderInstruction(ItemFact):
    """A leader's written comment on an item (批示)."""

    submission = models.ForeignKey(Submission, verbose_name="信息", on_delete=models.CASCADE, related_name="instructions")
    level = models.CharField("领导层级", max_length=16, choices=Level.choices)
    kind = models.CharField("批示类型", max_length=16, choices=InstructionKind.choices)
    instructed_on = models.DateField("批示日期")
    leader = models.CharField("批示领导", max_length=50, blank=True)
    content = models.TextField("批示内容", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstructionQuerySet.as_manager()

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["instructed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "level", "kind", "instructed_on", "leader"], name="instruction_once",
            ),
            models.CheckConstraint(name="instruction_level_valid", condition=Q(level__in=Level.values)),
            models.CheckConstraint(name="instruction_kind_valid", condition=Q(kind__in=InstructionKind.values)),
        ]
        indexes = [
            # Scoring and the bulletin select instructions by date.
            models.Index(fields=["instructed_on"], name="instruction_date_idx"),
            # Scoring reads the instructions of joint items, which the month tallies leave out, from this small index.
            models.Index(
                fields=["instructed_on", "submission", "unit", "unit_count", "level", "kind"],
                condition=Q(unit_count__gt=1),
                name="instruction_joint_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}领导{self.get_kind_display()}批示（{self.instructed_on}）"


def unit_count(joint_units: Sized) -> int:
    """The units an item counts for (RULES.md decision 10): its own and each confirmed joint unit. A write that
    sets an item's confirmed joint units sets its unit count with this; `sync_unit_counts` is the same from
    the rows."""
    return 1 + len(joint_units)


def sync_fact_owners(items: models.QuerySet[Submission] | None = None) -> int:
    """Copy each item's unit and unit count onto its adoptions and instructions where they differ; the
    number of facts changed.

    Called after any write that changes an item's unit or joint units; `items` narrows it to some items.
    """
    item = Submission.objects.filter(pk=models.OuterRef("submission_id"))
    changed = 0
    for model in (Adoption, LeaderInstruction):
        stale = model.objects.exclude(unit_id=models.F("submission__unit_id"), unit_count=models.F("submission__unit_count"))
        if items is not None:
            stale = stale.filter(submission__in=items)
        changed += stale.update(
            unit_id=models.Subquery(item.values("unit_id")), unit_count=models.Subquery(item.values("unit_count"))
        )
    return changed


def sync_unit_counts(items: models.QuerySet[Submission] | None = None) -> int:
    """Set each item's unit count to 1 + its confirmed joint units where it differs; the number of items
    changed. `sync_fact_owners` then copies it onto the items' facts.

    The one place that decides how many units share an item's adoption and instruction points (RULES.md
    decision 10); called after any write that adds, confirms or removes joint units. `items` narrows it.
    """
    confirmed = (
        JointUnit.objects.confirmed().filter(submission=models.OuterRef("pk"))
        .order_by().values("submission").annotate(n=models.Count("pk")).values("n")
    )
    count = 1 + Coalesce(models.Subquery(confirmed), 0)
    scope = Submission.objects.all() if items is None else items
    return scope.alias(wanted=count).exclude(unit_count=models.F("wanted")).update(unit_count=count)


def earliest_answer(request, unit, before: dt.datetime | None = None) -> Least:
    """RULES.md decision 5: a unit's earliest valid answer to a request (None: not answered), submitted
    before `before` if given. An answer is a valid item naming the request that is the unit's own or a joint
    item it is a confirmed unit of (decision 10). `request` and `unit` are ids or OuterRefs of the query the
    answer is annotated on."""
    own = Submission.objects.counted().filter(special_request=request, unit=unit)
    joint = JointUnit.objects.counted().filter(submission__special_request=request, unit=unit)
    if before is not None:
        own, joint = own.filter(submitted_at__lt=before), joint.filter(submission__submitted_at__lt=before)
    first_own = models.Subquery(own.order_by("submitted_at").values("submitted_at")[:1])
    first_joint = models.Subquery(joint.order_by("submission__submitted_at").values("submission__submitted_at")[:1])
    # SQLite's two-argument MIN is NULL when either side is: each side falls back on the other.
    return Least(Coalesce(first_own, first_joint), Coalesce(first_joint, first_own))


# The adoptions and instructions a month tally counts, one column per level and type: (source, level, kind).
TALLY_POINT_COLUMNS = {
    **{f"adoption_{lv}_{t}": ("adoptions", lv, t) for lv, types in ALLOWED_ADOPTION_TYPES.items() for t in types},
    **{f"instruction_{lv}_{k}": ("instructions", lv, k) for lv in Level.values for k in InstructionKind.values},
}


class MonthTally(models.Model):
    """What a unit reported and earned in one month, summed in advance for scoring (`submissions.tallies`).

    Items count for their own unit and for each confirmed joint unit. Adoptions and instructions are counted
    here only when their item has no confirmed joint unit; a joint item's points are split (decision 10) and
    read from the facts. Never edited by hand.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    counted = models.PositiveIntegerField(db_default=0)
    research = models.PositiveIntegerField(db_default=0)

    class Meta:
        verbose_name = "月度汇总"
        verbose_name_plural = "月度汇总"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "month"], name="tally_once_per_month")]
        indexes = [models.Index(fields=["year", "month"], name="tally_month_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}-{self.month:02d}"


for _column in TALLY_POINT_COLUMNS:
    MonthTally.add_to_class(_column, models.PositiveIntegerField(db_default=0))


class StaleTally(models.Model):
    """A unit whose month tallies are rebuilt before they are next read; no unit: every unit."""

    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "待重算汇总"
        verbose_name_plural = "待重算汇总"

    def __str__(self) -> str:
        return f"{self.unit_id or '全部单位'}"

    @classmethod
    def mark(cls, unit_ids: Iterable[int | None]) -> None:
        """Mark units stale (None: every unit); every write to items and their facts does."""
        cls.objects.bulk_create([cls(unit_id=unit_id) for unit_id in set(unit_ids)])


class UrgentFailure(models.Model):
    """A failure in reporting urgent important information (RULES.md decision 4)."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="urgent_failures")
    occurred_on = models.DateField("日期")
    kind = models.CharField("问题类型", max_length=16, choices=FailureKind.choices)
    description = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "紧急信息问题"
        verbose_name_plural = "紧急信息问题"
        ordering = ["-occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "occurred_on", "kind"], name="failure_once_per_day_kind"),
            models.CheckConstraint(name="failure_kind_valid", condition=Q(kind__in=FailureKind.values)),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.occurred_on} {self.get_kind_display()}"


class FormToken(models.Model):
    """A create form's one-time token: a double-submitted form creates one row (issue: integrity).

    The unique token is claimed in the same transaction as the row it creates, so a second POST of the
    same form (a double click, a browser retry) finds it taken and is sent to the row the first one made.
    """

    token = models.UUIDField(unique=True)
    model = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "表单令牌"
        verbose_name_plural = "表单令牌"

    def __str__(self) -> str:
        return f"{self.model} {self.token}"
