"""Showing register values as readers expect them: labels, choices, countries, BE dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from matis.common.calendars import display_date
from matis.common.models import Country
from matis.registers.kit.specs import Computed


def field_label(model, name: str) -> str:
    field = model._meta.get_field(name)
    label = str(field.verbose_name)
    return label[:1].upper() + label[1:]


def column_label(model, column) -> str:
    if isinstance(column, Computed):
        return str(column.label)
    return field_label(model, column)


def format_value(value) -> str:
    """Plain text for one value (no HTML); dates in the reader's calendar."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Country):
        return value.display_name
    if isinstance(value, dt.datetime | dt.date):
        return display_date(value)
    if isinstance(value, int):
        return formats.number_format(value, 0, force_grouping=True)
    if isinstance(value, Decimal | float):
        return formats.number_format(value, 1 if value % 1 else 0, force_grouping=True)
    return str(value)


def field_value(obj, name: str):
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(format_value(v) for v in getattr(obj, name).all()) or "–"
    if field.choices and not field.is_relation:
        raw = getattr(obj, name)
        return getattr(obj, f"get_{name}_display")() if raw not in (None, "") else "–"
    if name == "country" and obj.country_id is None:
        return _("Regional")
    if isinstance(field, models.FileField):
        return getattr(obj, "document_name", "") or ("–" if not getattr(obj, name) else _("Yes"))
    return format_value(getattr(obj, name))


def cell(obj, column, context: dict | None = None) -> str:
    """The text of ``column`` for ``obj`` (model field or :class:`Computed`)."""
    if isinstance(column, Computed):
        value = column.value(obj, context or {})
        if column.kind == "badge":
            if not value:
                return ""
            text, css = value
            return format_html('<span class="badge {}">{}</span>', css, text)
        return format_value(value)
    return field_value(obj, column)


def is_numeric(model, column) -> bool:
    if isinstance(column, Computed):
        return column.kind == "int"
    field = model._meta.get_field(column)
    return isinstance(field, models.IntegerField | models.DecimalField) and not field.choices
