"""Demo: one release of the approved official statistics, so /public/ is not empty."""

from __future__ import annotations

from matis.publication.models import Release
from matis.publication.services import STATISTICS_DATASET, release_statistics


def load_demo() -> str:
    if Release.objects.filter(dataset=STATISTICS_DATASET).exists():
        return "publication: already released"
    release = release_statistics(actor=None, revision_note="Demo release.")
    return f"publication: {release} ({len(release.snapshot['observations'])} figures)"
