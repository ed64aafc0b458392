from django.contrib import admin

from matis.plans.models import Activity, Area, Goal, MouArticle


class ReadOnlyAdmin(admin.ModelAdmin):
    """The registry is loaded from its data file; the admin only shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_en", "priority", "area"]
    list_filter = ["priority", "area"]


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["number", "code", "title_en"]


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ["code", "area"]


@admin.register(MouArticle)
class MouArticleAdmin(ReadOnlyAdmin):
    list_display = ["number", "section"]
