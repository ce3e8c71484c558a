from django.contrib import admin

from audit.admin import Versioned
from scoring.models import AssessmentYear, BasicWorkEntry, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(Versioned, admin.ModelAdmin):
    # Numbers are edited through the rule-set pages, which validate them; here they are read only.
    list_display = ["name", "description", "based_on", "created_at"]
    readonly_fields = ["params", "based_on", "created_by", "created_at"]


@admin.register(AssessmentYear)
class AssessmentYearAdmin(admin.ModelAdmin):
    list_display = ["year", "rule_set"]
    list_select_related = ["rule_set"]


@admin.register(BasicWorkEntry)
class BasicWorkEntryAdmin(Versioned, admin.ModelAdmin):
    list_display = ["unit", "year", "status", "method", "total", "updated_at"]
    list_filter = ["year", "status", "method"]
    list_select_related = ["unit"]
    search_fields = ["unit__name"]
    raw_id_fields = ["unit", "entered_by"]
