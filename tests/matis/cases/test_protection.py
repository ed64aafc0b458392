"""Encryption at rest, key ring, blind indexes and name normalisation."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from matis.cases.protection import cipher, keys
from matis.cases.protection.blind import name_digests, query_digests
from matis.cases.protection.names import (
    clean_name,
    document_key,
    is_zawgyi,
    normalise,
    romanise,
    romanised_key,
    to_unicode_burmese,
)


def _ring(*data: bytes, index: bytes = b"i" * 32) -> keys.KeyRing:
    return keys.KeyRing(data_keys=data, index_key=index)


def test_round_trip_and_authentication():
    ring = _ring(b"a" * 32)
    token = cipher.encrypt("สมหญิง", label="cases.person.given_name", ring=ring)
    assert "สมหญิง" not in token and token.startswith("c1$")
    assert cipher.decrypt(token, label="cases.person.given_name", ring=ring) == "สมหญิง"
    with pytest.raises(cipher.DecryptionError):  # moved to another column
        cipher.decrypt(token, label="cases.person.family_name", ring=ring)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(cipher.DecryptionError):
        cipher.decrypt(tampered, label="cases.person.given_name", ring=ring)


def test_padding_hides_length_and_nonce_is_fresh():
    ring = _ring(b"a" * 32)
    short = cipher.encrypt("Li", label="x", ring=ring)
    longer = cipher.encrypt("Nguyen Thi Lan", label="x", ring=ring)
    assert len(short) == len(longer)
    assert cipher.encrypt("Li", label="x", ring=ring) != short


def test_old_keys_still_decrypt_after_a_new_key_is_added():
    old, new = b"o" * 32, b"n" * 32
    token = cipher.encrypt("Kyaw", label="x", ring=_ring(old))
    assert cipher.decrypt(token, label="x", ring=_ring(new, old)) == "Kyaw"
    with pytest.raises(cipher.DecryptionError, match="not in the key ring"):
        cipher.decrypt(token, label="x", ring=_ring(new))


def test_key_file_parsing_errors_name_the_line():
    good = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(keys.CaseKeysMissing, match="line 2"):
        keys.parse_key_file(f"index {good}\ndata not-base64!\n")
    with pytest.raises(keys.CaseKeysMissing, match="index"):
        keys.parse_key_file(f"data {good}\n")
    with pytest.raises(keys.CaseKeysMissing, match="differ"):
        keys.parse_key_file(f"index {good}\ndata {good}\n")


def test_production_without_keys_refuses(settings):
    settings.ENV = "production"
    settings.MATIS_CASE_KEYS = []
    settings.MATIS_CASE_KEY_FILE = None
    with pytest.raises(keys.CaseKeysMissing, match="refuses"):
        keys.load_keyring()


def test_keys_from_settings(settings):
    a, b, i = (base64.b64encode(x * 32).decode() for x in (b"a", b"b", b"i"))
    settings.MATIS_CASE_KEYS = [a, b]
    settings.MATIS_CASE_INDEX_KEY = i
    ring = keys.load_keyring()
    assert ring.data_keys == (b"a" * 32, b"b" * 32) and ring.index_key == b"i" * 32


def test_world_readable_key_file_is_refused(tmp_path, settings):
    ring = _ring(b"a" * 32)
    path = tmp_path / "keys"
    keys.write_key_file(path, ring)
    assert path.stat().st_mode & 0o777 == 0o600
    settings.MATIS_CASE_KEY_FILE = path
    settings.MATIS_CASE_KEYS = []
    assert keys.load_keyring() == ring
    path.chmod(0o644)
    with pytest.raises(keys.CaseKeysMissing, match="chmod 600"):
        keys.load_keyring()


@pytest.mark.django_db
def test_database_holds_ciphertext_only(world, register_case):
    from matis.cases.models import Person

    case = register_case(world.worker, given_name="ปราณี", family_name="ใจงาม")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, family_name FROM cases_person WHERE id = %s", [case.person_id]
        )
        raw_given, raw_family = cursor.fetchone()
    assert raw_given.startswith("c1$") and "ปราณี" not in raw_given
    assert "ใจงาม" not in raw_family
    assert Person.objects.get(pk=case.person_id).given_name == "ปราณี"


@pytest.mark.django_db
def test_encrypted_columns_cannot_be_filtered():
    from matis.cases.models import Person

    with pytest.raises(FieldError, match="blind index"):
        list(Person.objects.filter(given_name="x"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(given_name__icontains="x"))


@pytest.mark.django_db
def test_dumpdata_serialises_ciphertext(world, register_case):
    from django.core import serializers

    from matis.cases.models import Person

    register_case(world.worker, given_name="บุญมา")
    text = serializers.serialize("json", Person.objects.all())
    assert "บุญมา" not in text and "c1$" in text


# --- names ---------------------------------------------------------------

# Zawgyi -> Unicode pairs (from python-myanmar's documentation and checked by hand).
ZAWGYI_PAIRS = [
    ("ဉာဏ္ႀကီးရွင္", "ဉာဏ်ကြီးရှင်"),
    ("ေက်ာ္ေက်ာ္", "ကျော်ကျော်"),
    ("ျမန္မာ", "မြန်မာ"),
    ("ခင္ေမာင္ေထြး", "ခင်မောင်ထွေး"),
    ("ႏွင္း", "နှင်း"),
]


@pytest.mark.parametrize(("zawgyi", "unicode"), ZAWGYI_PAIRS)
def test_zawgyi_is_detected_and_converted(zawgyi, unicode):
    assert is_zawgyi(zawgyi)
    assert not is_zawgyi(unicode)
    assert to_unicode_burmese(zawgyi) == unicode
    assert to_unicode_burmese(unicode) == unicode
    assert clean_name(zawgyi) == unicode


def test_other_scripts_pass_through():
    for text in ("สมชาย", "សុខ", "ສົມພອນ", "王小明", "Nguyễn Thị Lan"):
        assert to_unicode_burmese(text) == text


def test_normal_forms():
    assert normalise("  Nguyễn   THỊ  lan ") == "nguyễn thị lan"
    assert normalise("ＡＢＣ") == "abc"  # NFKC folds full-width letters
    assert romanised_key("Nguyễn Thị-Lan") == romanised_key("NGUYEN THI LAN") == "nguyenthilan"
    assert document_key(" ab-123 456 ") == "AB123456"
    assert romanise("王小明").lower().replace(" ", "") == "wangxiaoming"


def test_blind_index_matches_across_forms():
    ring = _ring(b"a" * 32)
    stored = name_digests("Nguyễn Thị Lan", ring=ring)
    for query in ("nguyen thi lan", "NGUYỄN THỊ LAN", "Lan", "Nguyen"):
        assert query_digests(query, ring=ring) & stored, query
    assert not query_digests("Tran", ring=ring) & stored
    other_key = _ring(b"a" * 32, index=b"j" * 32)
    assert not query_digests("Lan", ring=other_key) & stored


# --- the audit log holds no personal value in the clear --------------------


def test_person_update_audits_before_after_with_names_sealed(
    world, register_case, client, make_user
):
    from matis.access.models import AuditAction, AuditLog
    from matis.cases import services
    from matis.cases.models import Person

    case = register_case(world.worker, given_name="Srey Mom", family_name="Chanthavong")
    services.person_update(
        actor=world.worker,
        case=case,
        person={"given_name": "Sokha Dara", "gender": "Masculine"},
        case_values={"summary": "Met at Poipet checkpoint"},
    )
    event = AuditLog.objects.filter(action=AuditAction.RECORD_UPDATE).latest("id")
    assert event.object_type == "cases.case" and event.object_id == str(case.pk)
    # a plain field: before/after as they are
    assert event.changes["person.gender"] == ["Feminine", "Masculine"]
    # an encrypted field: before/after as ciphertext under the case-data cipher, bound
    # to its column, so that whoever holds the keys can still read what changed
    sealed = event.changes["person.given_name"]["sealed"]
    field = Person._meta.get_field("given_name")
    assert [field.to_python(token) for token in sealed] == ["Srey Mom", "Sokha Dara"]
    assert "sealed" in event.changes["summary"]
    # the audit table itself, read raw as a dump would, holds none of the plaintext
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM access_auditlog")
        dump = repr(cursor.fetchall())
    for secret in ("Srey Mom", "Sokha Dara", "Chanthavong", "Poipet", "Sokha", "Srey"):
        assert secret not in dump
    # the audit page labels the change and says the names are encrypted
    client.force_login(make_user(role="auditor", country=None))
    page = client.get("/audit/?action=record_update").content.decode()
    assert "Given name(s) as written" in page and "encrypted" in page
    assert "Sokha" not in page and "Srey" not in page
