"""Read API for returns: the same gates as the pages.

``/api/v1/returns/`` — returns this instance sends (and, in one database, receives), with
their steps and whose turn it is; ``/api/v1/returns-received/`` — returns received from
another national instance over the relay (the minimum about the person on the detail only).
"""

from __future__ import annotations

from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from matis.access.audit import audit_list_read, audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.returns import gates
from matis.returns.models import IncomingRepatriation, Repatriation


class UsesReturns(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return has_perm(user, "cases.view_cases") or has_perm(user, "returns.view_returns")


class StepSerializer(serializers.Serializer):
    step = serializers.CharField()
    side = serializers.CharField()
    agency = serializers.CharField(source="agency_label")
    started_on = serializers.DateField()
    completed_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()


class _ReturnBase(serializers.ModelSerializer):
    whose_turn = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    def get_whose_turn(self, obj) -> str | None:
        return obj.whose_turn()

    def get_next_step(self, obj) -> str | None:
        return obj.next_step()


class ReturnSerializer(_ReturnBase):
    class Meta:
        model = Repatriation
        fields = [
            "id",
            "uid",
            "reference",
            "status",
            "sending_country",
            "receiving_country",
            "requested_on",
            "handover_expected_on",
            "returned_on",
            "completed_on",
            "relayed",
            "home_case_opened",
            "whose_turn",
            "next_step",
        ]


class ReceivedSerializer(_ReturnBase):
    class Meta:
        model = IncomingRepatriation
        fields = [
            "id",
            "uid",
            "reference",
            "status",
            "sending_country",
            "receiving_country",
            "receiving_agency",
            "requested_on",
            "handover_expected_on",
            "returned_on",
            "completed_on",
            "withdrawn_on",
            "whose_turn",
            "next_step",
        ]


def _with_steps(data: dict, obj) -> dict:
    return {**data, "steps": StepSerializer(obj.steps.select_related("agency"), many=True).data}


@scoped("country", model=Repatriation, lookup="pk")
class ReturnViewSet(viewsets.ReadOnlyModelViewSet):
    """Returns the user may read, from either side (sending, or receiving in one database)."""

    serializer_class = ReturnSerializer
    permission_classes = [permissions.IsAuthenticated, UsesReturns]
    token_scopes = {"read": "returns:read"}  # machine clients (matis.apiclients)
    queryset = Repatriation.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        user = self.request.user
        ids = {r.pk for r in gates.receiving_visible(user)}
        ids |= set(gates.sending_queryset(user).values_list("pk", flat=True))
        return Repatriation.objects.filter(pk__in=ids).order_by("-requested_on", "-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", response.data)
        audit_list_read(
            actor=request.user,
            object_type=gates.REPATRIATION,
            case_ids=Repatriation.objects.filter(pk__in=[r["id"] for r in rows]).values_list(
                "case_id", flat=True
            ),
            purpose="api_list",
        )
        return response

    def retrieve(self, request, pk=None, *args, **kwargs):
        access = gates.access_repatriation(request.user, pk, purpose="api")
        rep = access.repatriation
        return Response({**_with_steps(ReturnSerializer(rep).data, rep), "side": access.side})


@scoped("country", model=IncomingRepatriation, lookup="pk", field="receiving_country")
class ReceivedViewSet(viewsets.ReadOnlyModelViewSet):
    """Returns received from another national instance (the home government's side)."""

    serializer_class = ReceivedSerializer
    permission_classes = [permissions.IsAuthenticated, UsesReturns]
    token_scopes = {"read": "returns:read"}  # machine clients (matis.apiclients)
    queryset = IncomingRepatriation.objects.none()

    def get_queryset(self):
        return gates.incoming_queryset(self.request.user).order_by("-requested_on", "-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", response.data)
        if rows:  # no names in the list; still, which records were listed
            audit_record(
                actor=request.user,
                action=AuditAction.RECORD_READ,
                country_id=request.user.country_id,
                object_type=gates.INCOMING,
                object_id="",
                purpose="api_list",
                ids=[r["id"] for r in rows],
            )
        return response

    def retrieve(self, request, pk=None, *args, **kwargs):
        incoming = gates.access_incoming(request.user, pk, purpose="api").repatriation
        person = {
            name: (
                getattr(incoming, name).isoformat()
                if name == "date_of_birth" and incoming.date_of_birth
                else getattr(incoming, name)
            )
            for name in IncomingRepatriation.PERSONAL_FIELDS
        }
        data = _with_steps(ReceivedSerializer(incoming).data, incoming)
        return Response({**data, "person": person})


def add_routes(router) -> None:
    router.register("returns", ReturnViewSet, basename="return")
    router.register("returns-received", ReceivedViewSet, basename="return-received")
