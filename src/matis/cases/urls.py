from django.urls import path

from matis.cases.views import cases, supervision, work

app_name = "cases"
urlpatterns = [
    path("", cases.case_list, name="case_list"),
    path("new/", cases.case_register, name="case_register"),
    path("<int:pk>/", cases.case_detail, name="case_detail"),
    path("<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("<int:pk>/documents/new/", cases.document_add, name="document_add"),
    path("<int:pk>/status/", cases.case_status, name="case_status"),
    path("<int:pk>/transfer/", cases.case_transfer, name="case_transfer"),
    path("<int:pk>/htcds.json", cases.case_htcds, name="case_htcds"),
    path("<int:pk>/subject-access.json", cases.subject_access, name="subject_access"),
    path("<int:pk>/delete/", cases.case_delete, name="case_delete"),
    path("<int:pk>/screen/", work.screen, name="screen"),
    path("<int:pk>/decide/", work.decide, name="decide"),
    path("<int:pk>/consent/", work.consent, name="consent"),
    path("<int:pk>/placements/new/", work.placement_new, name="placement_new"),
    path("placements/<int:pk>/end/", work.placement_end, name="placement_end"),
    path("<int:pk>/referrals/new/", work.referral_new, name="referral_new"),
    path("referrals/", supervision.referral_list, name="referral_list"),
    path("referrals/<int:pk>/answer/", work.referral_answer, name="referral_answer"),
    path("<int:pk>/services/new/", work.service_new, name="service_new"),
    path("<int:pk>/share/", work.share, name="share"),
    path("alerts/", supervision.alert_list, name="alert_list"),
    path("alerts/<int:pk>/resolve/", supervision.alert_resolve, name="alert_resolve"),
    path("break-glass/", supervision.break_glass, name="break_glass"),
    path("detention-register/", supervision.detention_register, name="detention_register"),
    path("directory/", supervision.directory, name="directory"),
]
