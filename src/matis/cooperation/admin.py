"""Read-only admin: cooperation records change only through the services (audited)."""

from django.contrib import admin

from matis.common.admin import ReadOnlyAdmin
from matis.cooperation.models import (
    ActionStatusReport,
    Assessment,
    Decision,
    DecisionAction,
    DetentionNotice,
    ReceivedAssessment,
    ReceivedDecision,
)


@admin.register(DetentionNotice)
class DetentionNoticeAdmin(ReadOnlyAdmin):
    # never the personal fields: the admin is for administrators, not case workers
    list_display = ("notice", "direction", "country", "other_country", "personal", "status")
    list_filter = ("direction", "country", "personal", "status")
    fields = list_display


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("title", "country", "status", "approved_at")
    list_filter = ("country", "status")


@admin.register(ReceivedAssessment)
class ReceivedAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("title", "country", "sender", "received_at")
    list_filter = ("country", "sender")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "meeting_number", "held_on")


@admin.register(DecisionAction)
class DecisionActionAdmin(ReadOnlyAdmin):
    list_display = ("decision", "number", "due_on")


@admin.register(ActionStatusReport)
class ActionStatusReportAdmin(ReadOnlyAdmin):
    list_display = ("action", "country", "status", "reported_at")
    list_filter = ("country", "status")


@admin.register(ReceivedDecision)
class ReceivedDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "meeting_number", "held_on", "country")
