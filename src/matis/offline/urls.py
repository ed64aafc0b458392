from django.urls import path

from matis.offline import views

app_name = "offline"
urlpatterns = [
    path("", views.page, name="page"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("grant/", views.grant_new, name="grant_new"),
    path("bundle.json", views.bundle, name="bundle"),
    path("sync/", views.sync, name="sync"),
    path("devices/", views.devices, name="devices"),
]
