from django.urls import path

from matis.exchange import decisions, relay, views

app_name = "exchange"
urlpatterns = [
    path("api/inbox/", views.hub_inbox, name="hub_inbox"),
    path("api/alerts/", views.hub_alerts, name="hub_alerts"),
    path("api/decisions/", decisions.hub_decisions, name="hub_decisions"),
    path("api/relay/", relay.hub_relay_view, {"endpoint": ""}, name="hub_relay"),
    path("api/relay/ack/", relay.hub_relay_view, {"endpoint": "ack"}, name="hub_relay_ack"),
    path(
        "api/relay/status/", relay.hub_relay_view, {"endpoint": "status"}, name="hub_relay_status"
    ),
    path("api/relay/keys/", relay.hub_relay_view, {"endpoint": "keys"}, name="hub_relay_keys"),
    path("", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("hub/", views.hub_overview, name="hub_overview"),
    path("hub/received/", views.consolidation, name="consolidation"),
    path("hub/match/status/", views.hub_match_status, name="hub_match_status"),
]
