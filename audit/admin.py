from django.contrib import admin

from audit.models import AuditEvent, EventKind
from audit.services import diff, display_value, record
from core.admin import ReadOnly


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly, admin.ModelAdmin):
    """Look-up only: records cannot be changed or deleted through the system."""

    list_display = ["at", "username", "address", "kind", "object_repr", "unit_name", "summary"]
    list_filter = ["kind"]
    search_fields = ["username", "object_repr"]
    date_hierarchy = "at"


def _next_version(obj) -> int:
    """The row's version plus one, read under its lock (the admin saves inside a transaction)."""
    return type(obj)._base_manager.select_for_update().values_list("version", flat=True).get(pk=obj.pk) + 1


class Versioned:
    """An admin of rows with optimistic locking (audit.locking): a change saved here, on the row or on an inline
    row, moves its version on, so a form opened on the site before it is refused instead of silently overwriting
    the change. The row's own change is recorded from the admin's log (audit.signals); an inline row's here."""

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.version = _next_version(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        for row in formset.initial_forms:
            if row.has_changed() and row not in formset.deleted_forms and hasattr(row.instance, "version"):
                row.instance.version = _next_version(row.instance)
                fields = [row.instance._meta.get_field(name) for name in row.changed_data]
                record(EventKind.UPDATE, row.instance, user=request.user, summary=f"管理后台：{row.instance} 修改",
                       changes=diff({str(f.verbose_name): display_value(f, row.initial.get(f.name)) for f in fields},
                                    {str(f.verbose_name): display_value(f, row.cleaned_data[f.name]) for f in fields}))
        super().save_formset(request, form, formset, change)
