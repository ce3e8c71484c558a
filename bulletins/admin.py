from django.contrib import admin

from bulletins.models import BulletinVersion


@admin.register(BulletinVersion)
class BulletinVersionAdmin(admin.ModelAdmin):
    """Read-only: a published version is a frozen snapshot; corrections are new versions published from the site."""

    list_display = ["month", "version", "number", "published_by", "published_at"]
    list_filter = ["month"]
    readonly_fields = ["month", "version", "number", "data", "reason", "published_by", "published_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
