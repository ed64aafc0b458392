from django.conf import settings

from matis import __version__
from matis.common.navigation import nav_items_for


def matis(request):
    return {
        "MATIS_VERSION": __version__,
        "MATIS_ROLE": settings.MATIS_ROLE,
        "MATIS_ENV": settings.ENV,
        "MATIS_SYNTHETIC": settings.ENV == "demo",
        # `matis demo`: every country and the hub's users in one database (not a
        # national instance of `matis demo --region`, which has its MATIS_COUNTRY)
        "MATIS_ALL_COUNTRIES_DEMO": settings.ENV == "demo" and not settings.MATIS_COUNTRY,
        "REQUEST_ID": getattr(request, "request_id", ""),
        "nav_items": nav_items_for(request),
        **demo_preparing(request),
    }


def demo_preparing(request) -> dict:
    """The demo parts still being prepared in the background (demo profile only).

    ``demo_preparing_here`` is the part this page's app shows (its progress is
    polled); ``demo_preparing`` lists every part not done yet.
    """
    if (
        settings.ENV != "demo"
        or not getattr(request, "user", None)
        or not request.user.is_authenticated
    ):
        return {}
    from django.apps import apps

    from matis.common.demo import demo_jobs_pending

    pending = demo_jobs_pending()
    if not pending:
        return {}
    match = getattr(request, "resolver_match", None)
    app_name = match.app_name if match is not None else ""
    for job in pending:
        try:
            job.app_label = apps.get_app_config(job.label).verbose_name
        except LookupError:
            job.app_label = job.label
    here = next((job for job in pending if job.label == app_name), None)
    return {"demo_preparing": pending, "demo_preparing_here": here}
