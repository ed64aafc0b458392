"""Admin site: indicator definitions are edited here; everything else is read-only, because
reports, periods, rates and values change only through the services, which audit each change."""

from django.contrib import admin

from matis.common.admin import ReadOnlyAdmin
from matis.monitoring.models import (
    ActivityReport,
    ExchangeRate,
    IndicatorActual,
    IndicatorBaseline,
    IndicatorTarget,
    NationalPlan,
    PlanIndicator,
    ReportingPeriod,
)


@admin.register(PlanIndicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "goal", "name_en", "unit", "source", "provider_code"]
    list_filter = ["source", "unit"]
    search_fields = ["code", "name_en", "name_th"]


@admin.register(ActivityReport)
class ActivityReportAdmin(ReadOnlyAdmin):
    list_display = ["country", "activity", "period", "progress", "workflow", "updated_at"]
    list_filter = ["workflow", "progress", "country", "period"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ReadOnlyAdmin):
    list_display = ["plan", "year", "opens_on", "closes_on", "closed_at"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ["year", "currency", "units_per_usd", "source"]


for model in (NationalPlan, IndicatorBaseline, IndicatorTarget, IndicatorActual):
    admin.site.register(model, ReadOnlyAdmin)
