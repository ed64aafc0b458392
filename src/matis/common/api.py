"""API building blocks shared by every app's ``api.py``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, LimitOffsetPagination


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


class KeysetPagination(CursorPagination):
    """``?cursor=`` paging by primary key, for tables of millions of rows.

    Each page is ``WHERE id > last ORDER BY id LIMIT n``: an index range read
    whatever the table size, where ``?offset=`` reads and throws away every row
    before the page and ``count`` counts the whole filtered table on every
    request (issue 13, finding 20: 3.8 s a page at 2.2M observations). So the
    answer has ``next`` and ``previous`` links (opaque cursors) but no
    ``count``. ``?limit=`` sets the page size (default ``PAGE_SIZE``, at most
    ``max_page_size``); an unreadable cursor is a 404.
    """

    ordering = ("id",)
    page_size_query_param = "limit"
    max_page_size = 1000

    def get_page_size(self, request):
        try:
            return super().get_page_size(request)
        except (OverflowError, ValueError):  # limit=9999999999999999999
            return self.page_size


@contextmanager
def service_errors(refusals: dict[type, str] | None = None) -> Iterator[None]:
    """Turn a service's refusals into API answers: 400 naming the field, or 403.

    A service's ``ValidationError`` becomes a 400 keyed by field (the
    service's transaction has rolled back, so nothing was written), without a
    field (a step out of order) under ``non_field_errors``; ``PermissionDenied``
    (a gate's refusal too) a 403. ``refusals`` maps an app's
    own exceptions (a consent that does not stand) to the 400 message to give.
    """
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from None
        raise exceptions.ValidationError({"non_field_errors": exc.messages}) from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None
    except Exception as exc:
        for kind, message in (refusals or {}).items():
            if isinstance(exc, kind):
                raise exceptions.ValidationError({"non_field_errors": [str(message)]}) from None
        raise
