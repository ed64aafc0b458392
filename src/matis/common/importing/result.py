"""What an import did: one result for every format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass
class ImportResult:
    """Rows read, and per sheet (or kind of record) how many were created, updated, unchanged.

    ``changed_keys`` names the records that changed (activity codes, references)
    where a format lists them; ``notes`` are extra sentences for ``str()``;
    ``attempts`` counts the write attempts (a collision with a concurrent
    import retries the whole write).
    """

    n_rows: int = 0
    counts: dict[str, Counter] = field(default_factory=dict)
    changed_keys: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    attempts: int = 1

    def add(self, sheet: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts.setdefault(sheet, Counter())[outcome] += n

    def count(self, sheet: str, outcome: str) -> int:
        return self.counts.get(sheet, Counter())[outcome]

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def n_created(self) -> int:
        return self.total(CREATED)

    @property
    def n_updated(self) -> int:
        return self.total(UPDATED)

    @property
    def n_unchanged(self) -> int:
        return self.total(UNCHANGED)

    @property
    def n_skipped(self) -> int:
        return self.total(SKIPPED)

    @property
    def changed(self) -> bool:
        return bool(self.n_created or self.n_updated)

    def as_dict(self) -> dict:
        return {sheet: dict(c) for sheet, c in self.counts.items()}

    def __str__(self) -> str:
        text = _(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"
        ) % {
            "rows": self.n_rows,
            "created": self.n_created,
            "updated": self.n_updated,
            "unchanged": self.n_unchanged,
        }
        for note in self.notes:
            text += "; " + note
        if self.dry_run:
            text += " " + _("(check only: nothing was written)")
        return text
