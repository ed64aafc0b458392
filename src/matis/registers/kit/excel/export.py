"""Writing a register's rows and child rows as a workbook, with a README sheet."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.common.models import Country
from matis.common.tables import bold_row, set_cell, workbook_bytes
from matis.registers.kit.display import field_label
from matis.registers.kit.excel.cells import (
    README,
    child_columns,
    column_letter,
    encode,
    main_columns,
)
from matis.registers.kit.specs import Register


def _write_sheet(sheet, columns: list[str], rows) -> None:
    # The workbook is imported again: text is stored as written (no ' prefix),
    # as a string cell, so a spreadsheet program never evaluates it.
    for index, column in enumerate(columns, start=1):
        set_cell(sheet, 1, index, column, prefix=False)
    bold_row(sheet, 1)
    sheet.freeze_panes = "A2"
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            set_cell(sheet, r, c, value, prefix=False)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[column_letter(index - 1)].width = max(12, min(40, len(column) + 4))


def _describe(model, name: str) -> tuple[str, str]:
    if name == "ref":
        return str(field_label(model, "ref")), _("Text; matches rows on import. Empty: a new row.")
    if name.endswith("_ref"):
        return _("Reference of the parent row"), _("Text")
    field = model._meta.get_field(name)
    label = field_label(model, name)
    if field.many_to_many:
        return label, _("ISO 3166-1 alpha-3 codes separated by commas, e.g. THA, KHM")
    if field.many_to_one and field.related_model is Country:
        return label, _("ISO 3166-1 alpha-3 code, e.g. THA")
    if field.many_to_one:
        return label, _("Reference of a %(what)s") % {
            "what": field.related_model._meta.verbose_name
        }
    if field.choices:
        return label, "; ".join(f"{v} = {lbl}" for v, lbl in field.choices)
    if isinstance(field, models.BooleanField):
        return label, _("yes or no")
    if isinstance(field, models.DateField):
        return label, _("Date, YYYY-MM-DD")
    if isinstance(field, models.IntegerField):
        return label, _("Whole number")
    if isinstance(field, models.DecimalField):
        return label, _("Number")
    return label, _("Text")


def export_workbook(spec: Register, queryset, *, actor) -> bytes:
    """The rows of ``queryset`` (already scoped) and their children as an Excel workbook."""
    from openpyxl import Workbook

    workbook = Workbook()
    main = workbook.active
    main.title = spec.sheet_name[:31]
    columns = main_columns(spec)
    m2m = [f for f in columns if spec.model._meta.get_field(f).many_to_many]
    rows = list(queryset.prefetch_related(*m2m))
    _write_sheet(
        main,
        [*columns, "synthetic"],
        ([encode(o, c) for c in [*columns, "synthetic"]] for o in rows),
    )
    readme = [(spec.sheet_name, c, *_describe(spec.model, c)) for c in columns]
    ids = [o.pk for o in rows]
    for child in spec.children:
        sheet = workbook.create_sheet(child.sheet[:31])
        child_cols = child_columns(spec, child)
        related = [f"{child.fk}__country"] + [
            f for f in child.fields if child.model._meta.get_field(f).many_to_one
        ]
        children = child.model.objects.filter(**{f"{child.fk}_id__in": ids}).select_related(
            *related
        )

        def values(row, child=child):
            parent = getattr(row, child.fk)
            return [parent.country_id, parent.ref, *[encode(row, f) for f in child.fields]]

        _write_sheet(sheet, child_cols, (values(r) for r in children))
        readme += [(child.sheet, c, *_describe(child.model, c)) for c in child_cols[1:]]
    info = workbook.create_sheet(README)
    _write_sheet(info, ["sheet", "column", "label", "format"], readme)
    data = workbook_bytes(workbook)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=spec.model._meta.label_lower,
        register=spec.key,
        rows=len(rows),
    )
    return data
