from django.contrib import admin

from audit.admin import Versioned
from editorial.models import Carrier, Decision, Issue, IssueItem


@admin.register(Carrier)
class CarrierAdmin(Versioned, admin.ModelAdmin):
    list_display = ["name", "level", "adoption_type", "frequency", "is_active"]


class IssueItemInline(admin.TabularInline):
    model = IssueItem
    raw_id_fields = ["submission", "adoption"]
    extra = 0


@admin.register(Issue)
class IssueAdmin(Versioned, admin.ModelAdmin):
    list_display = ["carrier", "year", "number", "total_number", "issued_on", "status"]
    list_filter = ["carrier", "status"]
    inlines = [IssueItemInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["submission", "action", "user", "at"]
    raw_id_fields = ["submission", "issue"]
