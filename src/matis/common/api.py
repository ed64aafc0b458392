"""API building blocks shared by every app's ``api.py``."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=&offset=`` paging with a ceiling: no request can ask for a whole table.

    A limit above ``max_limit`` is lowered to it; a limit or offset that is not a
    small positive integer (``limit=9999999999999999999``) falls back to the
    default instead of reaching the database.
    """

    max_limit = 1000
    max_offset = 10**12

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
