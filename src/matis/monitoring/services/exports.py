"""Downloads of dashboard tables: written as CSV or Excel (``matis.common.tables``) and audited."""

from __future__ import annotations

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.common.tables import CONTENT_TYPES, Table, table_bytes

FORMATS = CONTENT_TYPES


def table_export(*, actor: User, table: Table, fmt: str, **detail) -> tuple[bytes, str]:
    """The table as ``fmt`` bytes and their content type; the export is audited."""
    data = table_bytes(table, fmt)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="monitoring.table",
        object_id=table.name,
        format=fmt,
        rows=len(table.rows),
        **detail,
    )
    return data, CONTENT_TYPES[fmt]
