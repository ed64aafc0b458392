"""The chart on each register's list: rows (or a measure) per year, coloured by a category."""

from __future__ import annotations

from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.charts import NO_TOOLTIP_HANDLER, bar_chart
from matis.registers.kit.specs import Register


def _resolve_field(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field


def chart_data(spec: Register, queryset) -> list[dict]:
    """[{year, category, value}] for the (filtered) rows; years as the reader reads them."""
    if not spec.chart_by:
        return []
    year_path = spec.chart_year or spec.year_field or spec.date_field
    category_field = _resolve_field(spec.model, spec.chart_by)
    labels = dict(category_field.choices) if category_field.choices else {}
    measure = Sum(spec.chart_measure) if spec.chart_measure else Count("pk", distinct=True)
    # A fresh queryset: the list's own annotations must not join the grouping.
    qs = spec.model.objects.filter(pk__in=queryset.order_by().values("pk"))
    group = {"_category": F(spec.chart_by)}
    if year_path:
        year_field = _resolve_field(spec.model, year_path)
        is_date = year_field.get_internal_type() in {"DateField", "DateTimeField"}
        group["_year"] = ExtractYear(year_path) if is_date else F(year_path)
    rows = qs.values(**group).annotate(value=measure).order_by(*group)
    out = []
    for row in rows:
        if row["value"] in (None, 0) or ("_year" in row and row["_year"] is None):
            continue
        category = row["_category"]
        label = labels.get(category, category)
        if isinstance(category, bool):
            label = _("Yes") if category else _("No")
        out.append(
            {
                "year": display_year(row["_year"]) if "_year" in row else "",
                "category": str(label),
                "value": float(row["value"]),
            }
        )
    return out


def chart_spec(spec: Register, data: list[dict]) -> dict:
    """A stacked bar chart (Vega-Lite) of ``data``; the axis titles are in the reader's language."""
    field_label = str(_resolve_field(spec.model, spec.chart_by).verbose_name)
    measure_label = str(spec.chart_label or _("Records"))
    x = (
        {"field": "year", "type": "ordinal", "title": _("Year"), "axis": {"labelAngle": 0}}
        if any(d["year"] for d in data)
        else {"field": "category", "type": "nominal", "title": field_label}
    )
    return bar_chart(
        None,
        data,
        tooltip=False,
        height=220,
        usermeta=NO_TOOLTIP_HANDLER,
        encoding={
            "x": x,
            "y": {"field": "value", "type": "quantitative", "title": measure_label},
            "color": {
                "field": "category",
                "type": "nominal",
                "title": field_label[:1].upper() + field_label[1:],
            },
        },
    )
