from django.urls import path

from matis.cases.pages import gated
from matis.justice import views

app_name = "justice"
urlpatterns = [
    path("", gated(views.criminal_case_list), name="list"),
    path("new/", gated(views.criminal_case_new), name="new"),
    path("<int:pk>/", gated(views.criminal_case_detail), name="detail"),
    path("<int:pk>/stage/", gated(views.stage), name="stage"),
    path("<int:pk>/defendants/new/", gated(views.defendant_new), name="defendant_new"),
    path("<int:pk>/assets/new/", gated(views.asset_new), name="asset_new"),
    path("<int:pk>/witnesses/new/", gated(views.witness_new), name="witness_new"),
    path("<int:pk>/monitoring/new/", gated(views.note_new), name="note_new"),
    path("defendants/<int:pk>/charges/new/", gated(views.charge_new), name="charge_new"),
    path("charges/<int:pk>/verdict/", gated(views.verdict_new), name="verdict_new"),
    path("witnesses/<int:pk>/claims/new/", gated(views.claim_new), name="claim_new"),
    path("claims/<int:pk>/", gated(views.claim_update), name="claim_update"),
    path("case/<int:pk>/", gated(views.case_links), name="case_links"),
    path("measures/", gated(views.measures_page), name="measures"),
]
