from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Look-up only: records cannot be changed or deleted through the system."""

    list_display = ["at", "username", "address", "kind", "object_repr", "unit_name", "summary"]
    list_filter = ["kind"]
    search_fields = ["username", "object_repr"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
