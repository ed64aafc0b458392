"""Formsets whose inputs each carry an accessible name.

A formset drawn as a table shows each field's label once, in the column heading; the
inputs in the rows have no ``<label>`` of their own, so a screen reader announces an
unnamed box. :class:`RowLabelledFormSetMixin` names every visible input of every row
"<field label>, row <n>" (``aria-label``), and the empty row a page copies to add rows
"<field label>, new row".
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _


def row_name(label, index: int | None) -> str:
    """The accessible name of field ``label`` in row ``index`` (0-based; None: a new row)."""
    if index is None:
        return _("%(field)s, new row") % {"field": label}
    return _("%(field)s, row %(row)d") % {"field": label, "row": index + 1}


class RowLabelledFormSetMixin:
    """Put ``aria-label="<label>, row <n>"`` on each visible field of each form."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = field.label if field.label is not None else forms.forms.pretty_name(name)
            field.widget.attrs["aria-label"] = row_name(label, index)


class RowLabelledFormSet(RowLabelledFormSetMixin, forms.BaseFormSet):
    """A :class:`~django.forms.BaseFormSet` whose row inputs are named (see the module)."""
