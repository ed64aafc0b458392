from django.contrib import admin

from matis.common.models import Country, CountryAlias


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


@admin.register(CountryAlias)
class CountryAliasAdmin(admin.ModelAdmin):
    """Aliases are edited here; every save is audited with before/after values.

    Deleting is not offered: untick "active" instead, so the next load of the
    bundled file does not bring a wrong form back.
    """

    list_display = ["alias", "country", "language", "kind", "source", "is_active"]
    list_filter = ["kind", "is_active", "language"]
    search_fields = ["alias", "key", "country__iso3", "country__name"]
    autocomplete_fields = ["country"]
    fields = ["alias", "country", "language", "kind", "source", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from matis.common.aliases import country_alias_save

        country_alias_save(actor=request.user, alias=obj)
