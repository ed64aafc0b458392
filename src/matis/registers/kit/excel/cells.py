"""Columns and cell values: from Python to Excel and back, with the errors users can fix.

Reading cells (``cell_text``, ``is_blank``, ``column_letter``) is the common
import kit's (:mod:`matis.common.importing`); this module adds register fields.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _

from matis.common.importing import cell_text, is_blank
from matis.common.importing import column_letter as column_letter  # export.py reads it here
from matis.common.models import Country
from matis.registers.kit.specs import Child, Register, scope_rows

MAX_ROWS = 20_000
README = "README"
EXPORT_ONLY = {"synthetic"}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def main_columns(spec: Register) -> list[str]:
    return ["ref", "country", *spec.fields]


def child_columns(spec: Register, child: Child) -> list[str]:
    return ["country", f"{child.fk}_ref", *child.fields]


def _is_register_fk(field) -> bool:
    return field.many_to_one and hasattr(field.related_model, "REF_PREFIX")


class CellValueError(ValueError):
    pass


_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}
_SPLIT = re.compile(r"[\s,;]+")


def _choice(field, raw) -> str:
    text = cell_text(raw)
    for value, label in field.choices:
        if text == value or text.casefold() in (str(value).casefold(), str(label).casefold()):
            return value
    allowed = ", ".join(str(v) for v, _label in field.choices)
    raise CellValueError(
        _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
    )


def _date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(cell_text(raw))
    except ValueError:
        raise CellValueError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw}
        ) from None


def _integer(raw) -> int:
    if isinstance(raw, bool):
        raise CellValueError(_("Expected a whole number."))
    if isinstance(raw, int):
        return raw
    try:
        number = Decimal(cell_text(raw))
    except InvalidOperation:
        raise CellValueError(_("“%(value)s” is not a whole number.") % {"value": raw}) from None
    if number != number.to_integral_value():
        raise CellValueError(_("“%(value)s” is not a whole number.") % {"value": raw})
    return int(number)


def _decimal(raw) -> Decimal:
    try:
        return Decimal(cell_text(raw))
    except InvalidOperation:
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": raw}) from None


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = cell_text(raw).casefold()
    if text in _TRUE or text == _("yes").casefold():
        return True
    if text in _FALSE or text == _("no").casefold():
        return False
    raise CellValueError(_("“%(value)s” is not yes or no.") % {"value": raw})


def _countries(raw) -> list[Country]:
    codes = [c.upper() for c in _SPLIT.split(cell_text(raw)) if c]
    found = {c.iso3: c for c in Country.objects.filter(iso3__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise CellValueError(
            _("Unknown country code(s): %(codes)s (use ISO 3166-1 alpha-3, e.g. THA).")
            % {"codes": ", ".join(unknown)}
        )
    return [found[c] for c in codes]


class DecodeContext:
    """What decoding a cell needs: the reader and the row's country."""

    def __init__(self, actor):
        self.actor = actor
        self.country_id: str | None = None


def decode(field, raw, ctx: DecodeContext):
    """Python value for ``field`` from an Excel cell; raises CellValueError."""
    empty = is_blank(raw)
    if field.many_to_many:
        return [] if empty else _countries(raw)
    if empty:
        if field.has_default():
            return field.get_default()
        if isinstance(field, models.CharField | models.TextField) and not field.null:
            return ""
        return None
    if field.many_to_one and field.related_model is Country:
        code = cell_text(raw).upper()
        country = Country.objects.filter(iso3=code).first()
        if country is None:
            raise CellValueError(
                _("Unknown country code “%(code)s” (use ISO 3166-1 alpha-3, e.g. THA).")
                % {"code": code}
            )
        return country
    if _is_register_fk(field):
        return _lookup_ref(field.related_model, cell_text(raw), ctx)
    if field.choices:
        return _choice(field, raw)
    if isinstance(field, models.BooleanField):
        return _boolean(raw)
    if isinstance(field, models.DateField):
        return _date(raw)
    if isinstance(field, models.IntegerField):
        return _integer(raw)
    if isinstance(field, models.DecimalField):
        return _decimal(raw)
    return cell_text(raw)


def _lookup_ref(model, ref: str, ctx: DecodeContext):
    regional = model._meta.get_field("country").null
    candidates = list(scope_rows(ctx.actor, model.objects.filter(ref=ref), regional=regional))
    if len(candidates) > 1:
        same = [c for c in candidates if c.country_id == ctx.country_id]
        candidates = same or candidates
    if not candidates:
        raise CellValueError(
            _("No %(what)s with reference “%(ref)s”.")
            % {"what": model._meta.verbose_name, "ref": ref}
        )
    if len(candidates) > 1:
        raise CellValueError(_("The reference “%(ref)s” is ambiguous.") % {"ref": ref})
    return candidates[0]


def encode(obj, name: str):
    """Excel cell value for ``obj.<name>``."""
    if name == "synthetic":
        return "yes" if obj.synthetic else ""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(sorted(c.pk for c in getattr(obj, name).all()))
    if field.many_to_one:
        related = getattr(obj, name)
        if related is None:
            return None
        return related.pk if field.related_model is Country else related.ref
    value = getattr(obj, name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value) if value % 1 else int(value)
    return value
