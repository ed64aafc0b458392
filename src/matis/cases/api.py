"""Read API for case records: the same gates as the pages (list and HTCDS-shaped detail)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from matis.access.audit import audit_list_read
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import gates, selectors
from matis.cases.choices import ConsentGivenBy, Language
from matis.cases.export import case_to_htcds
from matis.cases.htcds import Gender
from matis.cases.models import Case
from matis.cases.services import case_intake
from matis.common.api import service_errors
from matis.common.models import Country


class UsesCases(permissions.BasePermission):
    def has_permission(self, request, view):
        return has_perm(request.user, "cases.view_cases")


class CaseListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference", "status", "trafficking_status", "opened_on", "agency"]


class IntakePersonSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=200)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    age_at_registration = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=120
    )
    gender = serializers.ChoiceField(Gender.choices, required=False)
    primary_citizenship = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, help_text="ISO alpha-3"
    )
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False)


class IntakeConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField(help_text="Consent to services; must be true.")
    on = serializers.DateField()
    language = serializers.ChoiceField(Language.choices, help_text="Explained in")
    given_by = serializers.ChoiceField(ConsentGivenBy.choices, default=ConsentGivenBy.PERSON)
    witness = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IntakeCaseSerializer(serializers.Serializer):
    opened_on = serializers.DateField(required=False)
    exploitation_types = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False
    )
    country_of_exploitation = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, help_text="ISO alpha-3"
    )
    summary = serializers.CharField(required=False, allow_blank=True)


class IntakeSerializer(serializers.Serializer):
    country = serializers.CharField(
        max_length=3, required=False, help_text="The token's own country (checked when given)."
    )
    person = IntakePersonSerializer()
    consent = IntakeConsentSerializer()
    case = IntakeCaseSerializer(required=False)


class IntakeResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()


@scoped("country", model=Case, lookup="pk")
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the user may read. ``?q=`` searches names and document numbers (exact match)."""

    serializer_class = CaseListSerializer
    permission_classes = [permissions.IsAuthenticated, UsesCases]
    queryset = Case.objects.none()  # for the schema; requests use get_queryset
    # a token registers presumed victims (intake) and never reads case records
    token_scopes = {"create": "cases:intake"}

    @extend_schema(request=IntakeSerializer, responses={201: IntakeResultSerializer})
    def create(self, request):
        """Register a presumed victim at the caller's agency, with her or his consent to services.

        Without consent to services (``consent.given`` true) nothing is
        written; for a child a parent or guardian gives it. The case belongs
        to the caller's country: a ``country`` naming another is refused (403).
        The answer holds the new case's number only.
        """
        form = IntakeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with service_errors():
            case = case_intake(
                actor=request.user,
                person=dict(data["person"]),
                consent=dict(data["consent"]),
                case=dict(data.get("case") or {}),
                country_id=data.get("country"),
            )
        return Response(IntakeResultSerializer(case).data, status=201)

    def get_queryset(self):
        filters = selectors.CaseFilters(
            query=self.request.query_params.get("q", "")[:200],
            status=self.request.query_params.get("status", ""),
        )
        return selectors.case_list(user=self.request.user, filters=filters)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = (
            response.data.get("results", response.data)
            if isinstance(response.data, dict)
            else response.data
        )
        # Like the list page: one row naming the cases shown, a search even when empty.
        audit_list_read(
            actor=request.user,
            object_type="cases.case",
            case_ids=[r["id"] for r in rows],
            purpose="api_list",
            search=bool(request.query_params.get("q")),
        )
        return response

    def retrieve(self, request, pk=None, *args, **kwargs):
        case = gates.access_case_by_id(request.user, pk, purpose="api")
        return Response(case_to_htcds(case))


def add_routes(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
