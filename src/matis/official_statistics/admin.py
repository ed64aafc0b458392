from django.contrib import admin

from matis.common.admin import ReadOnlyAdmin
from matis.official_statistics.models import (
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
