from django.urls import path

from matis.registers import views
from matis.registers.kit.specs import registers
from matis.registers.kit.views import register_urls

app_name = "registers"
urlpatterns = [
    path("", views.index, name="index"),
    path("counts/", views.counts, name="counts"),
    path(
        "assessments/<int:pk>/document/",
        views.assessment_document,
        name="assessment_document",
    ),
    path("agreements/<int:pk>/review/", views.agreement_review, name="agreement_review"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    *register_urls(registers()),
]
