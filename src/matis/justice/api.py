"""API for criminal cases: for a police or court system of the country (and justice officers).

``/api/v1/criminal-cases/`` — the country's criminal cases (read: ``justice:read``),
and, for ``justice:write``, opening one and recording its proceedings and
outcomes: ``{id}/stage/`` (the next stage), ``{id}/defendants/``,
``{id}/charges/`` and ``{id}/verdicts/``. Every write goes through
:mod:`matis.justice.services` (the same checks as the pages, audited). Reads
carry no names: defendants appear by their number, role and charges; victims
not at all.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases.htcds import Gender
from matis.common.api import service_errors
from matis.common.models import Country
from matis.justice import gates, services
from matis.justice.choices import Currency, Instance, Law, PerpetratorRole, Stage, VerdictOutcome
from matis.justice.models import Charge, CriminalCase, Defendant

JUSTICE_READ = "justice:read"
JUSTICE_WRITE = "justice:write"


class UsesJustice(permissions.BasePermission):
    def has_permission(self, request, view):
        return has_perm(request.user, "justice.view_criminal_cases")


class CriminalCaseSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = CriminalCase
        fields = ["id", "reference", "country", "agency", "court", "opened_on", "stage"]


class StageChangeSerializer(serializers.Serializer):
    stage = serializers.CharField()
    on = serializers.DateField()


class VerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instance = serializers.CharField()
    outcome = serializers.CharField()
    decided_on = serializers.DateField()
    prison_months = serializers.IntegerField(allow_null=True)
    fine = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    currency = serializers.CharField()


class ChargeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    law = serializers.CharField()
    provision = serializers.CharField()
    charged_on = serializers.DateField()
    verdicts = VerdictSerializer(many=True)


class DefendantSerializer(serializers.Serializer):
    """A defendant without her or his name."""

    id = serializers.IntegerField()
    role = serializers.CharField()
    gender = serializers.CharField()
    nationality = serializers.CharField(source="nationality_id", allow_null=True)
    is_official = serializers.BooleanField()
    charges = ChargeSerializer(many=True)


class CriminalCaseDetailSerializer(CriminalCaseSerializer):
    stage_changes = StageChangeSerializer(many=True)
    defendants = DefendantSerializer(many=True)

    class Meta(CriminalCaseSerializer.Meta):
        fields = [*CriminalCaseSerializer.Meta.fields, "stage_changes", "defendants"]


class OpenSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=64)
    opened_on = serializers.DateField()
    court = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class StageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(Stage.choices)
    on = serializers.DateField()


class DefendantAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="As written (stored encrypted).")
    role = serializers.ChoiceField(PerpetratorRole.choices)
    gender = serializers.ChoiceField(Gender.choices, default=Gender.NON_SPECIFIED_UNKNOWN)
    nationality = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, help_text="ISO alpha-3"
    )
    is_official = serializers.BooleanField(default=False)


class ChargeAddSerializer(serializers.Serializer):
    defendant = serializers.IntegerField(help_text="A defendant of this criminal case.")
    law = serializers.ChoiceField(Law.choices)
    provision = serializers.CharField(max_length=200)
    charged_on = serializers.DateField()


class VerdictAddSerializer(serializers.Serializer):
    charge = serializers.IntegerField(help_text="A charge of this criminal case.")
    instance = serializers.ChoiceField(Instance.choices)
    outcome = serializers.ChoiceField(VerdictOutcome.choices)
    decided_on = serializers.DateField()
    prison_months = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    fine = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    currency = serializers.ChoiceField(Currency.choices, required=False, allow_blank=True)


def _detail(cc: CriminalCase) -> dict:
    cc = (
        CriminalCase.objects.select_related("agency")
        .prefetch_related("stage_changes", "defendants__charges__verdicts")
        .get(pk=cc.pk)
    )
    return CriminalCaseDetailSerializer(cc).data


def _valid(serializer_class, data) -> dict:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


@scoped("country", model=CriminalCase, lookup="pk")
class CriminalCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """The criminal cases of the caller's country (justice officers and their systems)."""

    serializer_class = CriminalCaseSerializer
    permission_classes = [permissions.IsAuthenticated, UsesJustice]
    token_scopes = {"read": JUSTICE_READ, "write": JUSTICE_WRITE}
    queryset = CriminalCase.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return gates.criminal_cases_for(self.request.user).select_related("agency")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", response.data)
        if rows:
            audit_record(
                actor=request.user,
                action=AuditAction.RECORD_READ,
                country_id=request.user.country_id,
                object_type="justice.criminalcase",
                object_id="",
                purpose="api_list",
                ids=[r["id"] for r in rows],
            )
        return response

    @extend_schema(responses={200: CriminalCaseDetailSerializer})
    def retrieve(self, request, pk=None, *args, **kwargs):
        return Response(_detail(gates.access_criminal_case(request.user, pk, purpose="api")))

    @extend_schema(request=OpenSerializer, responses={201: CriminalCaseDetailSerializer})
    def create(self, request):
        """Open a criminal case of the caller's country at the caller's agency."""
        data = _valid(OpenSerializer, request.data)
        with service_errors():
            cc = services.criminal_case_open(actor=request.user, **data)
        return Response(_detail(cc), status=201)

    def _case(self, request, pk) -> CriminalCase:
        return gates.access_criminal_case(request.user, pk, purpose="api_write")

    @extend_schema(request=StageSerializer, responses={201: CriminalCaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """Move the criminal case to its next stage (prosecution, trial, verdict, appeal, closed)."""
        cc = self._case(request, pk)
        data = _valid(StageSerializer, request.data)
        with service_errors():
            services.stage_change(actor=request.user, criminal_case=cc, **data)
        return Response(_detail(cc), status=201)

    @extend_schema(request=DefendantAddSerializer, responses={201: CriminalCaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def defendants(self, request, pk=None):
        """Add a suspect or defendant (the name is stored encrypted and never read back here)."""
        cc = self._case(request, pk)
        data = _valid(DefendantAddSerializer, request.data)
        with service_errors():
            services.defendant_add(actor=request.user, criminal_case=cc, **data)
        return Response(_detail(cc), status=201)

    @extend_schema(request=ChargeAddSerializer, responses={201: CriminalCaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def charges(self, request, pk=None):
        """Charge a defendant of this criminal case."""
        cc = self._case(request, pk)
        data = _valid(ChargeAddSerializer, request.data)
        defendant = Defendant.objects.filter(pk=data.pop("defendant"), criminal_case=cc).first()
        if defendant is None:
            raise exceptions.ValidationError(
                {"defendant": [_("No defendant with this number in this criminal case.")]}
            )
        with service_errors():
            services.charge_add(actor=request.user, defendant=defendant, **data)
        return Response(_detail(cc), status=201)

    @extend_schema(request=VerdictAddSerializer, responses={201: CriminalCaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def verdicts(self, request, pk=None):
        """Record a court's verdict on a charge of this criminal case (first instance or appeal)."""
        cc = self._case(request, pk)
        data = _valid(VerdictAddSerializer, request.data)
        charge = (
            Charge.objects.select_related("defendant__criminal_case")
            .filter(pk=data.pop("charge"), defendant__criminal_case=cc)
            .first()
        )
        if charge is None:
            raise exceptions.ValidationError(
                {"charge": [_("No charge with this number in this criminal case.")]}
            )
        data["currency"] = data.get("currency") or ""
        with service_errors():
            services.verdict_record(actor=request.user, charge=charge, **data)
        return Response(_detail(cc), status=201)


def add_routes(router) -> None:
    router.register("criminal-cases", CriminalCaseViewSet, basename="criminal-case")
