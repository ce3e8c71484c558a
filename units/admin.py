from django.contrib import admin

from audit.admin import Versioned
from units.models import Person, Unit


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ("role", "name", "post", "phone", "is_active")


@admin.register(Unit)
class UnitAdmin(Versioned, admin.ModelAdmin):
    list_display = ("name", "short_name", "sequence", "display_order", "is_central_provincial", "is_ranked", "is_active")
    list_filter = ("sequence", "is_active", "is_ranked", "is_central_provincial")
    search_fields = ("name", "short_name")
    inlines = [PersonInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A unit is never deleted once it has facts; the office deactivates it instead.
        return False


@admin.register(Person)
class PersonAdmin(Versioned, admin.ModelAdmin):
    list_display = ("name", "unit", "role", "post", "phone", "is_active")
    list_filter = ("role", "is_active", "unit__sequence")
    search_fields = ("name", "unit__name")
    list_select_related = ("unit",)
