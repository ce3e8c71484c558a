from django.contrib import admin

from bulletins.models import BulletinVersion
from core.admin import ReadOnly


@admin.register(BulletinVersion)
class BulletinVersionAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: a published version is a frozen snapshot; corrections are new versions published from the site."""

    list_display = ["month", "version", "number", "published_by", "published_at"]
    list_filter = ["month"]
    readonly_fields = ["month", "version", "number", "data", "reason", "published_by", "published_at"]
