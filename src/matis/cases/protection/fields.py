"""Model fields whose values are encrypted at rest (see :mod:`.cipher`).

The database column holds only ciphertext. Encrypted columns cannot be
filtered or ordered on (the lookup raises ``FieldError``): exact-match search
goes through the keyed blind index (:mod:`.blind`). Serialisation
(``dumpdata``) writes the ciphertext, never the plaintext.
"""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.core.exceptions import FieldError
from django.db import models

from matis.cases.protection.cipher import decrypt, encrypt, is_token


class EncryptedMixin:
    """Encrypt in ``get_db_prep_value``, decrypt in ``from_db_value``."""

    allowed_lookups = frozenset({"isnull"})
    # matis.access.audit stores before/after values of this field encrypted, never plain.
    audit_sealed = True

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    @property
    def crypto_label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    # plaintext <-> text, per subclass
    def encode_plain(self, value) -> str:
        return str(value)

    def decode_plain(self, text: str):
        return text

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.decode_plain(decrypt(value, label=self.crypto_label))

    def to_python(self, value):
        if is_token(value):  # loaddata of our own serialised ciphertext
            value = self.decode_plain(decrypt(value, label=self.crypto_label))
        return super().to_python(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or hasattr(value, "as_sql"):  # None, or an expression (bulk_update)
            return value
        value = self.to_python(value)
        if value is None:
            return None
        return encrypt(self.encode_plain(value), label=self.crypto_label)

    def get_lookup(self, lookup_name):
        if lookup_name not in self.allowed_lookups:
            raise FieldError(
                f"{self.crypto_label} is encrypted and cannot be searched with "
                f"'{lookup_name}'; use the blind index."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, name):
        raise FieldError(f"{self.crypto_label} is encrypted and has no transforms.")

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return None if value is None else encrypt(self.encode_plain(value), label=self.crypto_label)


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A short text (a name, a document number); ``max_length`` limits the plaintext."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A long text (a narrative, a note)."""


class EncryptedDateField(EncryptedMixin, models.DateField):
    """A date (a date of birth)."""

    def encode_plain(self, value) -> str:
        return value.isoformat()

    def decode_plain(self, text: str):
        return dt.date.fromisoformat(text)

    def pre_save(self, model_instance, add):
        return getattr(model_instance, self.attname)


class EncryptedJSONField(EncryptedMixin, models.Field):
    """A JSON value (a list of aliases, checklist answers)."""

    def encode_plain(self, value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def decode_plain(self, text: str):
        return json.loads(text)

    def to_python(self, value):
        if is_token(value):
            return self.decode_plain(decrypt(value, label=self.crypto_label))
        if isinstance(value, str) and value and value[0] in "[{":
            return json.loads(value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
