from django.urls import path

from matis.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.index, name="index"),
]
