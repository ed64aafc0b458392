"""Read API: detention notices (both sides), assessments shared with us, decisions pulled."""

from __future__ import annotations

from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cooperation import selectors
from matis.cooperation.models import (
    DetentionNotice,
    DetentionStatusEvent,
    ReceivedAction,
    ReceivedAssessment,
    ReceivedDecision,
)


def _holds(name: str):
    class Holds(permissions.BasePermission):
        def has_permission(self, request, view):
            return has_perm(request.user, name)

    return Holds


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DetentionStatusEvent
        fields = ["status", "on", "by_country"]


NOTICE_FIELDS = [
    "id",
    "notice",
    "direction",
    "other_country",
    "personal",
    "count",
    "age_group",
    "sex",
    "place_type",
    "held_against_will",
    "victim_status",
    "start_date",
    "end_date",
    "status",
    "acknowledged_at",
    "consular_post",
]
PERSONAL = ["given_name", "family_name", "romanised_name", "date_of_birth", "place_name",
            "province", "languages"]  # fmt: skip


class NoticeSerializer(serializers.ModelSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = DetentionNotice
        fields = [*NOTICE_FIELDS, "events"]


class NoticeDetailSerializer(NoticeSerializer):
    class Meta(NoticeSerializer.Meta):
        fields = [*NOTICE_FIELDS, *PERSONAL, "events"]


@scoped("country", model=DetentionNotice, lookup="pk")
class DetentionNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Notices this country sent and received. The list never shows personal fields; the
    detail of a personal notice does, and its read is audited."""

    serializer_class = NoticeSerializer
    permission_classes = [
        permissions.IsAuthenticated,
        _holds("cooperation.view_detention_notices"),
    ]
    queryset = DetentionNotice.objects.none()

    def get_queryset(self):
        return selectors.notices_visible(self.request.user).prefetch_related("events")

    def retrieve(self, request, pk=None, *args, **kwargs):
        notice = selectors.notice_for(request.user, pk, purpose="api")
        return Response(NoticeDetailSerializer(notice).data)


class ReceivedAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReceivedAssessment
        fields = ["id", "uid", "sender", "title", "period_start", "period_end", "summary",
                  "routes", "shared_with", "approved_on", "received_at"]  # fmt: skip


@scoped("country", model=ReceivedAssessment, lookup="pk")
class ReceivedAssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Situation assessments other countries shared with this one."""

    serializer_class = ReceivedAssessmentSerializer
    permission_classes = [permissions.IsAuthenticated, _holds("cooperation.view_assessments")]
    queryset = ReceivedAssessment.objects.none()

    def get_queryset(self):
        return selectors.received_assessments(self.request.user)


class ActionSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReceivedAction
        fields = ["id", "uid", "number", "text", "countries", "due_on", "assigned", "status",
                  "comment", "reported_at", "overdue"]  # fmt: skip


class DecisionSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = ReceivedDecision
        fields = ["id", "uid", "meeting", "meeting_number", "held_on", "text", "actions"]


@scoped("country", model=ReceivedDecision, lookup="pk")
class ReceivedDecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """SOM/IMM decisions pulled from the hub, with this country's status per action."""

    serializer_class = DecisionSerializer
    permission_classes = [permissions.IsAuthenticated, _holds("cooperation.view_decisions")]
    queryset = ReceivedDecision.objects.none()

    def get_queryset(self):
        return selectors.received_decisions(self.request.user)


def add_routes(router) -> None:
    router.register("detention-notices", DetentionNoticeViewSet, basename="detention-notice")
    router.register("shared-assessments", ReceivedAssessmentViewSet, basename="shared-assessment")
    router.register("som-decisions", ReceivedDecisionViewSet, basename="som-decision")
