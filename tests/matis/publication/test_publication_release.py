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
