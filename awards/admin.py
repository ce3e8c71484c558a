from django.contrib import admin

from awards.models import AwardPick, SpecialContribution, YearResult
from core.admin import ReadOnly


@admin.register(YearResult)
class YearResultAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: a finalized result is a frozen snapshot (RULES.md decision 13); re-finalize to change it."""

    list_display = ("year", "version", "rule_set_name", "finalized_by", "finalized_at", "reason")
    list_filter = ("year",)


@admin.register(SpecialContribution)
class SpecialContributionAdmin(admin.ModelAdmin):
    list_display = ("year", "person", "note", "created_by", "created_at")
    list_filter = ("year",)
    list_select_related = ("person__unit", "created_by")
    raw_id_fields = ("person",)


@admin.register(AwardPick)
class AwardPickAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only here: picks go through the awards page, which checks eligibility."""

    list_display = ("year", "kind", "person", "submission", "picked_by", "picked_at")
    list_filter = ("year", "kind")
    list_select_related = ("person__unit", "submission", "picked_by")
