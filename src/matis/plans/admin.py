from django.contrib import admin

from matis.common.admin import ReadOnlyAdmin
from matis.plans.models import Activity, Area, Goal, MouArticle


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
