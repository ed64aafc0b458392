from django.urls import path

from matis.official_statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("completeness/", views.completeness, name="completeness"),
    path("context/", views.context_series, name="context"),
    path("download/", views.download, name="download"),
    path("export/", views.export, name="export"),
    path("template.xlsx", views.template_download, name="template"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/action/", views.submission_action, name="submission_action"),
    path("submissions/<int:pk>/comment/", views.submission_comment, name="submission_comment"),
    path("submissions/<int:pk>/download/", views.submission_download, name="submission_download"),
    path("from-records/", views.records_proposal, name="records_proposal"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("import/<int:pk>/file/", views.import_job_file, name="import_job_file"),
]
