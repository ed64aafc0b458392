"""Monitoring API under /api/v1/: reports and national plans (country-scoped), dashboard
figures, indicators and exchange rates (shared)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from matis.access.scoping import scope_queryset, scoped
from matis.monitoring import dashboards, selectors
from matis.monitoring.models import (
    ActivityReport,
    BudgetEntry,
    ExchangeRate,
    IndicatorActual,
    NationalPlan,
    PlanIndicator,
    ReportPartner,
)


class BudgetEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetEntry
        fields = ["kind", "partner_name", "partner_type", "currency", "amount"]


class PartnerSerializer(serializers.ModelSerializer):
    function = serializers.CharField(source="function.code", default=None)

    class Meta:
        model = ReportPartner
        fields = ["partner_type", "name", "function"]


class ActivityReportSerializer(serializers.ModelSerializer):
    activity = serializers.CharField(source="activity.code")
    year = serializers.IntegerField(source="period.year")
    outputs = serializers.SerializerMethodField()
    responsible_agencies = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    partners = PartnerSerializer(many=True, read_only=True)
    budget = BudgetEntrySerializer(many=True, read_only=True)

    class Meta:
        model = ActivityReport
        fields = [
            "id",
            "country",
            "activity",
            "year",
            "progress",
            "workflow",
            "narrative",
            "narrative_language",
            "outputs",
            "responsible_agencies",
            "partners",
            "budget",
            "revision",
            "submitted_at",
            "approved_at",
            "synthetic",
        ]

    def get_outputs(self, obj) -> dict[str, int]:
        return {o.kind: o.count for o in obj.outputs.all()}


@scoped("country", model=ActivityReport, lookup="pk")
class ActivityReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Activity progress reports the reader may see (drafts only for the own country)."""

    serializer_class = ActivityReportSerializer
    queryset = ActivityReport.objects.none()
    filterset_fields = {
        "country": ["exact"],
        "workflow": ["exact"],
        "progress": ["exact"],
        "period__year": ["exact"],
    }

    def get_queryset(self):
        return (
            selectors.visible_reports(self.request.user)
            .select_related("activity", "period")
            .prefetch_related(
                "outputs",
                "responsible_agencies",
                Prefetch("partners", queryset=ReportPartner.objects.select_related("function")),
                "budget",
            )
            .order_by("pk")
        )


class NationalPlanSerializer(serializers.ModelSerializer):
    budgets = serializers.SerializerMethodField()

    class Meta:
        model = NationalPlan
        fields = [
            "id",
            "country",
            "title",
            "title_en",
            "start_year",
            "end_year",
            "adopted_on",
            "adopted_by",
            "national_committee",
            "subnational_committees",
            "monitoring_system",
            "monitoring_note",
            "budgets",
            "synthetic",
        ]

    def get_budgets(self, obj) -> list[dict]:
        return [
            {"year": b.year, "amount": str(b.amount), "currency": b.currency}
            for b in obj.budgets.all()
        ]


@scoped("country", model=NationalPlan, lookup="pk")
class NationalPlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NationalPlanSerializer
    queryset = NationalPlan.objects.none()

    def get_queryset(self):
        return selectors.national_plans(self.request.user).order_by("pk")


class IndicatorSerializer(serializers.ModelSerializer):
    goal = serializers.CharField(source="goal.code")

    class Meta:
        model = PlanIndicator
        fields = [
            "code",
            "goal",
            "name_en",
            "name_th",
            "unit",
            "direction",
            "source",
            "provider_code",
        ]


@scoped("global")
class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorSerializer
    queryset = PlanIndicator.objects.select_related("goal", "goal__area")


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    year = serializers.IntegerField(source="period.year")

    class Meta:
        model = IndicatorActual
        fields = ["indicator", "country", "year", "value", "source", "note"]


@scoped("country", model=IndicatorActual)
class IndicatorValueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Actual indicator values of the countries the reader may see."""

    serializer_class = IndicatorValueSerializer
    queryset = IndicatorActual.objects.none()
    filterset_fields = {"country": ["exact"], "period__year": ["exact"]}

    def get_queryset(self):
        return scope_queryset(
            self.request.user, IndicatorActual.objects.select_related("indicator", "period")
        ).order_by("pk")


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "year", "units_per_usd", "source"]


@scoped("global")
class ExchangeRateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ExchangeRateSerializer
    queryset = ExchangeRate.objects.order_by("year", "currency")
    filterset_fields = ["year", "currency"]


class CompletionRowSerializer(serializers.Serializer):
    country = serializers.CharField()
    year = serializers.IntegerField()
    completed = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    applicable = serializers.IntegerField()
    reported = serializers.IntegerField()
    completion_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    priority_completed = serializers.IntegerField()
    spending_usd = serializers.DecimalField(max_digits=18, decimal_places=2)


@scoped("global")
class DashboardViewSet(viewsets.ViewSet):
    """Completion of the plan by country and year, from approved reports (shared data)."""

    serializer_class = CompletionRowSerializer

    @extend_schema(
        parameters=[OpenApiParameter("year", int)], responses=CompletionRowSerializer(many=True)
    )
    def list(self, request):
        data = dashboards.load_monitoring_data()
        if data is None:
            return Response([])
        years = data.years
        if request.query_params.get("year", "").isdigit():
            years = [int(request.query_params["year"])]
        rows = []
        for country in data.countries:
            for year in years:
                overall = data.completion(year=year, country=country.iso3)
                priority = data.completion(year=year, country=country.iso3, priority=True)
                rows.append(
                    {
                        "country": country.iso3,
                        "year": year,
                        "completed": overall.completed,
                        "in_progress": overall.in_progress,
                        "applicable": overall.applicable,
                        "reported": overall.reported,
                        "completion_rate": overall.rate,
                        "priority_completed": priority.completed,
                        "spending_usd": data.usd(kind="spending", year=year, country=country.iso3),
                    }
                )
        return Response(CompletionRowSerializer(rows, many=True).data)


def add_routes(router) -> None:
    router.register("monitoring-reports", ActivityReportViewSet, basename="monitoring-report")
    router.register("national-plans", NationalPlanViewSet, basename="national-plan")
    router.register("monitoring-indicators", IndicatorViewSet, basename="monitoring-indicator")
    router.register(
        "monitoring-indicator-values", IndicatorValueViewSet, basename="monitoring-indicator-value"
    )
    router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
    router.register("monitoring-dashboard", DashboardViewSet, basename="monitoring-dashboard")
