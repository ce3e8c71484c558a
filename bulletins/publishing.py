"""Publishing the monthly bulletin as a frozen version (RULES.md decision 13).

The numbers come from `bulletins.services.build_bulletin` (the live bulletin); this module checks the month,
freezes the result into a `BulletinVersion`, and compares two versions for the page that shows a correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from audit.models import EventKind
from bulletins.models import BulletinUnitRow, BulletinVersion
from bulletins.notice import DirectoryEntry, bulletin_number, directory_entry, unit_figures
from bulletins.services import build_bulletin
from core.assessment import parse_year_month
from core.dates import cn_date
from notifications import services as notices
from notifications.models import NoticeKind


class BulletinRefused(Exception):
    """A month or a publication the office cannot have; the message is Chinese, for the page or command."""


def parse_month(text: str, today: dt.date | None = None) -> dt.date:
    """`YYYY-MM` → the first day of that month; refuse malformed months and months still to come."""
    try:
        year, month = parse_year_month(text)
    except ValueError as error:
        raise BulletinRefused(str(error)) from None
    first = dt.date(year, month, 1)
    today = today or timezone.localdate()
    # The current month may be previewed and published (the office decides when its numbers are complete,
    # and the preview warns); a month that has not begun has no facts yet.
    if first > today.replace(day=1):
        raise BulletinRefused(f"{cn_date(first, 'month')}尚未到来，不能预览或发布该月通报。")
    return first


def check_publishable(month: dt.date, latest: BulletinVersion | None, reason: str) -> dict:
    """The live bulletin that publishing would freeze; refused when a new version has no reason or would
    repeat the latest one (nothing changed since, so there is nothing to correct)."""
    if latest is not None and not reason.strip():
        raise BulletinRefused(f"{cn_date(month, 'month')}通报已发布第{latest.version}版，重新发布须填写更正原因。")
    data = build_bulletin(month.year, month.month)
    if latest is not None and not compare_versions(latest.data, data):
        raise BulletinRefused(f"{cn_date(month, 'month')}通报的数据与已发布的第{latest.version}版相同，无需重新发布。")
    return data


@transaction.atomic
def publish_bulletin(month: dt.date, user=None, reason: str = "") -> BulletinVersion:
    """Freeze the live bulletin of `month` as its next version; a version after the first needs a reason."""
    reason = reason.strip()
    latest = BulletinVersion.objects.latest_of_month(month)
    data = check_publishable(month, latest, reason)
    try:
        # A savepoint, so a concurrent publication of the same version is refused without breaking the caller's
        # transaction.
        with transaction.atomic():
            version = BulletinVersion.objects.create(
                month=month,
                version=latest.version + 1 if latest else 1,
                number=bulletin_number(month),
                data=data,
                reason=reason,
                published_by=user,
            )
            summary = f"发布{cn_date(month, 'month')}通报第{version.version}版（{version.number}）"
            audit.record(EventKind.PUBLISH, version, user=user, summary=summary + (f"：{reason}" if reason else ""))
            BulletinUnitRow.copy_from(version)
            notices.notify_units(None, NoticeKind.BULLETIN,
                                 f"{cn_date(month, 'month')}采用通报已发布（第{version.version}版，{version.number}）。",
                                 reverse("bulletins:version", args=[version.pk]))
            return version
    except IntegrityError:
        raise BulletinRefused(f"{cn_date(month, 'month')}通报刚被其他人发布，请刷新页面查看后再决定是否重新发布。") from None


# --- What changed between two versions ------------------------------------------------------------------

@dataclass(frozen=True)
class UnitChange:
    unit: str
    status: str  # "changed", "added" (not in the previous version) or "removed"
    figures: tuple[tuple[str, object, object], ...] = ()  # (column, old, new)


@dataclass(frozen=True)
class VersionChanges:
    units: list[UnitChange]
    items_added: list[DirectoryEntry]
    items_removed: list[DirectoryEntry]

    def __bool__(self) -> bool:
        return bool(self.units or self.items_added or self.items_removed)


def _unit_key(unit: dict) -> object:
    return unit.get("unit_id") or unit["unit"]


def _item_key(item: dict) -> tuple:
    # A joint item is listed under each of its units: the unit is part of the key.
    return (item.get("unit_id") or item["unit"], item.get("submission_id") or item.get("ledger_no"), item.get("level"))


def compare_versions(previous: dict, current: dict) -> VersionChanges:
    """Per unit, which numbers differ between two snapshots (old → new); and adopted items added or removed."""
    old_units = {_unit_key(u): u for u in previous.get("units", [])}
    changes: list[UnitChange] = []
    for unit in current.get("units", []):
        old = old_units.pop(_unit_key(unit), None)
        if old is None:
            changes.append(UnitChange(unit["unit"], "added"))
            continue
        differ = tuple(
            (name, before, after)
            for (name, before), (_, after) in zip(unit_figures(old), unit_figures(unit), strict=True)
            if before != after
        )
        if differ:
            changes.append(UnitChange(unit["unit"], "changed", differ))
    changes += [UnitChange(u["unit"], "removed") for u in old_units.values()]
    old_items = {_item_key(i): i for i in previous.get("adopted_items", [])}
    new_items = {_item_key(i): i for i in current.get("adopted_items", [])}
    return VersionChanges(
        units=changes,
        items_added=[directory_entry(i) for k, i in new_items.items() if k not in old_items],
        items_removed=[directory_entry(i) for k, i in old_items.items() if k not in new_items],
    )
