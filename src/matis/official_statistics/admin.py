from django.contrib import admin

from matis.common.admin import ReadOnlyAdmin
from matis.official_statistics.models import (
    AdxCode,
    Code,
    CodeList,
    ContextSeries,
    Dimension,
    ImportJob,
    IndicatorDimension,
    Observation,
    RuleViolation,
    StatisticalIndicator,
    Submission,
    ValidationRule,
)


class CodeInline(admin.TabularInline):
    model = Code
    fields = ["code", "name_en", "name_th", "parent", "source_labels", "order", "is_active"]
    extra = 1


@admin.register(CodeList)
class CodeListAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en"]
    inlines = [CodeInline]


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "code_list", "parent", "is_active"]
    list_filter = ["code_list", "is_active"]
    search_fields = ["code", "name_en", "source_labels"]


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "code_list", "order"]


class IndicatorDimensionInline(admin.TabularInline):
    model = IndicatorDimension
    extra = 1


@admin.register(StatisticalIndicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "unit", "is_glotip", "is_active", "order"]
    list_filter = ["is_glotip", "is_active"]
    inlines = [IndicatorDimensionInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_en",
        "left_side",
        "operator",
        "right_side",
        "severity",
        "is_active",
    ]
    list_filter = ["severity", "is_active"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["country", "period", "status", "approved_at"]
    list_filter = ["status", "country"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "country",
        "period",
        "series_key",
        "value",
        "censored_below",
        "approved",
    ]
    list_filter = ["approved", "indicator"]
    show_full_result_count = False


@admin.register(RuleViolation)
class RuleViolationAdmin(ReadOnlyAdmin):
    list_display = ["submission", "rule", "indicator", "series_key", "severity"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["filename", "format", "country", "status", "created_at"]


@admin.register(ContextSeries)
class ContextSeriesAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en"]


@admin.register(AdxCode)
class AdxCodeAdmin(admin.ModelAdmin):
    """The DHIS2 <-> MATIS code mapping for ADX files; every change is audited."""

    list_display = ["kind", "category", "dhis2_code", "matis_code", "note"]
    list_filter = ["kind", "category"]
    search_fields = ["dhis2_code", "matis_code", "category"]

    def save_model(self, request, obj, form, change):
        from matis.official_statistics.services.adx import adx_code_save

        adx_code_save(actor=request.user, code=obj)

    def delete_model(self, request, obj):
        from matis.official_statistics.services.adx import adx_code_delete

        adx_code_delete(actor=request.user, code=obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletions go one by one, each audited
        return actions
