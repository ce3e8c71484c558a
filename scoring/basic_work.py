"""Basic-work assessment (RULES.md Art. 7, decision 7): the office's confirmed entry counts; a unit may
enter its self-check, which the office confirms (copies into the confirmed entry) or corrects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from audit import services as audit
from audit.locking import StaleEdit
from audit.models import EventKind
from scoring.models import BASIC_ITEM_FIELDS, AssessmentMethod, BasicWorkEntry, BasicWorkStatus
from units.models import Unit


@dataclass
class BasicWorkRow:
    unit: Unit
    confirmed: BasicWorkEntry | None
    self_check: BasicWorkEntry | None

    @property
    def self_check_pending(self) -> bool:
        """A self-check waits for the office when it was entered or changed after the last confirmation."""
        if self.self_check is None:
            return False
        return self.confirmed is None or self.self_check.updated_at > self.confirmed.updated_at


def entries_for(units: list[Unit], year: int) -> list[BasicWorkRow]:
    """One row per unit with its entries of the year, in one query whatever the number of units."""
    by_unit: dict[tuple[int, str], BasicWorkEntry] = {
        (e.unit_id, e.status): e for e in BasicWorkEntry.objects.filter(year=year, unit__in=[u.pk for u in units])
    }
    return [
        BasicWorkRow(u, by_unit.get((u.pk, BasicWorkStatus.CONFIRMED)), by_unit.get((u.pk, BasicWorkStatus.SELF_CHECK)))
        for u in units
    ]


def pending_self_checks(units: QuerySet[Unit], year: int) -> QuerySet[Unit]:
    """The units whose self-check of the year waits for the office, in SQL (`BasicWorkRow.self_check_pending`): a
    self-check with no confirmation at or after its last change. Counts and filters a list over all its units."""
    confirmed_since = BasicWorkEntry.objects.filter(
        unit=OuterRef("unit"), year=year, status=BasicWorkStatus.CONFIRMED, updated_at__gte=OuterRef("updated_at"))
    waiting = BasicWorkEntry.objects.filter(unit=OuterRef("pk"), year=year, status=BasicWorkStatus.SELF_CHECK)
    return units.filter(Exists(waiting.filter(~Exists(confirmed_since))))


def not_assessed(units: QuerySet[Unit], year: int) -> QuerySet[Unit]:
    """The active units without a confirmed entry of the year (shown as 未考核; a deactivated unit needs none):
    the office's start page counts them, the list shows them."""
    confirmed = BasicWorkEntry.objects.filter(unit=OuterRef("pk"), year=year, status=BasicWorkStatus.CONFIRMED)
    return units.filter(is_active=True).exclude(Exists(confirmed))


def entry_row(unit: Unit, year: int) -> BasicWorkRow:
    return entries_for([unit], year)[0]


def initial_values(entry: BasicWorkEntry | None) -> dict[str, Any]:
    if entry is None:
        return {}
    return {**dict(zip(BASIC_ITEM_FIELDS, entry.items, strict=False)), "method": entry.method, "note": entry.note}


# The fields an entry's audit records show.
SHOWN_FIELDS = ("status", "method", *BASIC_ITEM_FIELDS, "note")


def version_of(entry: BasicWorkEntry | None) -> int:
    """The version an edit form carries: 0 while the entry is not there yet."""
    return entry.version if entry else 0


def _save(unit: Unit, year: int, status: str, data: dict[str, Any], user, version: int) -> BasicWorkEntry:
    entry = BasicWorkEntry.objects.select_for_update().filter(unit=unit, year=year, status=status).first()
    if entry is not None and entry.version != version:
        raise StaleEdit(entry)
    before = audit.snapshot(entry, SHOWN_FIELDS) if entry else {}
    entry = entry or BasicWorkEntry(unit=unit, year=year, status=status, version=0)
    # The items the form had (the year's rule set); the slots after them are emptied.
    for name in BASIC_ITEM_FIELDS:
        setattr(entry, name, Decimal(data[name]) if name in data else None)
    entry.method, entry.note, entry.entered_by = data["method"], data.get("note", "").strip(), user
    # Saved even when unchanged: a confirmation with the self-check's own values still confirms it (updated_at).
    entry.version += 1
    entry.save()
    kind = EventKind.UPDATE if before else EventKind.CREATE
    audit.record(kind, entry, user=user, changes=audit.diff(before, audit.snapshot(entry, SHOWN_FIELDS)))
    return entry


@transaction.atomic
def save_confirmed(unit: Unit, year: int, data: dict[str, Any], user, version: int) -> BasicWorkEntry:
    """The office enters, corrects or confirms (from a self-check) the entry that counts."""
    return _save(unit, year, BasicWorkStatus.CONFIRMED, data, user, version)


@transaction.atomic
def save_self_check(unit: Unit, year: int, data: dict[str, Any], user, version: int) -> BasicWorkEntry:
    """A unit's own assessment; it counts only once the office confirms it."""
    return _save(unit, year, BasicWorkStatus.SELF_CHECK, {**data, "method": AssessmentMethod.SELF_CHECK}, user, version)
