import logging

from django.http import HttpResponseServerError
from django.template import loader

from matis.common.middleware import current_request_id

logger = logging.getLogger("matis.errors")


def server_error(request, *args, **kwargs):
    """A 500 page that shows the request id and nothing about the data."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))
