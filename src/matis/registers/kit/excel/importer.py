"""Reading a workbook back: every cell checked, every error reported, all or nothing.

The register sheets on the common import kit (:mod:`matis.common.importing`):
the main sheet's header is checked first; rows are then decoded and saved in
the kit's one transaction (a child row may name a parent created a few rows
earlier), and any problem undoes the whole workbook.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, audit_row
from matis.access.models import AuditAction, AuditLog
from matis.access.permissions import has_perm
from matis.common.importing import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRejected,
    ImportResult,
    NotAWorkbook,
    Problems,
    column_letter,
    opened_workbook,
    run_import,
    sheet_header,
    sheet_rows,
)
from matis.registers.kit.excel.cells import (
    EXPORT_ONLY,
    MAX_ROWS,
    CellValueError,
    DecodeContext,
    cell_text,
    child_columns,
    decode,
    main_columns,
)
from matis.registers.kit.specs import Child, Register, scope_rows


class _SheetReader:
    """Rows of one sheet as {column code: raw value}, with the header checked."""

    def __init__(self, worksheet, name: str, expected: list[str], required: list[str], problems):
        self.name = name
        self.rows: list[tuple[int, dict]] = []
        self.letters: dict[str, str] = {}
        positions: dict[str, int] = {}
        known = set(expected) | EXPORT_ONLY
        for index, code in enumerate(sheet_header(worksheet)):
            if not code:
                continue
            letter = column_letter(index)
            if code not in known:
                problems.add(_("Unknown column."), sheet=name, row=1, column=letter, field=code)
            elif code in positions:
                problems.add(_("Duplicate column."), sheet=name, row=1, column=letter, field=code)
            else:
                positions[code] = index
                self.letters[code] = letter
        for code in required:
            if code not in positions:
                problems.add(_("Missing column."), sheet=name, row=1, field=code)
        positions = {c: i for c, i in positions.items() if c in expected}
        for number, values in sheet_rows(worksheet, first_row=2):
            if len(self.rows) >= MAX_ROWS:
                message = _("Too many rows (the limit is %(n)s).") % {"n": MAX_ROWS}
                problems.add(message, sheet=name, row=number)
                break
            row = {c: (values[i] if i < len(values) else None) for c, i in positions.items()}
            self.rows.append((number, row))

    def letter(self, code: str) -> str:
        return self.letters.get(code, "")


def _read_main_sheet(spec: Register, workbook, problems: Problems) -> _SheetReader | None:
    """Parse: the main sheet, its header checked; None (with a problem) if it is missing."""
    if spec.sheet_name not in workbook.sheetnames:
        problems.add(_("The sheet is missing."), sheet=spec.sheet_name)
        return None
    return _SheetReader(
        workbook[spec.sheet_name],
        spec.sheet_name,
        main_columns(spec),
        ["ref", "country", *spec.natural_key],
        problems,
    )


# Rows per INSERT/UPDATE statement of the bulk write (SQLite allows 32,766 parameters).
BULK_BATCH = 500


@dataclass
class _Planned:
    """A checked main row and what writing it does (created or updated)."""

    number: int
    obj: Any
    m2m: dict
    fields: list[str]
    outcome: str


class _Importer:
    def __init__(self, spec: Register, actor, problems: Problems):
        self.spec = spec
        self.actor = actor
        self.problems = problems
        self.result = ImportResult()

    # errors ---------------------------------------------------------------
    def _error(self, reader: _SheetReader, row: int, code: str, message) -> None:
        self.problems.add(
            str(message), sheet=reader.name, row=row, column=reader.letter(code), field=code
        )

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
    def run(self, workbook, reader: _SheetReader) -> ImportResult:
        spec = self.spec
        columns = main_columns(spec)
        seen: dict[tuple, int] = {}
        for number, row in reader.rows:
            self._import_main_row(reader, number, row, columns, seen)
            self.result.n_rows += 1
        for child in spec.children:
            if child.sheet in workbook.sheetnames:
                self._import_child_sheet(workbook[child.sheet], child)
        return self.result

    def plan(self, reader: _SheetReader) -> list[_Planned]:
        """Check every main row and decide what to write, reading only (no write lock yet)."""
        columns = main_columns(self.spec)
        seen: dict[tuple, int] = {}
        planned: list[_Planned] = []
        for number, row in reader.rows:
            self._import_main_row(reader, number, row, columns, seen, planned)
            self.result.n_rows += 1
        return planned

    def write_planned(self, workbook, reader: _SheetReader, planned: list[_Planned]):
        """Write the planned main rows in bulk, then the child sheets; inside the transaction."""
        model = self.spec.model
        now = timezone.now()
        new = [p.obj for p in planned if p.outcome == CREATED]
        changed = [p for p in planned if p.outcome == UPDATED]
        try:
            with transaction.atomic():
                unnamed = [obj for obj in new if not obj.ref]
                for obj in unnamed:  # unique until the primary key names it (one UPDATE below)
                    obj.ref = f"~{uuid.uuid4().hex}"
                model.objects.bulk_create(new, batch_size=BULK_BATCH)
                for obj in unnamed:  # what RegisterRecord.save does for one row
                    obj.ref = f"{model.REF_PREFIX}-{obj.country_id or 'REG'}-{obj.pk}"
                model.objects.bulk_update(unnamed, ["ref"], batch_size=BULK_BATCH)
                fields = sorted({f for p in changed for f in p.fields} | {"updated_at"})
                for p in changed:
                    p.obj.updated_at = now
                model.objects.bulk_update([p.obj for p in changed], fields, batch_size=BULK_BATCH)
                for p in planned:
                    for name, countries in p.m2m.items():
                        getattr(p.obj, name).set(countries)
        except IntegrityError:
            self.problems.add(_("This row conflicts with another record."), sheet=reader.name)
            return self.result
        audit_rows = [
            audit_row(
                actor=self.actor,
                action=(
                    AuditAction.RECORD_UPDATE if p.outcome == UPDATED else AuditAction.RECORD_CREATE
                ),
                obj=p.obj,
                via="import",
            )
            for p in planned
        ]
        AuditLog.objects.bulk_create(audit_rows, batch_size=BULK_BATCH)
        for p in planned:
            self.result.add(reader.name, p.outcome)
        for child in self.spec.children:
            if child.sheet in workbook.sheetnames:
                self._import_child_sheet(workbook[child.sheet], child)
        return self.result

    def _import_main_row(self, reader, number, row, columns, seen, planned=None) -> None:
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
        if planned is not None:
            outcome = self._check(reader, number, obj, plain, m2m, columns, existing is not None)
            if outcome in (CREATED, UPDATED):
                planned.append(_Planned(number, obj, m2m, list(plain), outcome))
            elif outcome:
                self.result.add(reader.name, outcome)
            return
        outcome = self._save(reader, number, obj, plain, m2m, columns, existing is not None)
        if outcome:
            self.result.add(reader.name, outcome)

    def _save(
        self, reader, number, obj, plain: dict, m2m: dict, columns, exists: bool
    ) -> str | None:
        outcome = self._check(reader, number, obj, plain, m2m, columns, exists)
        if outcome in (CREATED, UPDATED) and not self._write_one(reader, number, obj, m2m, exists):
            return None
        return outcome

    def _check(
        self, reader, number, obj, plain: dict, m2m: dict, columns, exists: bool
    ) -> str | None:
        """Set and validate ``obj`` (reads only); what saving it would do, or None on a problem."""
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
            return UNCHANGED
        return UPDATED if exists else CREATED

    def _write_one(self, reader, number, obj, m2m: dict, exists: bool) -> bool:
        try:
            with transaction.atomic():
                obj.save()
                for name, countries in m2m.items():
                    getattr(obj, name).set(countries)
        except IntegrityError:
            self._error(reader, number, "", _("This row conflicts with another record."))
            return False
        audit_record(
            actor=self.actor,
            action=AuditAction.RECORD_UPDATE if exists else AuditAction.RECORD_CREATE,
            obj=obj,
            via="import",
        )
        return True

    # child sheets ---------------------------------------------------------
    def _import_child_sheet(self, worksheet, child: Child) -> None:
        spec = self.spec
        columns = child_columns(spec, child)
        parent_ref = f"{child.fk}_ref"
        required = ["country", parent_ref, *child.key]
        before = self.problems.n
        reader = _SheetReader(worksheet, child.sheet, columns, required, self.problems)
        if self.problems.n != before:
            return
        seen: dict[tuple, int] = {}
        for number, row in reader.rows:
            self.result.n_rows += 1
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
                self.result.add(child.sheet, CREATED if created else UNCHANGED)
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
    """Import a register's workbook all-or-nothing; raise :class:`ImportRejected` with every error.

    The result counts, per sheet, the rows created, updated and unchanged.

    Every main row is checked and compared with the database first, reading
    only; the write transaction then inserts and updates them in bulk, so on
    SQLite the write lock is held for seconds, not for the whole check
    (issue 13, finding 18). A workbook with problems in the main sheet and
    child sheets to check as well takes the row-by-row path, which reports the
    child sheets' problems too, and writes nothing.
    """

    def parse(problems: Problems):
        reader = _read_main_sheet(spec, workbook, problems)
        if reader is None or problems:
            return reader, None, None
        importer = _Importer(spec, actor, Problems())
        planned = importer.plan(reader)
        has_children = any(c.sheet in workbook.sheetnames for c in spec.children)
        if importer.problems and not has_children:
            for problem in importer.problems:
                problems.append(problem)
            problems.n = importer.problems.n
            return reader, None, None
        return reader, importer, (None if importer.problems else planned)

    def store(parsed, problems: Problems) -> ImportResult:
        reader, importer, planned = parsed
        if planned is None:  # the row-by-row path: every problem of every sheet
            result = _Importer(spec, actor, problems).run(workbook, reader)
        else:
            importer.problems = problems
            result = importer.write_planned(workbook, reader, planned)
        if not problems:
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type=spec.model._meta.label_lower,
                register=spec.key,
                file=filename[:120],
                counts=result.as_dict(),
            )
        return result

    try:
        with opened_workbook(fileobj) as workbook:
            return run_import(parse=parse, store=store)
    except NotAWorkbook as exc:
        raise ImportRejected.one(str(exc)) from None
