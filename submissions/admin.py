"""Django's admin site for looking things up, read-only: the facts are written through the app's pages,
whose services keep the history and `unit_count` right (an admin inline would silently skip both)."""

from django.contrib import admin

from core.admin import ReadOnly
from submissions.models import Adoption, JointUnit, LeaderInstruction, SpecialRequest, Submission, UrgentFailure


class JointUnitInline(ReadOnly, admin.TabularInline):
    model = JointUnit
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ledger_no", "unit", "title", "info_type", "submitted_at", "unit_count", "is_invalid"]
    list_filter = ["info_type", "is_invalid", "unit__sequence"]
    search_fields = ["ledger_no", "title"]
    raw_id_fields = ["unit", "special_request", "created_by"]
    readonly_fields = ["unit_count", "version"]
    inlines = [JointUnitInline]
    date_hierarchy = "submitted_at"


@admin.register(Adoption)
class AdoptionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["submission", "level", "adoption_type", "adopted_on", "carrier", "issue_no"]
    list_filter = ["level", "adoption_type"]
    raw_id_fields = ["submission", "created_by"]


@admin.register(LeaderInstruction)
class LeaderInstructionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["submission", "level", "kind", "instructed_on", "leader"]
    list_filter = ["level", "kind"]
    raw_id_fields = ["submission", "created_by"]


@admin.register(SpecialRequest)
class SpecialRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "title", "deadline"]
    search_fields = ["code", "title"]
    filter_horizontal = ["targets"]


@admin.register(UrgentFailure)
class UrgentFailureAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["unit", "occurred_on", "kind"]
    list_filter = ["kind"]

