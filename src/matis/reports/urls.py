from django.urls import path

from matis.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_status, name="report_status"),
    path("<int:pk>/progress/", views.report_progress, name="report_progress"),
    path("<int:pk>/html/", views.report_html, name="report_html"),
    path("<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("<int:pk>/publish/", views.report_publish, name="report_publish"),
]
