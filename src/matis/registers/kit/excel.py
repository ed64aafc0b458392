"""Excel import and export, the same for every register.

A register's workbook has one sheet for its rows and one per kind of child
row (participants, reviews, ...). Row 1 holds the column codes (field names,
language-independent), so a workbook exported in Thai imports in Vietnamese.
The ``README`` sheet explains each column in the reader's language.

Imports are all-or-nothing: every cell is checked, every error is reported
with its sheet, row and column, and if there is any error nothing is written.
Rows are matched by their natural key (the reference, or the child's key
within its parent), so importing the same workbook twice changes nothing.
Rows missing from the workbook are left alone: imports never delete.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.common.models import Country
from matis.registers.kit.display import field_label
from matis.registers.kit.specs import Child, Register, may_write, scope_rows

MAX_ROWS = 20_000
README = "README"
EXPORT_ONLY = {"synthetic"}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str  # the column letter, "" for a whole row or sheet
    header: str  # the column code
    message: str

    def __str__(self) -> str:
        where = (
            f"{self.sheet}!{self.column}{self.row}"
            if self.column
            else f"{self.sheet} row {self.row}"
        )
        if not self.row:
            where = self.sheet or _("workbook")
        return (
            f"{where} ({self.header}): {self.message}"
            if self.header
            else f"{where}: {self.message}"
        )


class ImportFailed(Exception):
    """The workbook had errors; nothing was written."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported")


@dataclass
class ImportResult:
    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, sheet: str, outcome: str) -> None:
        self.counts.setdefault(sheet, Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def as_dict(self) -> dict:
        return {sheet: dict(c) for sheet, c in self.counts.items()}


# --- columns -----------------------------------------------------------------
def main_columns(spec: Register) -> list[str]:
    return ["ref", "country", *spec.fields]


def child_columns(spec: Register, child: Child) -> list[str]:
    return ["country", f"{child.fk}_ref", *child.fields]


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _is_register_fk(field) -> bool:
    return field.many_to_one and hasattr(field.related_model, "REF_PREFIX")


# --- cell values -------------------------------------------------------------
class CellValueError(ValueError):
    pass


_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}
_SPLIT = re.compile(r"[\s,;]+")


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _choice(field, raw) -> str:
    text = _text(raw)
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
        return dt.date.fromisoformat(_text(raw))
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
        number = Decimal(_text(raw))
    except InvalidOperation:
        raise CellValueError(_("“%(value)s” is not a whole number.") % {"value": raw}) from None
    if number != number.to_integral_value():
        raise CellValueError(_("“%(value)s” is not a whole number.") % {"value": raw})
    return int(number)


def _decimal(raw) -> Decimal:
    try:
        return Decimal(_text(raw))
    except InvalidOperation:
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": raw}) from None


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).casefold()
    if text in _TRUE or text == _("yes").casefold():
        return True
    if text in _FALSE or text == _("no").casefold():
        return False
    raise CellValueError(_("“%(value)s” is not yes or no.") % {"value": raw})


def _countries(raw) -> list[Country]:
    codes = [c.upper() for c in _SPLIT.split(_text(raw)) if c]
    found = {c.iso3: c for c in Country.objects.filter(iso3__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise CellValueError(
            _("Unknown country code(s): %(codes)s (use ISO 3166-1 alpha-3, e.g. THA).")
            % {"codes": ", ".join(unknown)}
        )
    return [found[c] for c in codes]


class _Context:
    """What decoding a cell needs: the reader and the row's country."""

    def __init__(self, actor):
        self.actor = actor
        self.country_id: str | None = None


def decode(field, raw, ctx: _Context):
    """Python value for ``field`` from an Excel cell; raises CellValueError."""
    empty = _blank(raw)
    if field.many_to_many:
        return [] if empty else _countries(raw)
    if empty:
        if field.has_default():
            return field.get_default()
        if isinstance(field, models.CharField | models.TextField) and not field.null:
            return ""
        return None
    if field.many_to_one and field.related_model is Country:
        code = _text(raw).upper()
        country = Country.objects.filter(iso3=code).first()
        if country is None:
            raise CellValueError(
                _("Unknown country code “%(code)s” (use ISO 3166-1 alpha-3, e.g. THA).")
                % {"code": code}
            )
        return country
    if _is_register_fk(field):
        return _lookup_ref(field.related_model, _text(raw), ctx)
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
    return _text(raw)


def _lookup_ref(model, ref: str, ctx: _Context):
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


# --- export ------------------------------------------------------------------
def _write_sheet(sheet, columns: list[str], rows) -> None:
    from openpyxl.styles import Font

    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column)
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[_column_letter(index - 1)].width = max(12, min(40, len(column) + 4))


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
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=spec.model._meta.label_lower,
        register=spec.key,
        rows=len(rows),
    )
    return buffer.getvalue()


# --- import ------------------------------------------------------------------
def _open_workbook(fileobj):
    from openpyxl import load_workbook

    try:
        return load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a bad file
        raise ImportFailed(
            [CellError("", 0, "", "", _("The file is not an Excel workbook (.xlsx)."))]
        ) from None


class _SheetReader:
    """Rows of one sheet as {column code: raw value}, with the header checked."""

    def __init__(self, worksheet, name: str, expected: list[str], required: list[str], errors):
        self.name = name
        self.rows: list[tuple[int, dict]] = []
        self.letters: dict[str, str] = {}
        positions: dict[str, int] = {}
        iterator = worksheet.iter_rows(values_only=True)
        header = next(iterator, None) or ()
        known = set(expected) | EXPORT_ONLY
        for index, raw in enumerate(header):
            code = _text(raw) if raw is not None else ""
            if not code:
                continue
            letter = _column_letter(index)
            if code not in known:
                errors.append(CellError(name, 1, letter, code, _("Unknown column.")))
            elif code in positions:
                errors.append(CellError(name, 1, letter, code, _("Duplicate column.")))
            else:
                positions[code] = index
                self.letters[code] = letter
        for code in required:
            if code not in positions:
                errors.append(CellError(name, 1, "", code, _("Missing column.")))
        positions = {c: i for c, i in positions.items() if c in expected}
        for number, values in enumerate(iterator, start=2):
            if values is None or all(_blank(v) for v in values):
                continue
            if len(self.rows) >= MAX_ROWS:
                message = _("Too many rows (the limit is %(n)s).") % {"n": MAX_ROWS}
                errors.append(CellError(name, number, "", "", message))
                break
            row = {c: (values[i] if i < len(values) else None) for c, i in positions.items()}
            self.rows.append((number, row))

    def letter(self, code: str) -> str:
        return self.letters.get(code, "")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Importer:
    def __init__(self, spec: Register, actor):
        self.spec = spec
        self.actor = actor
        self.errors: list[CellError] = []
        self.result = ImportResult()

    # errors ---------------------------------------------------------------
    def _error(self, reader: _SheetReader, row: int, code: str, message) -> None:
        self.errors.append(CellError(reader.name, row, reader.letter(code), code, str(message)))

    def _validation_errors(
        self, reader, row: int, exc: ValidationError, columns: list[str]
    ) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self._error(reader, row, "", message)
            return
        for name, messages in exc.message_dict.items():
            code = name if name in columns else ""
            if name == NON_FIELD_ERRORS:
                code = ""
            for message in messages:
                if code == "" and name not in (NON_FIELD_ERRORS,):
                    message = f"{name}: {message}"
                self._error(reader, row, code, message)

    # decoding -------------------------------------------------------------
    def _decode_row(
        self, reader, number: int, row: dict, model, columns: list[str], ctx
    ) -> dict | None:
        values, ok = {}, True
        for code in columns:
            if code not in row:
                continue
            try:
                values[code] = decode(model._meta.get_field(code), row[code], ctx)
            except CellValueError as exc:
                self._error(reader, number, code, exc)
                ok = False
        return values if ok else None

    # main sheet -----------------------------------------------------------
    def run(self, workbook) -> None:
        spec = self.spec
        names = workbook.sheetnames
        if spec.sheet_name not in names:
            self.errors.append(CellError(spec.sheet_name, 0, "", "", _("The sheet is missing.")))
            return
        columns = main_columns(spec)
        required = ["ref", "country", *spec.natural_key]
        reader = _SheetReader(
            workbook[spec.sheet_name], spec.sheet_name, columns, required, self.errors
        )
        if self.errors:
            return
        seen: dict[tuple, int] = {}
        for number, row in reader.rows:
            self._import_main_row(reader, number, row, columns, seen)
        for child in spec.children:
            if child.sheet in names:
                self._import_child_sheet(workbook[child.sheet], child)

    def _import_main_row(self, reader, number, row, columns, seen) -> None:
        spec, model = self.spec, self.spec.model
        ctx = _Context(self.actor)
        country = None
        try:
            country = decode(model._meta.get_field("country"), row.get("country"), ctx)
        except CellValueError as exc:
            self._error(reader, number, "country", exc)
            return
        country_id = country.pk if country else None
        ctx.country_id = country_id
        if country_id is None and not spec.regional:
            self._error(reader, number, "country", _("The country is required."))
            return
        if not may_write(self.actor, country_id):
            self._error(reader, number, "country", _("You may not change rows of this country."))
            return
        values = self._decode_row(reader, number, row, model, columns[2:], ctx)
        if values is None:
            return
        ref = _text(row.get("ref")) if row.get("ref") is not None else ""
        key_fields = [k for k in spec.natural_key if k != "ref"]
        if spec.natural_key == ("ref",) and not ref:
            self._error(
                reader, number, "ref", _("The reference is required: it makes imports repeatable.")
            )
            return
        key = (
            (country_id, ref)
            if spec.natural_key == ("ref",)
            else (country_id, *[values.get(k) for k in key_fields])
        )
        if key in seen:
            self._error(reader, number, "ref", _("Same row as row %(row)s.") % {"row": seen[key]})
            return
        seen[key] = number
        lookup = {"country_id": country_id}
        if spec.natural_key == ("ref",):
            lookup["ref"] = ref
        else:
            lookup.update({k: values.get(k) for k in key_fields})
        existing = model.objects.filter(**lookup).first()
        obj = existing or model(country_id=country_id)
        if ref:
            obj.ref = ref
        m2m = {k: v for k, v in values.items() if model._meta.get_field(k).many_to_many}
        plain = {k: v for k, v in values.items() if k not in m2m}
        outcome = self._save(reader, number, obj, plain, m2m, columns, existing is not None)
        if outcome:
            self.result.add(reader.name, outcome)

    def _save(
        self, reader, number, obj, plain: dict, m2m: dict, columns, exists: bool
    ) -> str | None:
        before = _snapshot(obj, list(plain), list(m2m)) if exists else None
        for name, value in plain.items():
            setattr(obj, name, value)
        try:
            obj.full_clean()
        except ValidationError as exc:
            self._validation_errors(reader, number, exc, columns)
            return None
        after_plain = {n: getattr(obj, n) for n in plain}
        after_m2m = {n: sorted(c.pk for c in v) for n, v in m2m.items()}
        if exists and before == (after_plain, after_m2m):
            return "unchanged"
        try:
            with transaction.atomic():
                obj.save()
                for name, countries in m2m.items():
                    getattr(obj, name).set(countries)
        except IntegrityError:
            self._error(reader, number, "", _("This row conflicts with another record."))
            return None
        audit_record(
            actor=self.actor,
            action=AuditAction.RECORD_UPDATE if exists else AuditAction.RECORD_CREATE,
            obj=obj,
            via="import",
        )
        return "updated" if exists else "created"

    # child sheets ---------------------------------------------------------
    def _import_child_sheet(self, worksheet, child: Child) -> None:
        spec = self.spec
        columns = child_columns(spec, child)
        parent_ref = f"{child.fk}_ref"
        required = ["country", parent_ref, *child.key]
        reader = _SheetReader(worksheet, child.sheet, columns, required, self.errors)
        if any(e.sheet == child.sheet for e in self.errors):
            return
        seen: dict[tuple, int] = {}
        for number, row in reader.rows:
            ctx = _Context(self.actor)
            try:
                country = decode(spec.model._meta.get_field("country"), row.get("country"), ctx)
            except CellValueError as exc:
                self._error(reader, number, "country", exc)
                continue
            ctx.country_id = country.pk if country else None
            ref = _text(row.get(parent_ref) or "")
            parents = scope_rows(
                self.actor, spec.model.objects.filter(ref=ref), regional=spec.regional
            )
            parent = parents.filter(country_id=ctx.country_id).first()
            if parent is None:
                self._error(
                    reader,
                    number,
                    parent_ref,
                    _("No %(what)s with reference “%(ref)s” in this country.")
                    % {"what": spec.verbose_name, "ref": ref},
                )
                continue
            if not may_write(self.actor, parent.country_id):
                self._error(
                    reader, number, "country", _("You may not change rows of this country.")
                )
                continue
            values = self._decode_row(reader, number, row, child.model, list(child.fields), ctx)
            if values is None:
                continue
            key = (parent.pk, *[values.get(k) for k in child.key])
            if key in seen:
                self._error(
                    reader, number, child.key[0], _("Same row as row %(row)s.") % {"row": seen[key]}
                )
                continue
            seen[key] = number
            if child.write is not None:
                try:
                    with transaction.atomic():
                        _obj, created = child.write(parent=parent, values=values, actor=self.actor)
                except ValidationError as exc:
                    self._validation_errors(reader, number, exc, columns)
                    continue
                self.result.add(child.sheet, "created" if created else "unchanged")
                continue
            existing = child.model.objects.filter(
                **{child.fk: parent}, **{k: values.get(k) for k in child.key}
            ).first()
            obj = existing or child.model(**{child.fk: parent})
            outcome = self._save(reader, number, obj, values, {}, columns, existing is not None)
            if outcome:
                self.result.add(child.sheet, outcome)


def _snapshot(obj, plain: list[str], m2m: list[str]):
    return (
        {n: getattr(obj, n) for n in plain},
        {n: sorted(getattr(obj, n).values_list("pk", flat=True)) for n in m2m},
    )


def import_workbook(spec: Register, fileobj, *, actor, filename: str = "") -> ImportResult:
    """Import a register's workbook all-or-nothing; raise :class:`ImportFailed` with every error."""
    workbook = _open_workbook(fileobj)
    importer = _Importer(spec, actor)
    try:
        with transaction.atomic():
            importer.run(workbook)
            if importer.errors:
                raise ImportFailed(importer.errors)
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type=spec.model._meta.label_lower,
                register=spec.key,
                file=filename[:120],
                counts=importer.result.as_dict(),
            )
    finally:
        workbook.close()
    return importer.result
