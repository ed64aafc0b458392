"""Releasing: a publisher's audited act; the snapshot is protected and embargo holds."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from matis.access.models import AuditLog
from matis.publication.models import Release
from matis.publication.snapshot import OBS_FIELDS


def _obs(release):
    return [dict(zip(OBS_FIELDS, o, strict=True)) for o in release.snapshot["observations"]]


def test_release_stores_the_protected_table_and_is_audited(releases):
    v1, v2 = releases
    rows = {(o["country"], o["year"], o["key"]): o for o in _obs(v1)}
    small = rows[("THA", 2020, "SEX=M")]
    assert small["value"] is None and small["censored_below"] == v1.snapshot["min_cell"]
    # the other cell of the breakdown would give the small one away (120 - 113)
    assert rows[("THA", 2020, "SEX=F")]["value"] is None
    assert rows[("THA", 2020, "SEX=F")]["withheld"] is True
    assert rows[("THA", 2020, "")]["value"] == 120
    assert ("THA", 2021, "") not in rows  # approved after v1
    assert AuditLog.objects.filter(object_type="publication.release").count() == 2
    assert [r.version for r in Release.objects.published()] == [1]
    assert v2.version == 2 and not v2.is_published


def test_only_a_publisher_releases(db, make_user):
    from matis.publication.services import release_statistics

    with pytest.raises(PermissionDenied):
        release_statistics(actor=make_user(role="statistics_officer", country="THA"))
    assert not Release.objects.exists()


def test_a_new_version_needs_a_revision_note(releases, make_user):
    from django.core.exceptions import ValidationError

    from matis.publication.services import release_statistics

    with pytest.raises(ValidationError):
        release_statistics(actor=make_user(role="secretariat_analyst", country=None))
    assert Release.objects.count() == 2


def test_publish_command_releases_in_the_publishers_name(db, make_user, capsys):
    import argparse

    from matis.publication.cli import _statistics

    publisher = make_user(role="secretariat_analyst", country=None)
    args = argparse.Namespace(by=publisher.email, at="2999-01-01T00:00+00:00", note="")
    assert _statistics(args, lambda: None) == 0
    release = Release.objects.get()
    assert release.released_by == publisher and not release.is_published
    officer = make_user(role="statistics_officer", country="THA")
    args = argparse.Namespace(by=officer.email, at=None, note="again")
    assert _statistics(args, lambda: None) == 2
    assert Release.objects.count() == 1


def _row(key, value, **extra):
    return {"indicator": "VICTIMS_DETECTED", "country": "THA", "year": 2024, "key": key,
            "value": value, "censored_below": None, "missing": False, "withheld": False,
            "estimated": False, "provisional": False, **extra}  # fmt: skip


def test_a_total_hidden_for_one_breakdown_is_not_the_sum_of_another(settings):
    """F 12, M 3, total 15: the rule for the sex breakdown hides the total (hiding F as
    well would leave M in 1..4); the age breakdown, one cell of 15, is the total again,
    so it is withheld too. Before, the total stayed and gave M away as 15 - 12."""
    from matis.official_statistics.models import Unit
    from matis.publication.snapshot import protect

    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "protection": 5}
    rows = [
        _row("", 15), _row("SEX=F", 12), _row("SEX=M", 3), _row("AGE=Y_GE18", 15),
        _row("", 40, indicator="PROSECUTIONS"),
    ]  # fmt: skip
    protect(rows, {"VICTIMS_DETECTED": Unit.COUNT, "PROSECUTIONS": Unit.COUNT}, 11)
    shown = {
        (r["indicator"], r["key"]): "x" if r["withheld"] else r["censored_below"] or r["value"]
        for r in rows
    }
    assert shown == {
        ("VICTIMS_DETECTED", ""): "x",
        ("VICTIMS_DETECTED", "SEX=F"): 12,
        ("VICTIMS_DETECTED", "SEX=M"): 11,  # censored: "<11"
        ("VICTIMS_DETECTED", "AGE=Y_GE18"): "x",
        ("PROSECUTIONS", ""): 40,
    }
