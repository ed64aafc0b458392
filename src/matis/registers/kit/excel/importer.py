"""Reading a workbook back: every cell checked, every error reported, all or nothing."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.registers.kit.excel.cells import (
    EXPORT_ONLY,
    MAX_ROWS,
    CellError,
    CellValueError,
    DecodeContext,
    ImportFailed,
    ImportResult,
    cell_text,
    child_columns,
    column_letter,
    decode,
    is_blank,
    main_columns,
)
from matis.registers.kit.specs import Child, Register, scope_rows


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
            code = cell_text(raw) if raw is not None else ""
            if not code:
                continue
            letter = column_letter(index)
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
            if values is None or all(is_blank(v) for v in values):
                continue
            if len(self.rows) >= MAX_ROWS:
                message = _("Too many rows (the limit is %(n)s).") % {"n": MAX_ROWS}
                errors.append(CellError(name, number, "", "", message))
                break
            row = {c: (values[i] if i < len(values) else None) for c, i in positions.items()}
            self.rows.append((number, row))

    def letter(self, code: str) -> str:
        return self.letters.get(code, "")


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
        ctx = DecodeContext(self.actor)
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
        if not has_perm(self.actor, "registers.change_record", country_id):
            self._error(reader, number, "country", _("You may not change rows of this country."))
            return
        values = self._decode_row(reader, number, row, model, columns[2:], ctx)
        if values is None:
            return
        ref = cell_text(row.get("ref")) if row.get("ref") is not None else ""
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
            ctx = DecodeContext(self.actor)
            try:
                country = decode(spec.model._meta.get_field("country"), row.get("country"), ctx)
            except CellValueError as exc:
                self._error(reader, number, "country", exc)
                continue
            ctx.country_id = country.pk if country else None
            ref = cell_text(row.get(parent_ref) or "")
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
            if not has_perm(self.actor, "registers.change_record", parent.country_id):
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
