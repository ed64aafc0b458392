from django.urls import path

from matis.apiclients import views

app_name = "apiclients"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("new/", views.client_new, name="client_new"),
    path("<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
]
