"""The home and health pages, and the small helpers every app's pages use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from matis.access.scoping import scoped
from matis.common.models import COMMIT_COUNTRIES, Country


@scoped("global")
@login_required
def home(request):
    """The user's own work first: what awaits the user, what is overdue, recent activity."""
    from matis.common.home import home_context
    from matis.common.navigation import nav_items_for

    return render(
        request, "home.html", home_context(request.user, nav_items=nav_items_for(request))
    )


@scoped("global")
@require_GET
def health(request):
    """Liveness for load balancers and the demo launcher; says nothing about data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@scoped("global")
@login_required
@require_GET
def demo_status(request, label: str):
    """The progress of a background demo part, polled by the page that waits for it."""
    from django.shortcuts import get_object_or_404

    from matis.common.jobs import job_status_response
    from matis.common.models import DemoJob

    return job_status_response(get_object_or_404(DemoJob, label=label))


# --- helpers every app's pages use ------------------------------------------------------------


def require(condition: bool) -> None:
    """Refuse the request (403) unless ``condition`` holds."""
    if not condition:
        raise PermissionDenied


def add_service_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def run_form(
    request,
    form,
    action: Callable,
    *,
    success: str,
    redirect_to,
    template: str,
    context: dict | None = None,
    refusals: Mapping[type[Exception], Callable[[Exception], str]] | None = None,
):
    """Validate ``form``, call ``action(form)``; on success redirect, else re-render with errors.

    A ``ValidationError`` from the service goes on the fields it names;
    ``refusals`` maps other exceptions the service raises (consent missing,
    a workflow step out of order) to the message shown on the form.
    """
    if request.method == "POST" and form.is_valid():
        try:
            action(form)
        except ValidationError as exc:
            add_service_error(form, exc)
        except tuple(refusals or ()) as exc:
            form.add_error(None, _refusal_message(refusals, exc))
        else:
            messages.success(request, success)
            return redirect(redirect_to)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)


def _refusal_message(refusals, exc: Exception) -> str:
    for kind, message in refusals.items():
        if isinstance(exc, kind):
            return message(exc)
    raise exc  # pragma: no cover - run_form catches only the kinds in ``refusals``


def country_year_choice(request, *, years_back: int = 8) -> tuple[str | None, int, list[int]]:
    """(country, year, years offered) from ``?country=&year=``: country users see their own.

    Region-wide users may pick a COMMIT country (or none: the region); the year
    defaults to last year and must be one of the ``years_back`` years offered.
    """
    user = request.user
    if user.is_region_wide:
        wanted = request.GET.get("country", "")
        country = wanted if wanted in COMMIT_COUNTRIES else None
    else:
        country = user.country_id
    this_year = dt.date.today().year
    years = list(range(this_year, this_year - years_back, -1))
    try:
        year = int(request.GET.get("year", this_year - 1))
    except ValueError:
        year = this_year - 1
    if year not in years:
        year = this_year - 1
    return country, year, years


def measures_page(
    request,
    *,
    name: str,
    template: str,
    data_of: Callable[[str | None, int], dict],
    tables_of: Callable[..., dict],
    charts_of: Callable[[dict], dict],
):
    """A measures page (counts for a country or the region and a year) or one table's download.

    ``data_of(country, year)`` gives the measures, ``tables_of(data=, country=,
    years=)`` the page's tables by name, ``charts_of(tables)`` their charts.
    ``?table=NAME&format=csv|xlsx`` downloads one table as ``name-NAME-country-year``.
    """
    from matis.common.tables import table_download

    country, year, years = country_year_choice(request)
    data = data_of(country, year)
    built = tables_of(data=data, country=country, years=years)
    wanted = request.GET.get("table")
    fmt = request.GET.get("format")
    if wanted in built and fmt in {"csv", "xlsx"}:
        return table_download(built[wanted], fmt, f"{name}-{wanted}-{country or 'region'}-{year}")
    return render(
        request,
        template,
        {
            "data": data,
            "tables": built,
            "charts": charts_of(built),
            "country": country,
            "year": year,
            "years": years,
            "countries": Country.objects.filter(pk__in=COMMIT_COUNTRIES),
            "region_wide": request.user.is_region_wide,
        },
    )


@require_GET
def favicon(request):
    """``/favicon.ico``, asked for by browsers on pages without an icon link (PDF, API docs).

    The static address is looked up per request: with hashed static names it exists
    only once ``collectstatic`` has run, not when the URLs are imported.
    """
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("matis/img/favicon.svg"))
