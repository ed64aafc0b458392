from django.contrib import admin

from matis.common.models import Country


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin page that only shows: the records are written by loaders or audited services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso3", "iso2", "name", "is_commit_member"]
    list_filter = ["is_commit_member"]
    search_fields = ["iso3", "iso2", "name"]
