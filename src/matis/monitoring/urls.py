from django.urls import path

from matis.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/download/", views.dashboard_download, name="dashboard_download"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/prepare/", views.reports_prepare, name="reports_prepare"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/transition/", views.report_transition, name="report_transition"),
    path("reports/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("workbook/", views.workbook_download, name="workbook_download"),
    path("workbook/upload/", views.workbook_upload, name="workbook_upload"),
    path("periods/", views.periods, name="periods"),
    path("rates/", views.rates, name="rates"),
    path("indicators/", views.indicator_values, name="indicator_values"),
    path("npa/", views.npa_list, name="npa_list"),
    path("npa/new/", views.npa_create, name="npa_create"),
    path("npa/<int:pk>/", views.npa_detail, name="npa_detail"),
    path("npa/<int:pk>/edit/", views.npa_edit, name="npa_edit"),
]
