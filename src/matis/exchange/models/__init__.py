"""Exchange records: the national outbox and alert copies, and the hub's inbox, tokens and alerts."""

from matis.exchange.models.hub import (
    CountryKey,
    DeidentifiedCase,
    HubAlert,
    InboxItem,
    LinkageToken,
    LinkDecision,
    MatchRun,
)
from matis.exchange.models.national import (
    AlertStatus,
    ItemKind,
    LinkageSubject,
    OutboxItem,
    OutboxStatus,
    ReceivedAlert,
)

__all__ = [
    "AlertStatus",
    "CountryKey",
    "DeidentifiedCase",
    "HubAlert",
    "InboxItem",
    "ItemKind",
    "LinkDecision",
    "LinkageSubject",
    "LinkageToken",
    "MatchRun",
    "OutboxItem",
    "OutboxStatus",
    "ReceivedAlert",
]
