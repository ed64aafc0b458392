"""Error pages: a 500 that shows the request id only, and a 503 while the database is busy."""

import logging
import sys

from django.db import OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

from matis.common.middleware import current_request_id

logger = logging.getLogger("matis.errors")

# What SQLite says when another connection held the write lock for longer than
# the busy timeout (or, in a shared cache, held a table).
BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
RETRY_AFTER_SECONDS = 10


def is_database_busy(exc: BaseException | None) -> bool:
    """True for the lock-wait error of a busy SQLite database (a long import is writing)."""
    return isinstance(exc, OperationalError) and any(
        text in str(exc).lower() for text in BUSY_MESSAGES
    )


def server_error(request, *args, **kwargs):
    """A 500 page that shows the request id and nothing about the data.

    When the error is a database lock that outlasted the busy timeout, the
    answer is 503 "busy, try again" with ``Retry-After``: the request changed
    nothing (its transaction never began) and repeating it will work.
    """
    context = {"request_id": current_request_id()}
    if is_database_busy(sys.exc_info()[1]):
        logger.warning("database busy: answered 503")
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render(context))
