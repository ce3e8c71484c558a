from django.contrib import admin

from audit.models import AuditEvent
from core.admin import ReadOnly


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly, admin.ModelAdmin):
    """Look-up only: records cannot be changed or deleted through the system."""

    list_display = ["at", "username", "address", "kind", "object_repr", "unit_name", "summary"]
    list_filter = ["kind"]
    search_fields = ["username", "object_repr"]
    date_hierarchy = "at"
