"""What the apps' Django admin pages share."""

from __future__ import annotations


class ReadOnly:
    """An admin that only looks things up: these rows are written through the site, whose services keep
    history, snapshots and eligibility checks that an admin form would skip."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

