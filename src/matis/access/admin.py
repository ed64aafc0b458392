from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from matis.access.models import Agency, AuditLog, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "country", "agency", "is_active"]
    list_filter = ["role", "country", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Scope", {"fields": ["role", "country", "agency", "preferred_language"]}),
        (
            "Status",
            {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]},
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "password1", "password2", "role", "country", "agency"]})
    ]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "org_type", "city", "is_active"]
    list_filter = ["org_type", "country"]
    search_fields = ["name"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "country", "object_type", "object_id"]
    list_filter = ["action", "country"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
