from django.conf import settings

from matis import __version__
from matis.common.navigation import nav_items_for


def matis(request):
    return {
        "MATIS_VERSION": __version__,
        "MATIS_ROLE": settings.MATIS_ROLE,
        "MATIS_ENV": settings.ENV,
        "MATIS_SYNTHETIC": settings.ENV == "demo",
        "REQUEST_ID": getattr(request, "request_id", ""),
        "nav_items": nav_items_for(request),
    }
