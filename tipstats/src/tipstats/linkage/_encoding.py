"""Bloom-filter encodings (cryptographic long-term keys, CLKs) of records."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

import numpy as np
import pandas as pd

from ._keys import _as_secret, derive_key
from ._schema import EncodingSchema, FieldSpec, Spelling

__all__ = ["BloomEncoder", "Encodings", "SchemaMismatchError"]

_CHUNK_RECORDS = 20_000


class SchemaMismatchError(ValueError):
    """Two sets of encodings were made under different schemas and cannot be compared."""


@dataclass(frozen=True, eq=False)
class Encodings:
    """Encoded records: one Bloom filter per record, and keyed blocking tokens.

    ``packed`` holds one row of ``filter_bits // 8`` bytes per record, bit
    ``i`` of the filter in byte ``i // 8`` from the most significant bit,
    the layout of ``bitarray(endian="big").frombytes`` that ``anonlink`` and
    ``clkhash`` use. ``block_tokens`` maps a blocking key name to a
    ``(n, 1 + 2w)`` array of ``uint64`` keyed tokens: column 0 is the
    record's own token, the others its neighbours within the window; 0 means
    none. Nothing in it is a plain value.
    """

    ids: np.ndarray
    packed: np.ndarray
    schema_fingerprint: str
    block_tokens: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        packed = np.ascontiguousarray(self.packed, dtype=np.uint8)
        if packed.ndim != 2 or packed.shape[1] % 8:
            raise ValueError("packed must be a 2-d uint8 array with a multiple of 8 bytes per row")
        ids = np.asarray(self.ids)
        if ids.shape != (packed.shape[0],):
            raise ValueError(f"{len(ids)} ids for {packed.shape[0]} encodings")
        object.__setattr__(self, "packed", packed)
        object.__setattr__(self, "ids", ids)
        for name, tokens in self.block_tokens.items():
            if len(tokens) != len(ids):
                raise ValueError(f"block tokens {name!r} have {len(tokens)} rows, not {len(ids)}")

    def __len__(self) -> int:
        return self.packed.shape[0]

    @property
    def filter_bits(self) -> int:
        return self.packed.shape[1] * 8

    @cached_property
    def words(self) -> np.ndarray:
        """The filters as ``(n, filter_bits // 64)`` ``uint64`` words, for popcounts."""
        return self.packed.view(np.uint64)

    @cached_property
    def popcounts(self) -> np.ndarray:
        """Number of bits set in each filter."""
        return np.bitwise_count(self.words).sum(axis=1, dtype=np.int32)

    def take(self, rows: np.ndarray | Sequence[int]) -> Encodings:
        """The encodings at the given row positions."""
        rows = np.asarray(rows)
        return Encodings(
            self.ids[rows],
            self.packed[rows],
            self.schema_fingerprint,
            {k: v[rows] for k, v in self.block_tokens.items()},
        )

    def check_comparable(self, other: Encodings) -> None:
        """Raise :class:`SchemaMismatchError` unless ``other`` was made under the same schema."""
        if (
            self.schema_fingerprint != other.schema_fingerprint
            or self.filter_bits != other.filter_bits
        ):
            raise SchemaMismatchError(
                f"encodings made under schema {self.schema_fingerprint} "
                f"({self.filter_bits} bits) cannot be compared with schema "
                f"{other.schema_fingerprint} ({other.filter_bits} bits)"
            )

    def to_bytes(self) -> list[bytes]:
        """One ``bytes`` object per record (``filter_bits // 8`` bytes each)."""
        return [row.tobytes() for row in self.packed]

    def to_base64(self) -> list[str]:
        """One base64 string per record, as ``clkhash`` serialises CLKs."""
        return [base64.b64encode(b).decode("ascii") for b in self.to_bytes()]

    def to_frame(self) -> pd.DataFrame:
        """A frame with ``id``, ``clk`` (base64) and one ``block:<name>`` column per blocking key.

        Blocking tokens are written as hex strings joined by spaces, so the
        frame travels as JSON or CSV unchanged.
        """
        frame = pd.DataFrame({"id": self.ids, "clk": self.to_base64()})
        for name, tokens in self.block_tokens.items():
            frame[f"block:{name}"] = [" ".join(f"{t:016x}" for t in row) for row in tokens]
        frame.attrs["schema_fingerprint"] = self.schema_fingerprint
        return frame

    @classmethod
    def from_bytes(
        cls,
        ids: Sequence[object],
        filters: Sequence[bytes],
        *,
        schema_fingerprint: str,
        block_tokens: dict[str, np.ndarray] | None = None,
    ) -> Encodings:
        """Encodings from one ``bytes`` filter per record (all of the same length)."""
        lengths = {len(f) for f in filters}
        if len(lengths) > 1:
            raise ValueError(f"filters have different lengths: {sorted(lengths)}")
        width = lengths.pop() if lengths else 0
        packed = np.frombuffer(b"".join(filters), dtype=np.uint8).reshape(len(filters), width)
        return cls(np.asarray(ids), packed, schema_fingerprint, dict(block_tokens or {}))

    @classmethod
    def from_base64(
        cls,
        ids: Sequence[object],
        filters: Sequence[str],
        *,
        schema_fingerprint: str,
        block_tokens: dict[str, np.ndarray] | None = None,
    ) -> Encodings:
        """Encodings from one base64 string per record."""
        raw = [base64.b64decode(f, validate=True) for f in filters]
        return cls.from_bytes(
            ids, raw, schema_fingerprint=schema_fingerprint, block_tokens=block_tokens
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, schema_fingerprint: str | None = None) -> Encodings:
        """Inverse of :meth:`to_frame`."""
        fingerprint = schema_fingerprint or frame.attrs.get("schema_fingerprint")
        if not fingerprint:
            raise ValueError("schema_fingerprint is needed (not in frame.attrs)")
        blocks = {
            col.removeprefix("block:"): np.array(
                [[int(t, 16) for t in cell.split()] for cell in frame[col]], dtype=np.uint64
            )
            for col in frame.columns
            if col.startswith("block:")
        }
        return cls.from_base64(
            frame["id"].to_numpy(),
            frame["clk"].tolist(),
            schema_fingerprint=fingerprint,
            block_tokens=blocks,
        )


def _positions(key: bytes, token: str, k: int, n_bits: int, hashing: str) -> np.ndarray:
    message = token.encode("utf-8")
    if hashing == "double":
        digest = hmac.new(key, message, hashlib.sha256).digest()
        h1 = int.from_bytes(digest[:8], "big")
        h2 = int.from_bytes(digest[8:16], "big")
        return np.array([(h1 + i * h2) % n_bits for i in range(k)], dtype=np.int64)
    out: list[int] = []
    counter = 0
    while len(out) < k:
        digest = hmac.new(key, counter.to_bytes(4, "big") + message, hashlib.sha256).digest()
        out += [int.from_bytes(digest[j : j + 8], "big") % n_bits for j in range(0, 32, 8)]
        counter += 1
    return np.array(out[:k], dtype=np.int64)


class _FieldCache:
    """Per field: tokens of each raw value seen, and bit positions of each token."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.tokens: dict[object, list[int]] = {}
        self._ids: dict[str, int] = {}
        self._rows: list[np.ndarray] = []
        self._table: np.ndarray | None = None

    def token_id(self, token: str, key: bytes, k: int, schema: EncodingSchema) -> int:
        found = self._ids.get(token)
        if found is None:
            found = self._ids[token] = len(self._rows)
            self._rows.append(_positions(key, token, k, schema.filter_bits, schema.hashing))
            self._table = None
        return found

    def table(self) -> np.ndarray:
        if self._table is None:
            self._table = np.array(self._rows, dtype=np.int64).reshape(len(self._rows), self.k)
        return self._table


class BloomEncoder:
    """Encodes records into Bloom filters keyed by a secret shared by the governments.

    Parameters
    ----------
    schema
        Fields, filter length and hashing scheme; :data:`MATIS_SCHEMA` for
        cross-border checks.
    secret
        At least 16 bytes, the same at every government. One key per field
        (and one for blocking tokens) is derived from it with HKDF-SHA256, so
        the secret itself is never used directly as a hash key. Keep it out of
        code and logs.

    Examples
    --------
    >>> import pandas as pd
    >>> from tipstats.linkage import BloomEncoder, MATIS_SCHEMA
    >>> people = pd.DataFrame({"name": ["Sokha Chan"], "date_of_birth": ["1999-04-02"],
    ...                        "sex": ["f"]})
    >>> enc = BloomEncoder(MATIS_SCHEMA, secret=b"not-a-real-secret-0123").encode(people)
    >>> enc.filter_bits, len(enc.to_base64()[0])
    (1024, 172)
    """

    def __init__(self, schema: EncodingSchema, secret: bytes | str) -> None:
        self.schema = schema
        secret = _as_secret(secret)
        self._keys = {f.label: derive_key(secret, f"field:{f.label}") for f in schema.fields}
        self._block_key = derive_key(secret, "block:sex_birth")

    def encode(
        self, data: pd.DataFrame, *, id_column: str | None = None, spellings: int = 0
    ) -> Encodings:
        """Encode every row of ``data``; ``ids`` are ``data[id_column]`` or the index.

        With ``spellings`` > 0, a record whose name has several romanisations
        gets, after its own filter, up to that many more under the same id:
        one per whole-name spelling (:func:`tipstats.linkage.name_spellings`),
        the other fields as they are. :class:`~tipstats.linkage.Matcher`
        scores a pair of ids by its best pair of filters.
        """
        missing = sorted({f.column for f in self.schema.fields} - set(data.columns))
        if missing:
            raise KeyError(f"columns missing from the data: {missing}")
        if spellings:
            data = self._with_spellings(data, id_column, spellings)
            id_column = "__id"
        n = len(data)
        ids = data[id_column].to_numpy() if id_column else data.index.to_numpy()
        n_bits = self.schema.filter_bits
        packed = np.empty((n, n_bits // 8), dtype=np.uint8)
        caches = [_FieldCache(spec.k) for spec in self.schema.fields]
        columns = [data[spec.column].tolist() for spec in self.schema.fields]
        for start in range(0, n, _CHUNK_RECORDS):
            stop = min(start + _CHUNK_RECORDS, n)
            bits = np.zeros((stop - start, n_bits), dtype=bool)
            for spec, cache, values in zip(self.schema.fields, caches, columns, strict=True):
                rows, positions = self._field_bits(spec, values[start:stop], cache)
                bits[rows[:, None], positions] = True
            packed[start:stop] = np.packbits(bits, axis=1)
        blocks = {}
        if self.schema.block_year_window is not None:
            blocks = self._block_tokens(data)
        return Encodings(ids, packed, self.schema.fingerprint, blocks)

    def _with_spellings(
        self, data: pd.DataFrame, id_column: str | None, limit: int
    ) -> pd.DataFrame:
        """``data`` with an ``__id`` column and, after each record, a row per spelling."""
        from ._normalise import name_spellings

        names = {f.column for f in self.schema.fields if f.kind in ("name", "name_phonetic")}
        if len(names) != 1:
            raise ValueError("spellings need a schema whose name fields read one column")
        (column,) = names
        ids = data[id_column].to_numpy() if id_column else data.index.to_numpy()
        records = data.reset_index(drop=True)
        rows, values = [], []
        for row, name in enumerate(records[column].tolist()):
            rows.append(row)
            values.append(name)
            for spelling in name_spellings(name, limit):
                rows.append(row)
                values.append(Spelling(spelling))
        out = records.iloc[rows].reset_index(drop=True)
        out[column] = pd.Series(values, dtype=object)
        out["__id"] = ids[rows]
        return out

    def _field_bits(
        self, spec: FieldSpec, values: list[object], cache: _FieldCache
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bit positions a field sets in a chunk: record row per token, ``(m, k)`` positions."""
        token_lists = []
        for value in values:
            cache_key = value if isinstance(value, str | int | Spelling) else repr(value)
            tokens = cache.tokens.get(cache_key)
            if tokens is None:
                tokens = cache.tokens[cache_key] = [
                    cache.token_id(t, self._keys[spec.label], spec.k, self.schema)
                    for t in spec.tokens(value)
                ]
            token_lists.append(tokens)
        counts = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(values))
        token_ids = np.fromiter(
            chain.from_iterable(token_lists), dtype=np.int64, count=int(counts.sum())
        )
        rows = np.repeat(np.arange(len(values)), counts)
        return rows, cache.table()[token_ids]

    def _token(self, text: str, cache: dict[str, int]) -> int:
        token = cache.get(text)
        if token is None:
            digest = hmac.new(self._block_key, text.encode(), hashlib.sha256).digest()
            token = cache[text] = int.from_bytes(digest[:8], "big") | 1
        return token

    def _block_tokens(self, data: pd.DataFrame) -> dict[str, np.ndarray]:
        from ._normalise import normalise_date, normalise_sex

        window = self.schema.block_year_window or 0
        sex_col = self.schema.field_of_kind("sex").column
        dob_col = self.schema.field_of_kind("date").column
        by_year = np.zeros((len(data), 1 + 2 * window), dtype=np.uint64)
        by_date = np.zeros((len(data), 1), dtype=np.uint64)
        offsets = [0] + [d for w in range(1, window + 1) for d in (-w, w)]
        cache: dict[str, int] = {}
        for row, (sex_raw, dob_raw) in enumerate(zip(data[sex_col], data[dob_col], strict=True)):
            sex, dob = normalise_sex(sex_raw), normalise_date(dob_raw)
            if not sex or not dob:
                continue
            year = int(dob[:4])
            for col, d in enumerate(offsets):
                by_year[row, col] = self._token(f"y|{sex}|{year + d}", cache)
            if len(dob) == 10:
                # day and month unordered: a day/month swap keeps the token
                month, day = dob[5:7], dob[8:10]
                key = f"d|{sex}|{year}|{min(month, day)}|{max(month, day)}"
                by_date[row, 0] = self._token(key, cache)
        return {"sex_birth_year": by_year, "sex_birth_date": by_date}
