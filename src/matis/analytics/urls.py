from django.urls import path

from matis.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.analysis_list, name="analysis_list"),
    path("new/", views.analysis_new, name="analysis_new"),
    path("<int:pk>/", views.analysis_detail, name="analysis_detail"),
    path("<int:pk>/status/", views.analysis_status, name="analysis_status"),
    path("<int:pk>/report.pdf", views.analysis_pdf, name="analysis_pdf"),
    path("<int:pk>/download/", views.analysis_download, name="analysis_download"),
    path("<int:pk>/publish/", views.analysis_publish, name="analysis_publish"),
    path("data/upload/", views.dataset_upload, name="dataset_upload"),
]
