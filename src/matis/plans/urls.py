from django.urls import path

from matis.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("areas/<int:number>/", views.area_detail, name="area_detail"),
    path("activities/<slug:slug>/", views.activity_detail, name="activity_detail"),
    path("evolution/", views.evolution, name="evolution"),
    path("roles/", views.roles_matrix, name="roles"),
    path("mou/", views.mou, name="mou"),
]
