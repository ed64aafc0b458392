from django.urls import path

from matis.cases.pages import gated
from matis.returns import views

app_name = "returns"
urlpatterns = [
    path("", gated(views.repatriation_list), name="list"),
    path("<int:pk>/", gated(views.repatriation_detail), name="detail"),
    path("<int:pk>/step/", gated(views.repatriation_step), name="step"),
    path("<int:pk>/cancel/", gated(views.repatriation_cancel), name="cancel"),
    path("<int:pk>/withdraw/", gated(views.repatriation_withdraw), name="withdraw"),
    path("incoming/<int:pk>/", gated(views.incoming_detail), name="incoming_detail"),
    path("incoming/<int:pk>/step/", gated(views.incoming_step), name="incoming_step"),
    path("incoming/<int:pk>/assign/", gated(views.incoming_assign), name="incoming_assign"),
    path("case/<int:pk>/", gated(views.reintegration), name="reintegration"),
    path("case/<int:pk>/return/", gated(views.repatriation_start), name="start"),
    path("case/<int:pk>/plan/", gated(views.plan_open), name="plan_open"),
    path("case/<int:pk>/plan/service/", gated(views.service_add), name="service_add"),
    path("case/<int:pk>/plan/visit/", gated(views.visit_add), name="visit_add"),
    path("case/<int:pk>/plan/close/", gated(views.plan_close), name="plan_close"),
    path("case/<int:pk>/feedback/", gated(views.feedback_add), name="feedback_add"),
    path("case/<int:pk>/retrafficking/", gated(views.event_add), name="event_add"),
    path("services/<int:pk>/", gated(views.service_update), name="service_update"),
    path("measures/", gated(views.measures_page), name="measures"),
]
