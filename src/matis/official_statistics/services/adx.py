"""Changes to the ADX code mapping (the admin site's saves), audited with before/after values."""

from __future__ import annotations

from django.db import transaction

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction
from matis.official_statistics.models import AdxCode

AUDITED = ("kind", "category", "dhis2_code", "matis_code", "note")


@transaction.atomic
def adx_code_save(*, actor, code: AdxCode) -> AdxCode:
    """Create or change one mapping entry."""
    if code.pk is None:
        code.save()
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_CREATE,
            obj=code,
            changes=changes_since(dict.fromkeys(AUDITED), code),
        )
        return code
    before = snapshot(AdxCode.objects.get(pk=code.pk), AUDITED)
    code.save()
    changes = changes_since(before, code)
    if changes:
        audit_record(actor=actor, action=AuditAction.RECORD_UPDATE, obj=code, changes=changes)
    return code


@transaction.atomic
def adx_code_delete(*, actor, code: AdxCode) -> None:
    """Remove one mapping entry; the audit row keeps what it said."""
    before = snapshot(code, AUDITED)
    pk = code.pk
    code.delete()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_DELETE,
        object_type="statistics.adxcode",
        object_id=pk,
        changes={k: [v, None] for k, v in before.items()},
    )
