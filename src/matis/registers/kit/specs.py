"""Describing a register: which model, which fields, which child rows, filters and chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet

from matis.access.scoping import scope_queryset


@dataclass(frozen=True)
class Computed:
    """A list or detail column computed from the row (annotation or method), not a model field."""

    key: str
    label: Any
    value: Callable[[Any, dict], Any]
    kind: str = "text"  # text | int | date | badge


@dataclass(frozen=True)
class Flag:
    """A yes/no filter of a list, e.g. "review overdue"; ``apply(qs, today)`` narrows the rows."""

    key: str
    label: Any
    apply: Callable[[QuerySet, Any], QuerySet]


@dataclass(frozen=True)
class Child:
    """Rows that belong to one register row: edited inline, exported on a sheet of their own.

    ``key`` identifies a row within its parent, so imports update instead of
    duplicating. ``write`` replaces the plain save for rows that need a
    service (a trainer assignment checks the accreditation).
    """

    model: type[models.Model]
    fk: str
    fields: tuple[str, ...]
    key: tuple[str, ...]
    sheet: str
    inline: bool = True
    extra: int = 1
    write: Callable[..., tuple[models.Model, bool]] | None = None


@dataclass(frozen=True)
class Register:
    key: str
    model: type[models.Model]
    group: str
    activities: tuple[str, ...]
    fields: tuple[str, ...]
    list_columns: tuple[str | Computed, ...]
    filters: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    date_field: str | None = None  # gives the row's year (filters, charts)
    year_field: str | None = None  # or an integer year field
    children: tuple[Child, ...] = ()
    natural_key: tuple[str, ...] = ("ref",)
    chart_by: str | None = None
    chart_measure: str | None = None  # None counts rows; else sums this (child) field
    chart_label: Any = None
    flags: tuple[Flag, ...] = ()
    detail_columns: tuple[Computed, ...] = ()
    annotate: Callable[[QuerySet], QuerySet] | None = None
    prefetch: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    extra_form_fields: Callable[..., dict] | None = None
    after_save: Callable[..., None] | None = None
    extra_template: str | None = None
    file_field: str | None = None
    sheet: str = ""
    chart_year: str | None = None  # the year of the chart, when not the row's own (a child's)

    @property
    def regional(self) -> bool:
        """Whether rows may belong to the region (country left empty)."""
        return self.model._meta.get_field("country").null

    @property
    def sheet_name(self) -> str:
        return self.sheet or self.key

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def url_name(self, action: str) -> str:
        return f"registers:{self.key}_{action}"

    def year_expression(self):
        from django.db.models.functions import ExtractYear

        if self.year_field:
            return models.F(self.year_field)
        if self.date_field:
            return ExtractYear(self.date_field)
        return None

    def base_queryset(self) -> QuerySet:
        ordering = [*self.model._meta.ordering, "pk"]
        qs = self.model.objects.select_related("country", *self.related).order_by(*ordering)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        if self.annotate:
            qs = self.annotate(qs)
        return qs


# --- who may see and change what ---------------------------------------------
# Who writes is the permission table (``registers.add_record``, ``registers.change_record``
# in matis.access.permissions); which rows one sees is the country scope.


def scope_rows(user, queryset: QuerySet, *, regional: bool) -> QuerySet:
    """Rows ``user`` may see: own country; regional rows (country empty) for everyone."""
    return scope_queryset(user, queryset, regional=regional)


_REGISTRY: dict[str, Register] = {}


def define_register(spec: Register) -> Register:
    if spec.key in _REGISTRY and _REGISTRY[spec.key] is not spec:
        raise ValueError(f"register {spec.key!r} is defined twice")
    _REGISTRY[spec.key] = spec
    return spec


def registers() -> list[Register]:
    import matis.registers.registry  # noqa: F401 - defines the registers

    return list(_REGISTRY.values())


def get_register(key: str) -> Register:
    import matis.registers.registry  # noqa: F401

    return _REGISTRY[key]


def register_for_model(model) -> Register | None:
    return next((r for r in registers() if r.model is model), None)
