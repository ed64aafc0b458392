"""Break-the-glass, key rotation and retention."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.gates import deny
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.cases.choices import AlertKind
from matis.cases.models import Alert, BreakGlassGrant, Case
from matis.cases.protection import cipher, keys
from matis.cases.protection.fields import EncryptedMixin

MIN_REASON_CHARS = 20


def break_glass_hours() -> int:
    return int(settings.MATIS_BREAK_GLASS_HOURS)


@transaction.atomic
def break_glass_open(*, actor: User, reference: str, reason: str) -> BreakGlassGrant:
    """Open one case of the actor's country for a limited time; supervisors are alerted.

    Answers :class:`matis.cases.gates.CaseNotAvailable` alike for an unknown
    case number and a case of another country.
    """
    from matis.cases.gates import CaseNotAvailable

    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValidationError(
            {
                "reason": _("Explain the emergency in at least %(n)d characters.")
                % {"n": MIN_REASON_CHARS}
            }
        )
    if not has_perm(actor, "cases.break_glass"):
        raise CaseNotAvailable()
    case = Case.objects.filter(
        reference=reference.strip().upper(), country_id=actor.country_id
    ).first()
    if case is None:
        raise deny(actor, "cases.case", reference, "break_glass", error=CaseNotAvailable)
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=actor,
        case=case,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + dt.timedelta(hours=break_glass_hours()),
    )
    audit_record(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        obj=case,
        grant=grant.pk,
        expires_at=grant.expires_at.isoformat(),
    )
    alert = Alert.objects.create(
        case=case, country_id=case.country_id, kind=AlertKind.BREAK_GLASS, grant=grant
    )
    audit_record(
        actor=actor,
        action=AuditAction.ALERT_RAISE,
        obj=case,
        alert=alert.pk,
        kind=AlertKind.BREAK_GLASS,
    )
    return grant


def encrypted_models() -> list[tuple[type, list]]:
    out = []
    for model in apps.get_app_config("cases").get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            out.append((model, fields))
    return out


def stale_value_count(ring: keys.KeyRing | None = None) -> int:
    """How many stored values are not under the newest data key."""
    ring = ring or keys.keyring()
    prefix = f"{cipher.PREFIX}{cipher.SEPARATOR}{ring.newest_id}{cipher.SEPARATOR}%"
    total = 0
    with connection.cursor() as cursor:
        for model, fields in encrypted_models():
            table = connection.ops.quote_name(model._meta.db_table)
            for f in fields:
                column = connection.ops.quote_name(f.column)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
                    f"AND {column} NOT LIKE %s",
                    [prefix],
                )
                total += cursor.fetchone()[0]
    return total


def keys_rotate(*, actor: User | None = None, batch_size: int = 500, reload: bool = True) -> int:
    """Re-encrypt every stored value with the newest data key; returns rows rewritten.

    Add the new key at the front of the key ring first (``matis cases new-key``);
    remove the old one only after this has run and ``stale_value_count`` is 0.
    ``reload`` re-reads the key ring from its configuration first.
    """
    if reload:
        keys.reset_keyring()
    ring = keys.keyring()
    rewritten = 0
    for model, fields in encrypted_models():
        names = [f.name for f in fields]
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                rows = list(model.objects.filter(pk__in=pks[start : start + batch_size]))
                model.objects.bulk_update(rows, names)
                rewritten += len(rows)
    stale = stale_value_count(ring)
    audit_record(
        actor=actor,
        action=AuditAction.KEY_ROTATE,
        object_type="cases.keyring",
        object_id=ring.newest_id,
        rows=rewritten,
        stale_after=stale,
    )
    return rewritten


def purge_expired(
    *, actor: User | None = None, today: dt.date | None = None, dry_run: bool = False
) -> list[str]:
    """Securely delete every closed case past its retention date."""
    from matis.cases.services.cases import case_secure_delete

    today = today or dt.date.today()
    due = list(Case.objects.filter(retention_until__lt=today).order_by("pk"))
    if dry_run:
        return [c.reference for c in due]
    return [case_secure_delete(actor=actor, case=c, reason="retention period ended") for c in due]
