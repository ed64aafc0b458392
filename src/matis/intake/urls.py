from django.urls import path

from matis.cases.pages import gated
from matis.intake import views

app_name = "intake"
urlpatterns = [
    path("", gated(views.tip_list), name="tip_list"),
    path("new/", gated(views.tip_create), name="tip_create"),
    path("<int:pk>/", gated(views.tip_detail), name="tip_detail"),
    path("<int:pk>/triage/", gated(views.tip_triage), name="tip_triage"),
    path("<int:pk>/convert/", gated(views.tip_convert), name="tip_convert"),
    path("groups/new/", gated(views.group_new), name="group_new"),
    path("groups/<int:pk>/", gated(views.group_detail), name="group_detail"),
    path("groups/<int:pk>/list.csv", gated(views.group_export), name="group_export"),
]
