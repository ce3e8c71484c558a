from __future__ import annotations

from functools import lru_cache

from django.db import models
from pypinyin import lazy_pinyin


class Sequence(models.TextChoices):
    """The peer groups units are ranked in (RULES.md Art. 10); the order is the office's."""

    DISTRICT = "district", "区政府"
    COUNTY = "county", "县(市)政府"
    BUREAU = "bureau", "委办局"
    OFFICE_ABROAD = "office_abroad", "驻外办事处"


SEQUENCE_ORDER: dict[str, int] = {value: i for i, value in enumerate(Sequence.values)}

# A list of units pages this many at a time (the page of a thousand units took 60-100 ms to render).
UNITS_PER_PAGE = 100


@lru_cache(maxsize=8192)
def pinyin_key(name: str) -> tuple[str, ...]:
    """Pinyin of a unit name: the fallback order where the office set no display order (HARBIN.md)."""
    return tuple(lazy_pinyin(name))


def office_sort_key(sequence: str, display_order: int | None, name: str) -> tuple:
    """Units as the office lists them: sequence, then display order, then pinyin of the name."""
    return (SEQUENCE_ORDER[sequence], display_order if display_order is not None else 10**9, pinyin_key(name))


class UnitQuerySet(models.QuerySet):
    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)

    def ranked(self) -> UnitQuerySet:
        return self.filter(is_active=True, is_ranked=True)

    def in_office_order(self) -> list[Unit]:
        """Units as the office lists them: sequence, then display order, then pinyin of the name."""
        return sorted(self, key=Unit.office_sort_key)

    def pks_in_office_order(self) -> list[int]:
        """The units' ids in office order, from their sort keys read as plain values: a list of a thousand units
        pages through these and reads only its page's rows."""
        keys = self.order_by().values_list("pk", "sequence", "display_order", "name")
        return [row[0] for row in sorted(keys, key=lambda row: office_sort_key(*row[1:]))]


class Unit(models.Model):
    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    sequence = models.CharField("序列", max_length=16, choices=Sequence.choices)
    is_central_provincial = models.BooleanField(
        "中直、省属在哈单位", default=False,
        help_text="参与全市目标考核的中直、省属在哈单位，按委办局序列排名和报送定额。",
    )
    is_ranked = models.BooleanField("参加评比", default=True, help_text="不参加评比的单位参照考核，不排名。")
    display_order = models.PositiveIntegerField("显示顺序", null=True, blank=True)
    assessed_from = models.DateField(
        "起始考核月份", null=True, blank=True,
        help_text="年中加入的单位从该月起计算报送定额；为空表示全年考核。",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sequence", "display_order", "name"]
        constraints = [
            models.CheckConstraint(name="unit_sequence_valid", condition=models.Q(sequence__in=Sequence.values)),
            models.CheckConstraint(
                # RULES.md Art. 10, glossary: central and provincial units are ranked with the bureaus.
                name="unit_central_provincial_is_bureau",
                condition=models.Q(is_central_provincial=False) | models.Q(sequence=Sequence.BUREAU),
                violation_error_message="中直、省属在哈单位应归入委办局序列。",
            ),
            models.CheckConstraint(
                name="unit_assessed_from_first_of_month",
                condition=models.Q(assessed_from__isnull=True) | models.Q(assessed_from__day=1),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def office_sort_key(self) -> tuple:
        return office_sort_key(self.sequence, self.display_order, self.name)

    @property
    def label(self) -> str:
        return self.short_name or self.name


class PersonRole(models.TextChoices):
    LEADER_IN_CHARGE = "leader_in_charge", "分管领导"
    SUPERVISING_LEADER = "supervising_leader", "主管领导"
    INFORMATION_OFFICER = "information_officer", "信息员"


class Person(models.Model):
    """One link of a unit's three-level responsibility chain (RULES.md Art. 7.1)."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="people")
    role = models.CharField("职责", max_length=24, choices=PersonRole.choices)
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    is_active = models.BooleanField("在岗", default=True)
    # Optimistic locking of its edit form (audit.locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["unit", "role", "name"]
        constraints = [
            models.CheckConstraint(name="person_role_valid", condition=models.Q(role__in=PersonRole.values)),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.name}，{self.get_role_display()}）"

    @property
    def name_with_unit(self) -> str:
        """姓名（单位）: how a person of any unit is typed and suggested (the award page's 信息员)."""
        return f"{self.name}（{self.unit.name}）"


class DataVersion(models.Model):
    """One row whose token changes with every write that can change any score, and whose number advances
    with every write (units.versioning)."""

    token = models.CharField("数据版本", max_length=32)
    seq = models.BigIntegerField("变更序号", default=1)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return self.token


class UnitChange(models.Model):
    """The units whose facts a version's number changed, for caches that update those units only
    (units.versioning); the latest few thousand numbers are kept."""

    seq = models.BigIntegerField("变更序号", db_index=True)  # read as a range: the numbers after a cached one
    unit_id = models.BigIntegerField("单位")  # no foreign key: a unit's deletion draws a new token anyway

    class Meta:
        verbose_name = "单位变更"
        verbose_name_plural = "单位变更"

    def __str__(self) -> str:
        return f"{self.seq}: {self.unit_id}"
