"""Public reads: only releases whose publication date has come."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from matis.publication.models import Release


def published_releases() -> QuerySet[Release]:
    return Release.objects.published()


def statistics_datasets() -> list[Release]:
    """The latest published version of every statistics dataset."""
    latest: dict[str, Release] = {}
    for release in published_releases().filter(kind=Release.Kind.STATISTICS).defer("snapshot"):
        if release.dataset not in latest or release.version > latest[release.dataset].version:
            latest[release.dataset] = release
    return sorted(latest.values(), key=lambda r: r.dataset)


def statistics_release(dataset: str, version: int | None = None) -> Release:
    """One published version (the latest when ``version`` is None), or 404."""
    qs = published_releases().filter(kind=Release.Kind.STATISTICS, dataset=dataset)
    release = (qs.filter(version=version) if version else qs.order_by("-version")).first()
    if release is None:
        raise Http404("no such published release")
    return release


def versions(dataset: str) -> QuerySet[Release]:
    return published_releases().filter(dataset=dataset).defer("snapshot").order_by("-version")


def report_releases() -> QuerySet[Release]:
    return (
        published_releases()
        .filter(kind=Release.Kind.REPORT)
        .select_related("report")
        .order_by("-publish_at")
    )


def release_calendar() -> QuerySet[Release]:
    """Every release, embargoed ones included: the publisher's calendar (never a public page)."""
    return (
        Release.objects.select_related("released_by", "report")
        .defer("snapshot")
        .order_by("-publish_at", "dataset", "-version")
    )


def releasable_reports():
    """Annual reports that are published and rendered: the ones ``release_report`` accepts."""
    from django.db.models import Q

    from matis.reports.models import AnnualReport

    return (
        AnnualReport.objects.filter(published_at__isnull=False)
        .exclude(Q(pdf_file="") & Q(html_file=""))
        .select_related("country")
        .order_by("-year", "country_id", "language")
    )


def next_statistics_version(dataset: str) -> int:
    from django.db.models import Max

    top = Release.objects.filter(dataset=dataset).aggregate(m=Max("version"))["m"]
    return (top or 0) + 1
