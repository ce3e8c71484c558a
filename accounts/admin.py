from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User
from audit.admin import Versioned


@admin.register(User)
class OfficeUserAdmin(Versioned, UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("角色", {"fields": ("role", "unit")}))
    list_display = ("username", "first_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
