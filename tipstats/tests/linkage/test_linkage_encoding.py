"""Keyed Bloom-filter encodings: keys, determinism, serialisation, anonlink compatibility."""

import base64

import numpy as np
import pandas as pd
import pytest

from tipstats.linkage import (
    MATIS_SCHEMA,
    MATIS_SCHEMA_V1,
    BloomEncoder,
    Encodings,
    EncodingSchema,
    FieldSpec,
    SchemaMismatchError,
    derive_key,
    dice_coefficient,
    dice_pairs,
    hkdf_sha256,
)

SECRET = b"test-secret-shared-by-six-governments"
PEOPLE = pd.DataFrame(
    {
        "name": ["Sokha Chan", "សុខា ចាន់", "Somchai Jaidee", "Nguyễn Thị Hương"],
        "date_of_birth": ["1999-04-02", "1999-02-04", "1985-11-30", "1990"],
        "sex": ["f", "ស្រី", "m", "F"],
    },
    index=["kh-1", "th-7", "th-8", "vn-3"],
)


def test_hkdf_matches_rfc5869_test_case_1():
    okm = hkdf_sha256(
        bytes.fromhex("0b" * 22),
        salt=bytes.fromhex("000102030405060708090a0b0c"),
        info=bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        length=42,
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_field_keys_differ_and_short_secrets_are_refused():
    assert derive_key(SECRET, "field:name") != derive_key(SECRET, "field:sex")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        BloomEncoder(MATIS_SCHEMA, b"short")


def test_encoding_is_deterministic_and_keyed():
    a = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)
    b = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)
    other = BloomEncoder(MATIS_SCHEMA, b"another-secret-entirely-123456").encode(PEOPLE)
    assert np.array_equal(a.packed, b.packed)
    assert not np.array_equal(a.packed, other.packed)
    # the same person, another script and a day/month swap, stays close; others do not
    dice = dice_pairs(a, a, [0, 0, 0], [1, 2, 3])
    assert dice[0] > 0.75
    assert dice[1] < 0.6 and dice[2] < 0.6
    # keyed with another secret, the same record is unrelated
    assert dice_pairs(a, other, [0], [0])[0] < 0.6


def test_encodings_carry_no_plain_values():
    enc = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)
    blob = b"".join(enc.to_bytes()) + enc.to_frame().to_csv().encode()
    for word in (b"sokha", b"Sokha", b"chan", b"1999", b"somchai"):
        assert word not in blob


def test_missing_values_set_no_bits():
    empty = pd.DataFrame({"name": [None, ""], "date_of_birth": [None, "junk"], "sex": [None, "?"]})
    enc = BloomEncoder(MATIS_SCHEMA_V1, SECRET).encode(empty)
    assert enc.popcounts.tolist() == [0, 0]
    assert (enc.block_tokens["sex_birth_year"] == 0).all()
    assert BloomEncoder(MATIS_SCHEMA, SECRET).encode(empty).popcounts.tolist() == [0, 0]


def test_filter_length_and_fill():
    enc = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)
    assert enc.filter_bits == 1024
    assert enc.packed.shape == (4, 128)
    assert all(len(b) == 128 for b in enc.to_bytes())
    assert 0.1 < enc.popcounts.mean() / 1024 < 0.5


def test_the_matis_schema_sends_no_blocking_tokens_and_hashes_at_random():
    enc = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)
    assert enc.block_tokens == {}
    assert list(enc.to_frame().columns) == ["id", "clk"]
    assert MATIS_SCHEMA.hashing == "random"
    assert "sex" not in {f.kind for f in MATIS_SCHEMA.fields}
    assert MATIS_SCHEMA.fingerprint != MATIS_SCHEMA_V1.fingerprint


def test_serialisation_round_trips():
    enc = BloomEncoder(MATIS_SCHEMA_V1, SECRET).encode(PEOPLE)
    again = Encodings.from_base64(
        enc.ids, enc.to_base64(), schema_fingerprint=enc.schema_fingerprint
    )
    assert np.array_equal(again.packed, enc.packed)
    frame = enc.to_frame()
    assert list(frame.columns) == ["id", "clk", "block:sex_birth_year", "block:sex_birth_date"]
    back = Encodings.from_frame(frame)
    assert np.array_equal(back.packed, enc.packed)
    assert np.array_equal(back.block_tokens["sex_birth_year"], enc.block_tokens["sex_birth_year"])
    assert list(back.ids) == list(PEOPLE.index)


def test_schema_fingerprint_guards_comparisons():
    enc = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)
    other_schema = EncodingSchema(
        fields=(FieldSpec("name", "name", "name", k=10),), filter_bits=1024
    )
    other = BloomEncoder(other_schema, SECRET).encode(PEOPLE)
    assert enc.schema_fingerprint != other.schema_fingerprint
    with pytest.raises(SchemaMismatchError):
        dice_pairs(enc, other, [0], [0])


def test_random_hashing_sets_k_bits_per_token():
    schema = EncodingSchema(fields=(FieldSpec("sex", "sex", "sex", k=30),), hashing="random")
    enc = BloomEncoder(schema, SECRET).encode(PEOPLE)
    assert 25 <= enc.popcounts[0] <= 30  # one token, 30 positions, few collisions
    assert enc.popcounts[0] == enc.popcounts[1]  # "f" and "ស្រី" are the same token


def test_year_of_birth_blocking_tokens_cover_the_window():
    enc = BloomEncoder(MATIS_SCHEMA_V1, SECRET).encode(PEOPLE)
    tokens = enc.block_tokens["sex_birth_year"]
    assert tokens.shape == (4, 3)
    assert tokens[0, 0] == tokens[1, 0]  # same sex and year
    assert tokens[0, 0] != tokens[2, 0]
    dates = enc.block_tokens["sex_birth_date"][:, 0]
    assert dates[0] == dates[1]  # 1999-04-02 and 1999-02-04: day and month swapped
    assert dates[3] == 0  # year only: no full-date token


def test_dice_coefficient_of_bytes():
    a, b = bytes([0b11110000]), bytes([0b11000000])
    assert dice_coefficient(a, b) == pytest.approx(2 * 2 / (4 + 2))
    assert dice_coefficient(b"\x00", b"\x00") == 0.0


def test_encodings_compare_the_same_in_anonlink():
    anonlink = pytest.importorskip("anonlink", reason="anonlink is a dev dependency")
    bitarray = pytest.importorskip("bitarray").bitarray
    enc = BloomEncoder(MATIS_SCHEMA, SECRET).encode(PEOPLE)

    def as_bitarrays(e):
        out = []
        for raw in e.to_bytes():
            bits = bitarray(endian="big")
            bits.frombytes(raw)
            out.append(bits)
        return out

    clks = as_bitarrays(enc)
    sims, _, (rows_a, rows_b) = anonlink.candidate_generation.find_candidate_pairs(
        [clks, clks], anonlink.similarities.dice_coefficient_accelerated, 0.0
    )
    ours = dice_pairs(enc, enc, np.asarray(rows_a), np.asarray(rows_b))
    assert np.allclose(np.asarray(sims), ours)
    assert base64.b64decode(enc.to_base64()[0]) == clks[0].tobytes()
