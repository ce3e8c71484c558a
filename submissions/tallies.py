"""Month tallies: what each unit reported and earned per month, summed in advance, so that scoring reads
about one row per unit and month instead of every item (see scripts/benchmark and the README).

Writes never compute tallies: they mark the units they touch as stale. The signals below mark on every
save and delete of an item, a joint unit, an adoption or an instruction; the querysets' `bulk_create`
marks too; bulk updates (the ledger import) mark every unit. `refresh_tallies` rebuilds the stale units'
tallies from the facts, in a fixed number of statements, before anyone reads them.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.signals import post_delete, post_save, pre_save

from core.assessment import TIME_ZONE
from submissions.models import (
    RESEARCH_TYPES,
    TALLY_POINT_COLUMNS,
    Adoption,
    JointUnit,
    LeaderInstruction,
    MonthTally,
    StaleTally,
    Submission,
)


def item_units(pk: int) -> set[int]:
    """The item's own unit and joint units, as stored."""
    rows = Submission.objects.filter(pk=pk).values_list("unit_id", "joint_units__unit_id")
    return {unit_id for row in rows for unit_id in row if unit_id is not None}


def _item_saving(sender, instance: Submission, **kwargs) -> None:
    # The units the item had: a correction may move it to another unit.
    instance._units_before = set() if instance._state.adding else item_units(instance.pk)


def _item_saved(sender, instance: Submission, **kwargs) -> None:
    StaleTally.mark(instance.__dict__.pop("_units_before", set()) | {instance.unit_id})


def _item_deleted(sender, instance: Submission, **kwargs) -> None:
    StaleTally.mark([instance.unit_id])  # its joint rows are deleted (and marked) with it


def _joint_changed(sender, instance: JointUnit, **kwargs) -> None:
    # Added, confirmed or removed: the item's own unit too, its facts' points are split differently now.
    own = Submission.objects.filter(pk=instance.submission_id).values_list("unit_id", flat=True)
    StaleTally.mark([instance.unit_id, *own])


def _fact_changed(sender, instance: Adoption | LeaderInstruction, **kwargs) -> None:
    StaleTally.mark([instance.unit_id])


def connect_signals() -> None:
    pre_save.connect(_item_saving, sender=Submission, dispatch_uid="tally_item_saving")
    post_save.connect(_item_saved, sender=Submission, dispatch_uid="tally_item_saved")
    post_delete.connect(_item_deleted, sender=Submission, dispatch_uid="tally_item_deleted")
    for signal in (post_save, post_delete):
        signal.connect(_joint_changed, sender=JointUnit, dispatch_uid=f"tally_joint_{signal is post_save}")
        for model in (Adoption, LeaderInstruction):
            signal.connect(_fact_changed, sender=model, dispatch_uid=f"tally_{model.__name__}_{signal is post_save}")


def _month(field: str, local: bool = False) -> dict:
    """The year and month of a date, or of a time in Asia/Shanghai (RULES.md decision 1)."""
    tz = TIME_ZONE if local else None
    return {"year": ExtractYear(field, tzinfo=tz), "month": ExtractMonth(field, tzinfo=tz)}


def _point_counts(source: str, kind_field: str) -> dict:
    return {
        column: Count("id", filter=Q(level=level, **{kind_field: kind}))
        for column, (col_source, level, kind) in TALLY_POINT_COLUMNS.items()
        if col_source == source
    }


def _tally_queries(units: set[int] | None) -> list:
    """One grouped query per kind of fact, each giving (unit_id, year, month, *its columns)."""
    own_items = (
        Submission.objects.counted()
        .values("unit_id", **_month("submitted_at", local=True))
        .annotate(counted=Count("id"), research=Count("id", filter=Q(info_type__in=RESEARCH_TYPES)))
    )
    joint_items = (
        JointUnit.objects.counted()
        .values("unit_id", **_month("submission__submitted_at", local=True))
        .annotate(counted=Count("id"), research=Count("id", filter=Q(submission__info_type__in=RESEARCH_TYPES)))
    )
    # Only facts of items without confirmed joint units: a joint item's points are split, and read from the facts.
    adoptions = Adoption.objects.filter(unit_count=1).values("unit_id", **_month("adopted_on"))
    instructions = LeaderInstruction.objects.filter(unit_count=1).values("unit_id", **_month("instructed_on"))
    queries = [
        own_items,
        joint_items,
        adoptions.annotate(**_point_counts("adoptions", "adoption_type")),
        instructions.annotate(**_point_counts("instructions", "kind")),
    ]
    return [q.order_by() if units is None else q.filter(unit_id__in=units).order_by() for q in queries]


def refresh_tallies() -> None:
    """Rebuild the tallies of the units marked stale, in a fixed number of statements."""
    if not StaleTally.objects.exists():
        return
    with transaction.atomic():
        # Locked: a concurrent refresh waits here, then finds the marks gone.
        marks = list(StaleTally.objects.select_for_update().values_list("pk", "unit_id"))
        if not marks:
            return
        units = {unit_id for _, unit_id in marks}
        units = None if None in units else units
        StaleTally.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
        tallies = MonthTally.objects.all() if units is None else MonthTally.objects.filter(unit_id__in=units)
        tallies.delete()
        with connection.cursor() as cursor:
            cursor.execute(*_insert_tallies(units))


def rebuild_all_tallies() -> None:
    """Rebuild every unit's tallies: after bulk updates, which send no signals, or changes made outside."""
    StaleTally.mark([None])
    refresh_tallies()


def _insert_tallies(units: set[int] | None) -> tuple[str, list]:
    """One INSERT of a row per unit, year and month from the grouped queries of every kind of fact.

    Hand-written SQL because the ORM cannot insert from a select; every part is built by the ORM.
    """
    columns = ["counted", "research", *TALLY_POINT_COLUMNS]
    parts, params = [], []
    for query in _tally_queries(units):
        sql, part_params = query.query.sql_with_params()
        own = query.query.annotation_select
        values = ", ".join(f"t.{c} AS {c}" if c in own else f"0 AS {c}" for c in columns)
        parts.append(f"SELECT t.unit_id AS unit_id, t.year AS year, t.month AS month, {values} FROM ({sql}) t")
        params += part_params
    sums = ", ".join(f"SUM(u.{c})" for c in columns)
    return (
        f"INSERT INTO {MonthTally._meta.db_table} (unit_id, year, month, {', '.join(columns)}) "
        f"SELECT u.unit_id, u.year, u.month, {sums} FROM ({' UNION ALL '.join(parts)}) u "
        f"GROUP BY u.unit_id, u.year, u.month",
        params,
    )
