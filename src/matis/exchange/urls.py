from django.urls import path

from matis.exchange import views

app_name = "exchange"
urlpatterns = [
    path("api/inbox/", views.hub_inbox, name="hub_inbox"),
    path("api/alerts/", views.hub_alerts, name="hub_alerts"),
    path("", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("hub/", views.hub_overview, name="hub_overview"),
    path("hub/match/status/", views.hub_match_status, name="hub_match_status"),
]
