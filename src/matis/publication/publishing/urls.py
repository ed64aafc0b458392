"""The publisher's URLconf (signed in, ``publication.release``): the release calendar."""

from django.urls import path

from matis.publication.publishing import views

app_name = "publishing"
urlpatterns = [
    path("releases/", views.release_list, name="releases"),
]
