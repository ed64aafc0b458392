from django.contrib import admin

from matis.common.models import Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso3", "iso2", "name", "is_commit_member"]
    list_filter = ["is_commit_member"]
    search_fields = ["iso3", "iso2", "name"]
