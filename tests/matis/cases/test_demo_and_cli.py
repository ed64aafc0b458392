"""Demo data, key rotation and the command line."""

from __future__ import annotations

import base64
from collections import Counter

import pytest
from django.db import connection

from matis.access.models import AuditAction, AuditLog
from matis.cases.demo import generate_people, load_demo
from matis.cases.models import Alert, Case, Person, PersonSearchToken
from matis.cases.protection import keys

pytestmark = pytest.mark.django_db


def test_generated_people_are_deterministic_and_in_each_script():
    first = list(generate_people(400))
    assert first == list(generate_people(400))
    scripts = {
        "THA": (0x0E00, 0x0E7F),
        "LAO": (0x0E80, 0x0EFF),
        "KHM": (0x1780, 0x17FF),
        "MMR": (0x1000, 0x109F),
        "CHN": (0x4E00, 0x9FFF),
    }
    seen = Counter()
    for _country, _opened, p in first:
        if p.nationality in scripts:
            lo, hi = scripts[p.nationality]
            assert all(lo <= ord(ch) <= hi for ch in p.given_name), (p.nationality, p.given_name)
        else:  # Vietnamese, Latin script with diacritics
            assert p.given_name.split()[0] in {
                "Thị",
                "Ngọc",
                "Thu",
                "Kim",
                "Văn",
                "Hữu",
                "Đức",
                "Minh",
            }
        seen[p.nationality] += 1
    assert set(seen) == {"THA", "LAO", "KHM", "MMR", "CHN", "VNM"}
    children = sum(p.age < 18 for *_x, p in first)
    assert 0.15 < children / len(first) < 0.35


def test_demo_load_is_idempotent_and_synthetic():
    from matis.access.demo import load_demo as load_access_demo

    load_access_demo()
    message = load_demo(300)
    assert message.startswith("300 synthetic cases")
    assert load_demo(300) == "demo cases already loaded"
    assert Case.objects.count() == 300
    assert all(c.summary.startswith("Synthetic") for c in Case.objects.all()[:20])
    assert PersonSearchToken.objects.count() > 5 * Person.objects.count()
    assert Alert.objects.filter(resolved_at__isnull=True).exists()
    assert Case.objects.filter(exploitation_types__icontains="ForcedCriminality").exists()
    assert AuditLog.objects.filter(action=AuditAction.DEMO_LOAD).count() == 1


def test_key_rotation_reencrypts_everything_with_the_newest_key(world, register_case):
    from matis.cases.services import keys_rotate, stale_value_count

    case = register_case(world.worker, documents=[{"doc_type": "passport", "number": "RT123"}])
    old = keys.keyring()
    new_key = base64.b64decode(keys.new_key())
    keys.reset_keyring(keys.KeyRing(data_keys=(new_key, *old.data_keys), index_key=old.index_key))
    try:
        assert stale_value_count() > 0
        rewritten = keys_rotate(reload=False)
        assert rewritten >= 3 and stale_value_count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT given_name FROM cases_person WHERE id = %s", [case.person_id])
            assert cursor.fetchone()[0].split("$")[1] == keys.key_id(new_key)
        # the old key can now leave the ring
        keys.reset_keyring(keys.KeyRing(data_keys=(new_key,), index_key=old.index_key))
        assert Person.objects.get(pk=case.person_id).given_name == "มาลัย"
        row = AuditLog.objects.get(action=AuditAction.KEY_ROTATE)
        assert row.detail["stale_after"] == 0 and row.object_id == keys.key_id(new_key)
    finally:
        keys.reset_keyring(old)


def test_keys_rotate_reloads_the_ring_from_configuration(world, register_case, tmp_path, settings):
    """``matis cases new-key --key-file`` then ``rotate-keys``: the CLI path, end to end."""
    from matis.cases.cli import _cmd_new_key
    from matis.cases.services import keys_rotate, stale_value_count

    path = tmp_path / "case-keys"
    old = keys.keyring()
    keys.write_key_file(path, old)
    register_case(world.worker)
    settings.MATIS_CASE_KEY_FILE = path
    try:
        _cmd_new_key(type("A", (), {"key_file": str(path)})())
        ring = keys.parse_key_file(path.read_text())
        assert len(ring.data_keys) == 2 and ring.data_keys[1] == old.newest
        keys_rotate()
        assert keys.keyring().newest == ring.newest and stale_value_count() == 0
    finally:
        keys.reset_keyring(old)


def test_cli_detention_register(world, register_case, tmp_path, capsys):
    from matis.cli import main

    out = tmp_path / "reg.csv"
    assert (
        main(
            ["cases", "detention-register", "--country", "tha", "--year", "2025", "--out", str(out)]
        )
        == 0
    )
    assert out.read_text().startswith("place,kind,nationality")
