"""Read API for returns: the same gates as the pages.

``/api/v1/returns/`` — returns this instance sends (and, in one database, receives), with
their steps and whose turn it is; ``/api/v1/returns-received/`` — returns received from
another national instance over the relay (the minimum about the person on the detail only).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from matis.access.audit import audit_list_read, audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases.services import ConsentRequired
from matis.common.api import service_errors
from matis.returns import gates, relay, services
from matis.returns.choices import Outcome, Step
from matis.returns.models import IncomingRepatriation, Repatriation, WrongCountry

NO_CONSENT = _("The person's consent to sharing with the home country does not stand.")


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


class StepRecordSerializer(serializers.Serializer):
    step = serializers.ChoiceField(Step.choices, help_text="The next step of the return.")
    started_on = serializers.DateField()
    completed_on = serializers.DateField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(Outcome.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    open_case = serializers.BooleanField(
        default=False, help_text="Reception only: open the returnee's case at the caller's agency."
    )


def _with_steps(data: dict, obj) -> dict:
    return {**data, "steps": StepSerializer(obj.steps.select_related("agency"), many=True).data}


@scoped("country", model=Repatriation, lookup="pk")
class ReturnViewSet(viewsets.ReadOnlyModelViewSet):
    """Returns the user may read, from either side (sending, or receiving in one database)."""

    serializer_class = ReturnSerializer
    permission_classes = [permissions.IsAuthenticated, UsesReturns]
    # machine clients (matis.apiclients)
    token_scopes = {"read": "returns:read", "steps": "returns:write"}
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

    @extend_schema(request=StepRecordSerializer, responses={201: StepSerializer})
    @action(detail=True, methods=["post"], url_path="steps")
    def steps(self, request, pk=None):
        """Record the next step of a return (start it, or start and complete it).

        Only an agency of the government responsible for the step records it
        (403 otherwise); a step out of order, or a receiving-side step without
        the person's consent to sharing with that country, is a 400 and
        changes nothing.
        """
        rep = gates.access_repatriation(request.user, pk, purpose="api_step").repatriation
        form = StepRecordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        refusals = dict.fromkeys((ConsentRequired, *relay.NO_CONSENT_ERRORS), NO_CONSENT)
        try:
            with service_errors(refusals):
                record = services.repatriation_step_record(
                    actor=request.user,
                    repatriation=rep,
                    step=data["step"],
                    started_on=data["started_on"],
                    completed_on=data.get("completed_on"),
                    outcome=data.get("outcome") or "",
                    notes=data.get("notes") or "",
                    open_case=data["open_case"],
                )
        except WrongCountry as exc:
            raise exceptions.PermissionDenied(
                _("This step is for an agency of %(country)s to record.")
                % {"country": exc.needed_country}
            ) from None
        return Response(StepSerializer(record).data, status=201)


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
