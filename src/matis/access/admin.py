"""Admin site for users and agencies: every save goes through ``matis.access.services``.

So an administrator's edit of a role, a country scope or an agency is checked
like any other and lands in the MATIS audit log with its before/after values.
Users and agencies are not deleted (their audit trail refers to them):
they are deactivated by unticking "active". The audit log itself is read-only.
"""

from __future__ import annotations

import contextvars

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group

from matis.access import services
from matis.access.models import Agency, AuditLog, User

# The administrator behind the password form: Django builds that form without the request.
_admin_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "matis_admin_actor", default=None
)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """Django's password form, saving through :func:`services.user_set_password`."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        return services.user_set_password(
            actor=_admin_actor.get(),
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
        )


def _model_changes(form, allowed: frozenset[str]) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "country", "agency", "is_active"]
    list_filter = ["role", "country", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = AuditedPasswordChangeForm
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

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.user_update(
                actor=request.user, user=obj, **_model_changes(form, services.USER_FIELDS)
            )
            return
        data = form.cleaned_data
        usable = data.get("set_usable_password", True)
        created = services.user_create(
            actor=request.user,
            email=obj.email,
            password=(data.get("password1") or None) if usable else None,
            role=obj.role,
            country_id=obj.country_id,
            agency=obj.agency,
        )
        # the admin goes on with its own instance (change message, redirect): make it the row
        obj.pk, obj.password, obj._state = created.pk, created.password, created._state

    def user_change_password(self, request, id, form_url=""):
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "org_type", "city", "is_active"]
    list_filter = ["org_type", "country"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.agency_update(
                actor=request.user, agency=obj, **_model_changes(form, services.AGENCY_FIELDS)
            )
            return
        created = services.agency_create(
            actor=request.user,
            name=obj.name,
            country_id=obj.country_id,
            org_type=obj.org_type,
            city=obj.city,
        )
        if not obj.is_active:
            services.agency_update(actor=request.user, agency=created, is_active=False)
        obj.pk, obj._state = created.pk, created._state


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


# MATIS rights come from the role (matis.access.models.Role), not from Django groups;
# an editable group would grant admin rights outside the services and the audit log.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


# Deleting a django-axes attempt lifts a login lockout: that goes through the audited service.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
        def delete_model(self, request, obj):
            services.login_lockout_clear(
                actor=request.user, attempts=AccessAttempt.objects.filter(pk=obj.pk)
            )

        def delete_queryset(self, request, queryset):
            services.login_lockout_clear(actor=request.user, attempts=queryset)
