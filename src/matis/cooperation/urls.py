from django.urls import path

from matis.cooperation import views

app_name = "cooperation"
urlpatterns = [
    path("detention/", views.detention_list, name="detention_list"),
    path("detention/<int:pk>/", views.detention_detail, name="detention_detail"),
    path("detention/placement/<int:pk>/notify/", views.detention_notify, name="detention_notify"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/file/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("assessments/received/<int:pk>/", views.received_detail, name="received_detail"),
    path("assessments/received/file/<int:pk>/", views.received_download, name="received_download"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/action/<int:pk>/", views.action_report, name="action_report"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/tracking/", views.decision_tracking, name="decision_tracking"),
]
