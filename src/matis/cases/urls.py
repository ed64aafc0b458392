from django.urls import path

from matis.cases.pages import gated
from matis.cases.views import cases, interchange, supervision, work

app_name = "cases"
urlpatterns = [
    path("", gated(cases.case_list), name="case_list"),
    path("new/", gated(cases.case_register), name="case_register"),
    path("<int:pk>/", gated(cases.case_detail), name="case_detail"),
    path("<int:pk>/edit/", gated(cases.case_edit), name="case_edit"),
    path("<int:pk>/documents/new/", gated(cases.document_add), name="document_add"),
    path("<int:pk>/status/", gated(cases.case_status), name="case_status"),
    path("<int:pk>/transfer/", gated(cases.case_transfer), name="case_transfer"),
    path("<int:pk>/htcds/", gated(interchange.record_edit), name="record_edit"),
    path("import/", gated(interchange.import_upload), name="import_upload"),
    path("export.csv", gated(interchange.export_csv), name="export_csv"),
    path("<int:pk>/htcds.json", gated(cases.case_htcds), name="case_htcds"),
    path("<int:pk>/subject-access.json", gated(cases.subject_access), name="subject_access"),
    path("<int:pk>/delete/", gated(cases.case_delete), name="case_delete"),
    path("<int:pk>/screen/", gated(work.screen), name="screen"),
    path("<int:pk>/decide/", gated(work.decide), name="decide"),
    path("<int:pk>/consent/", gated(work.consent), name="consent"),
    path("<int:pk>/placements/new/", gated(work.placement_new), name="placement_new"),
    path("placements/<int:pk>/end/", gated(work.placement_end), name="placement_end"),
    path("<int:pk>/referrals/new/", gated(work.referral_new), name="referral_new"),
    path("referrals/", gated(supervision.referral_list), name="referral_list"),
    path("referrals/<int:pk>/answer/", gated(work.referral_answer), name="referral_answer"),
    path("<int:pk>/services/new/", gated(work.service_new), name="service_new"),
    path("<int:pk>/share/", gated(work.share), name="share"),
    path("alerts/", gated(supervision.alert_list), name="alert_list"),
    path("alerts/<int:pk>/resolve/", gated(supervision.alert_resolve), name="alert_resolve"),
    path("break-glass/", gated(supervision.break_glass), name="break_glass"),
    path("detention-register/", gated(supervision.detention_register), name="detention_register"),
    path("directory/", gated(supervision.directory), name="directory"),
]
