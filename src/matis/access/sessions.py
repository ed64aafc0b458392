"""Sessions that a copy of the database cannot replay.

Django's database session store keeps the cookie value itself as the primary
key, so anyone holding a database dump (or the SQLite file) can copy a row's
key into a cookie and be signed in as that user. This store keeps only a keyed
hash of the cookie value (HMAC-SHA256 with a key derived from
``SECRET_KEY`` for this purpose alone): the server can find the session from
the cookie, but the dump yields no usable cookie. The trade-off: sessions
cannot be listed by cookie value, and changing ``SECRET_KEY`` signs everyone out.

Enabled by ``SESSION_ENGINE = "matis.access.sessions"``.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.crypto import salted_hmac

_PURPOSE = "matis.access.sessions.storage-key"


def stored_key(session_key: str) -> str:
    """The value kept in ``django_session.session_key`` for a cookie value."""
    return salted_hmac(_PURPOSE, session_key, algorithm="sha256").hexdigest()[:40]


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        if not self.session_key:
            return None
        try:
            return self.model.objects.get(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    async def _aget_session_from_db(self):
        if not self.session_key:
            return None
        try:
            return await self.model.objects.aget(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    def exists(self, session_key):
        return self.model.objects.filter(session_key=stored_key(session_key)).exists()

    async def aexists(self, session_key):
        return await self.model.objects.filter(session_key=stored_key(session_key)).aexists()

    def create_model_instance(self, data):
        return self.model(
            session_key=stored_key(self._get_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    async def acreate_model_instance(self, data):
        return self.model(
            session_key=stored_key(await self._aget_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=await self.aget_expiry_date(),
        )

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key:
            self.model.objects.filter(session_key=stored_key(session_key)).delete()

    async def adelete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key:
            await self.model.objects.filter(session_key=stored_key(session_key)).adelete()
