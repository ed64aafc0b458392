"""API under /api/v1/statistics/: observations, structure, submissions, dashboard tables, exports.

The regional hub reads approved data only: region-wide users never see a
national draft. Users of a country also see their own country's drafts.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.scoping import scoped
from matis.common.api import KeysetPagination
from matis.official_statistics import selectors
from matis.official_statistics.keys import parse_key
from matis.official_statistics.models import (
    Code,
    Dimension,
    Observation,
    StatisticalIndicator,
    Submission,
    ValidationRule,
)
from matis.official_statistics.models.imports import ImportFormat

# Machine clients' tokens (matis.apiclients) reach only endpoints declaring a scope:
# reference data and the caller's own country's figures and submissions; the dashboard
# tables (every country) and the records proposal (built from case records) are closed.
STATISTICS_READ = {"read": "statistics:read"}


def own_country_for_tokens(request, qs, field: str = "country_id"):
    """A request made with a token (``request.auth``) sees its account's country only."""
    if getattr(request, "auth", None) is not None:
        return qs.filter(**{field: request.user.country_id})
    return qs


class StatisticsObservationSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    country = serializers.CharField(source="country_id")
    year = serializers.IntegerField(source="period")
    dimensions = serializers.SerializerMethodField()
    display = serializers.CharField(help_text="The value as shown to people: 1,353, <5 or ..")
    status = serializers.CharField(source="submission.status")

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "country",
            "year",
            "series_key",
            "dimensions",
            "value",
            "censored_below",
            "is_missing",
            "is_estimated",
            "is_provisional",
            "display",
            "source",
            "status",
            "approved",
            "updated_at",
        ]

    def get_dimensions(self, obj) -> dict[str, str]:
        return parse_key(obj.series_key)


class StatisticsCodeSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None)

    class Meta:
        model = Code
        fields = ["code", "name_en", "name_th", "parent", "is_active"]


class StatisticsDimensionSerializer(serializers.ModelSerializer):
    code_list = serializers.CharField(source="code_list.code")
    codes = StatisticsCodeSerializer(source="code_list.codes", many=True)

    class Meta:
        model = Dimension
        fields = ["code", "name_en", "name_th", "code_list", "codes"]


class StatisticsIndicatorSerializer(serializers.ModelSerializer):
    dimensions = serializers.SerializerMethodField()

    class Meta:
        model = StatisticalIndicator
        fields = [
            "code",
            "name_en",
            "name_th",
            "description_en",
            "unit",
            "is_glotip",
            "is_active",
            "dimensions",
        ]

    def get_dimensions(self, obj) -> list[str]:
        return [link.dimension.code for link in obj.indicator_dimensions.all()]


class StatisticsRuleSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", default=None)
    dimension = serializers.CharField(source="dimension.code", default=None)

    class Meta:
        model = ValidationRule
        fields = [
            "code",
            "name_en",
            "indicator",
            "dimension",
            "left_side",
            "operator",
            "right_side",
            "cells",
            "min_history",
            "severity",
            "is_active",
        ]


class SubmissionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=ImportFormat.choices)
    year = serializers.IntegerField(min_value=1900, max_value=2200)


class StatisticsSubmissionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id")
    year = serializers.IntegerField(source="period")
    n_observations = serializers.IntegerField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "country",
            "year",
            "status",
            "note",
            "submitted_at",
            "approved_at",
            "validated_at",
            "n_observations",
        ]


OBSERVATION_FILTERS = [
    OpenApiParameter("indicator", str, description="Indicator code, e.g. VICTIMS_DETECTED"),
    OpenApiParameter("country", str, description="ISO 3166-1 alpha-3 code, e.g. THA"),
    OpenApiParameter("year", int),
    OpenApiParameter("year_min", int),
    OpenApiParameter("year_max", int),
    OpenApiParameter(
        "series_key", str, description='Exact dimension values; "" is the grand total'
    ),
    OpenApiParameter(
        "dimension",
        str,
        many=True,
        description="DIMENSION:CODE, repeatable, e.g. SEX:F (keys holding that value)",
    ),
    OpenApiParameter(
        "approved", bool, description="true: approved data only (what the hub receives)"
    ),
]


def _int_param(params, name) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: "must be a whole number"}) from None


def filtered_observations(request):
    params = request.query_params
    dims = []
    for item in params.getlist("dimension"):
        dim, sep, code = item.partition(":")
        if not sep or not dim or not code:
            raise ValidationError({"dimension": "use DIMENSION:CODE, e.g. SEX:F"})
        dims.append((dim.upper(), code))
    approved = params.get("approved")
    return selectors.filter_observations(
        selectors.observations_visible(request.user),
        indicator=params.get("indicator") or None,
        country=(params.get("country") or "").upper() or None,
        year=_int_param(params, "year"),
        year_min=_int_param(params, "year_min"),
        year_max=_int_param(params, "year_max"),
        series_key=params.get("series_key") if "series_key" in params else None,
        dimensions=dims,
        approved=True if approved in ("true", "1") else None,
    )


@extend_schema_view(list=extend_schema(parameters=OBSERVATION_FILTERS))
@scoped("country", model=Observation, lookup="pk")
class ObservationViewSet(viewsets.ReadOnlyModelViewSet):
    """Observations: approved ones of every country, plus drafts of the reader's own country."""

    serializer_class = StatisticsObservationSerializer
    queryset = Observation.objects.none()  # for the schema; requests use get_queryset
    filter_backends: list = []
    pagination_class = KeysetPagination  # flat with table size (issue 13, finding 20)
    token_scopes = STATISTICS_READ

    def get_queryset(self):
        qs = (
            filtered_observations(self.request)
            if self.action == "list"
            else (selectors.observations_visible(self.request.user))
        )
        qs = own_country_for_tokens(self.request, qs)
        # in the list, KeysetPagination orders by id (an index range per page)
        return qs.select_related("indicator", "submission").order_by("id")

    def _file(self, fmt: str):
        from matis.official_statistics.views.common import observations_file_response

        qs = own_country_for_tokens(
            self.request, filtered_observations(self.request).filter(approved=True)
        )
        audit_record(
            actor=self.request.user,
            action=AuditAction.EXPORT,
            object_type="statistics.observation",
            format=fmt,
            query=self.request.GET.urlencode()[:300],
        )
        response = observations_file_response(qs, fmt, "matis-statistics")
        if not response.streaming:
            return response
        # API clients get a complete body (and a Content-Length); the page export streams.
        body = b"".join(response.streaming_content)
        plain = HttpResponse(body, content_type=response["Content-Type"])
        plain["Content-Disposition"] = response["Content-Disposition"]
        return plain

    @extend_schema(
        parameters=OBSERVATION_FILTERS, responses={(200, "text/csv"): OpenApiTypes.BINARY}
    )
    @action(detail=False, url_path="export-csv")
    def export_csv(self, request):
        """Approved observations matching the filters, in the MATIS CSV layout."""
        return self._file("csv")

    @extend_schema(
        parameters=OBSERVATION_FILTERS, responses={(200, "text/csv"): OpenApiTypes.BINARY}
    )
    @action(detail=False, url_path="export-sdmx")
    def export_sdmx(self, request):
        """Approved observations matching the filters, as SDMX-CSV 1.0."""
        return self._file("sdmx-csv")

    @extend_schema(
        parameters=OBSERVATION_FILTERS,
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY
        },
    )
    @action(detail=False, url_path="export-xlsx")
    def export_xlsx(self, request):
        """Approved observations matching the filters, as an Excel workbook (template layout)."""
        return self._file("xlsx")

    @extend_schema(
        parameters=OBSERVATION_FILTERS,
        responses={(200, "application/adx+xml"): OpenApiTypes.BINARY},
    )
    @action(detail=False, url_path="export-adx")
    def export_adx(self, request):
        """Approved observations matching the filters, as DHIS2 ADX (codes from the ADX mapping).

        Figures published only as "below N" are withheld (ADX values are numbers);
        the header X-MATIS-Withheld says how many. A code the mapping lacks: 400.
        """
        return self._file("adx")


@scoped("global", model=StatisticalIndicator, lookup="code")
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators and the dimensions each may be broken down by."""

    queryset = StatisticalIndicator.objects.prefetch_related("indicator_dimensions__dimension")
    serializer_class = StatisticsIndicatorSerializer
    token_scopes = STATISTICS_READ
    lookup_field = "code"
    filterset_fields = ["is_glotip", "is_active"]


@scoped("global", model=Dimension, lookup="code")
class DimensionViewSet(viewsets.ReadOnlyModelViewSet):
    """Dimensions with their code lists."""

    queryset = Dimension.objects.select_related("code_list").prefetch_related(
        "code_list__codes__parent"
    )
    serializer_class = StatisticsDimensionSerializer
    token_scopes = STATISTICS_READ
    lookup_field = "code"


@scoped("global", model=ValidationRule, lookup="code")
class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    """Validation rules: left side, operator, right side, severity."""

    queryset = ValidationRule.objects.select_related("indicator", "dimension")
    serializer_class = StatisticsRuleSerializer
    token_scopes = STATISTICS_READ
    lookup_field = "code"


@scoped("country", model=Submission, lookup="pk")
class SubmissionViewSet(viewsets.ReadOnlyModelViewSet):
    """Submissions (country x year) and their status; own country, or all for region-wide users."""

    serializer_class = StatisticsSubmissionSerializer
    queryset = Submission.objects.none()
    filterset_fields = ["country", "period", "status"]
    token_scopes = {"read": "statistics:read", "create": "statistics:submit"}
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return own_country_for_tokens(self.request, selectors.submission_list(self.request.user))

    @extend_schema(
        request={"multipart/form-data": SubmissionUploadSerializer},
        responses={201: StatisticsSubmissionSerializer},
    )
    def create(self, request):
        """Post one year's file of the caller's country: imported and submitted for approval.

        The same checks as an uploaded file (every row; nothing written if any
        is wrong), then the submission waits for approval by a second person
        through the submission pages. Never approved here.
        """
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.core.exceptions import ValidationError as DjangoValidationError

        from matis.access.permissions import has_perm
        from matis.official_statistics.forms import MAX_UPLOAD_BYTES
        from matis.official_statistics.services import ImportRejected
        from matis.official_statistics.services.uploads import submission_post

        user = request.user
        if not user.country_id or not has_perm(user, "statistics.edit_submission", user.country_id):
            raise PermissionDenied
        form = SubmissionUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": ["the file is larger than the upload limit"]})
        try:
            submission = submission_post(
                actor=user,
                source=upload,
                fmt=form.validated_data["format"],
                year=form.validated_data["year"],
                filename=upload.name[:200],
            )
        except ImportRejected as exc:
            raise ValidationError({"file": [str(e) for e in exc.errors]}) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError({"year": exc.messages}) from None
        data = StatisticsSubmissionSerializer(
            selectors.submission_list(user).get(pk=submission.pk)
        ).data
        return Response(data, status=201)


DASHBOARD_PARAMS = [
    OpenApiParameter(
        "indicator", str, description="Indicator code (default: the first GLOTIP one)"
    ),
    OpenApiParameter("country", str, description="ISO alpha-3 of a COMMIT country"),
]


class StatisticsTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.DictField())


@scoped("global")
class DashboardViewSet(viewsets.ViewSet):
    """The dashboard tables (approved data only), as the pages and their downloads show them."""

    def _table(self, request, name: str):
        from matis.official_statistics.views.common import build_table

        try:
            table = build_table(request._request, name)
        except Http404 as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response(table.as_json())

    @extend_schema(
        parameters=[*DASHBOARD_PARAMS, OpenApiParameter("from", int), OpenApiParameter("to", int)],
        responses=StatisticsTableSerializer,
    )
    @action(detail=False)
    def trend(self, request):
        """Countries x years for an indicator's grand total."""
        return self._table(request, "trend")

    @extend_schema(
        parameters=[*DASHBOARD_PARAMS, OpenApiParameter("year", int)],
        responses=StatisticsTableSerializer,
    )
    @action(detail=False)
    def comparison(self, request):
        """The six countries side by side for one year (latest by default)."""
        return self._table(request, "comparison")

    @extend_schema(
        parameters=[*DASHBOARD_PARAMS, OpenApiParameter("dimension", str)],
        responses=StatisticsTableSerializer,
    )
    @action(detail=False)
    def breakdown(self, request):
        """One country's figures by sex, age, form of exploitation or citizenship."""
        return self._table(request, "breakdown")

    @extend_schema(responses=StatisticsTableSerializer)
    @action(detail=False)
    def completeness(self, request):
        """Indicator x country x year: approved grand totals."""
        return self._table(request, "completeness")

    @extend_schema(
        parameters=[OpenApiParameter("country", str)], responses=StatisticsTableSerializer
    )
    @action(detail=False)
    def context(self, request):
        """US TIP Report tier and 3P policy index (external assessments)."""
        return self._table(request, "context")


class RecordsFigureSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    series_key = serializers.CharField(allow_blank=True)
    value = serializers.FloatField(allow_null=True, help_text="The true count (internal).")
    stored = serializers.CharField(help_text="What the submission stores: 12, <11 or ..")


class RecordsProposalSerializer(serializers.Serializer):
    country = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    figures = RecordsFigureSerializer(many=True)
    rules = serializers.DictField(
        help_text="Counting rule of each indicator, in the language asked"
    )
    excluded = serializers.DictField(child=serializers.IntegerField())
    problems = serializers.ListField(child=serializers.CharField())


def _proposal_year(request, *, required: bool = True) -> int | None:
    raw = request.query_params.get("year") or request.data.get("year")
    if raw in (None, "") and not required:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"year": "give the year, e.g. ?year=2024"}) from None


@scoped("country", model=Submission)
class RecordsProposalViewSet(viewsets.ViewSet):
    """Figures from records: the proposed submission of the caller's country, and applying it.

    Statistics officers (and task force officers, administrators) of a country
    only. ``GET ?year=`` is one audited aggregate read of case data; ``POST
    ?year=`` applies the proposal: it writes a draft submission (small counts stored as <min_cell) that a second officer
    approves through the submission workflow.
    """

    def _country(self, request) -> str:
        from django.core.exceptions import PermissionDenied

        from matis.access.permissions import has_perm

        country = request.user.country_id
        if not country or not has_perm(request.user, "statistics.edit_submission", country):
            raise PermissionDenied
        return country

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="without it: the rules only")],
        responses=RecordsProposalSerializer,
    )
    def list(self, request):
        """The proposal for a year: every figure with its true count and what would be stored."""
        from matis.official_statistics.services.records import (
            records_proposal_compute,
            rule_texts,
        )

        country = self._country(request)
        year = _proposal_year(request, required=False)
        if year is None:  # the counting rules only: no records are read
            return Response(
                {
                    "country": country,
                    "year": None,
                    "figures": [],
                    "rules": rule_texts(),
                    "excluded": {},
                    "problems": [],
                }
            )
        proposal = records_proposal_compute(actor=request.user, country_id=country, year=year)
        return Response(
            {
                "country": country,
                "year": year,
                "figures": [
                    {
                        "indicator": f.indicator,
                        "series_key": f.series_key,
                        "value": f.value,
                        "stored": f.stored_display,
                    }
                    for f in proposal.figures
                ],
                "rules": rule_texts(),
                "excluded": proposal.excluded,
                "problems": proposal.problems,
            }
        )

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)],
        request=None,
        responses=StatisticsSubmissionSerializer,
    )
    def create(self, request):
        """Write the proposal into the year's draft submission (never approves it)."""
        from matis.official_statistics.services.records import (
            ProposalError,
            records_proposal_apply,
        )

        country, year = self._country(request), _proposal_year(request)
        try:
            records_proposal_apply(actor=request.user, country_id=country, year=year)
        except ProposalError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        submission = selectors.submission_list(request.user).get(country_id=country, period=year)
        return Response(StatisticsSubmissionSerializer(submission).data)


def add_routes(router) -> None:
    router.register(
        "statistics/observations", ObservationViewSet, basename="statistics-observation"
    )
    router.register("statistics/indicators", IndicatorViewSet, basename="statistics-indicator")
    router.register("statistics/dimensions", DimensionViewSet, basename="statistics-dimension")
    router.register("statistics/rules", RuleViewSet, basename="statistics-rule")
    router.register("statistics/submissions", SubmissionViewSet, basename="statistics-submission")
    router.register("statistics/dashboard", DashboardViewSet, basename="statistics-dashboard")
    router.register(
        "statistics/records-proposal", RecordsProposalViewSet, basename="statistics-records"
    )
