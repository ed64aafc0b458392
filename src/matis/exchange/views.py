"""Hub endpoints (signed, no session) and the pages of the exchange.

The two endpoints under ``exchange/api/`` are authenticated by the request
signature alone: no cookie or session is read, so CSRF protection (which
guards cookie-authenticated requests) does not apply and they are
``csrf_exempt``. Their country scope is the signing key's country: an item
naming another country is refused, and alerts are answered for the key's
country only.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from matis.access.audit import audit_list_read
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.jobs import job_status_response
from matis.exchange import conf, selectors, services
from matis.exchange.forms import AlertDecisionForm
from matis.exchange.hub import MAX_BODY_BYTES, HubAnswer, hub_alerts_answer, hub_inbox_answer
from matis.exchange.models import (
    AlertStatus,
    DecisionBasis,
    HubAlert,
    LinkageToken,
    MatchRun,
    OutboxItem,
    ReceivedAlert,
)
from matis.exchange.transport import item_too_large

logger = logging.getLogger(__name__)


def _json(answer: HubAnswer) -> JsonResponse:
    return JsonResponse(answer.body, status=answer.status)


@csrf_exempt
@require_http_methods(["POST"])
@scoped("global")  # scope = the signing key's country (checked in hub_receive)
def hub_inbox(request):
    """Receive one signed item from a national instance; store it once; acknowledge."""
    if not conf.is_hub():
        raise Http404
    body = _item_body(request)
    if isinstance(body, JsonResponse):
        return body
    return _json(
        hub_inbox_answer(
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
            headers=request.headers,
            body=body,
        )
    )


def _item_body(request) -> bytes | JsonResponse:
    """The item's bytes, up to the hub's own limit (not Django's 2.5 MiB form-data limit).

    ``request.body`` would refuse anything above ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (kept small for every other page), so this endpoint reads the stream itself:
    a declared length over the limit is refused before anything is read, and
    at most one byte past the limit is ever read.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    refused = item_too_large(declared)
    if refused is None:
        body = request.read(MAX_BODY_BYTES + 1)
        refused = item_too_large(len(body))
    if refused is not None:
        logger.info("exchange item refused: %s", refused["detail"])
        return JsonResponse(refused, status=413)
    return body


@csrf_exempt
@require_GET
@scoped("global")  # scope = the signing key's country
def hub_alerts(request):
    """The signing country's re-trafficking alerts (signed GET)."""
    if not conf.is_hub():
        raise Http404
    return _json(
        hub_alerts_answer(
            path=request.path, query=request.META.get("QUERY_STRING", ""), headers=request.headers
        )
    )


# --- national pages --------------------------------------------------------------------------


@login_required
@scoped("country", model=OutboxItem)
def outbox(request):
    """What this country has queued for the hub, and whether the hub acknowledged it."""
    if not has_perm(request.user, "exchange.view_outbox"):
        raise PermissionDenied
    items = selectors.outbox_visible(request.user)
    status = request.GET.get("status", "")
    if status:
        items = items.filter(status=status)
    page = Paginator(items.select_related("relay").order_by("-id"), 50).get_page(
        request.GET.get("page")
    )
    parked = selectors.outbox_parked_chains(request.user)
    for item in page.object_list:
        # a relay item: its recipient and what became of it there (None for the other kinds)
        item.relay_out = getattr(item, "relay", None)
        first_parked = parked.get((item.country_id, item.chain))
        item.held = item.status == "pending" and first_parked is not None and first_parked < item.pk
    return render(
        request,
        "exchange/outbox.html",
        {
            "page": page,
            "counts": selectors.outbox_counts(request.user),
            "status": status,
            "statuses": OutboxItem._meta.get_field("status").choices,
            "may_requeue": has_perm(request.user, "exchange.requeue_outbox"),
        },
    )


@login_required
@scoped("country", model=ReceivedAlert)
def alert_list(request):
    """Re-trafficking alerts on the cases the user may read."""
    # The menu's permission: a role that can answer no alert has no alert page.
    if not has_perm(request.user, "exchange.view_alerts"):
        raise PermissionDenied
    alerts = selectors.alerts_visible(request.user)
    show = request.GET.get("show", "open")
    if show != "all":
        alerts = alerts.filter(status=AlertStatus.OPEN)
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    audit_list_read(
        actor=request.user,
        object_type="exchange.receivedalert",
        case_ids=[a.subject.case_id for a in page.object_list],
        purpose="retrafficking_alert_list",
    )
    return render(request, "exchange/alert_list.html", {"page": page, "show": show})


@login_required
@require_http_methods(["GET", "POST"])
@scoped("country", model=ReceivedAlert, lookup="pk")
def alert_detail(request, pk):
    """One alert: the own case, the other country, the score; confirm or dismiss."""
    alert = selectors.alert_for(request.user, pk)
    form = AlertDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.alert_decide(
            actor=request.user,
            alert=alert,
            decision=form.cleaned_data["decision"],
            basis=form.cleaned_data["basis"],
        )
        messages.success(request, _("Your decision is recorded and will be sent to the hub."))
        return redirect("exchange:alert_list")
    basis_groups = [
        (label, [(b.value, b.label) for b in DecisionBasis.for_decision(decision)])
        for decision, label in form.fields["decision"].choices
    ]
    return render(
        request,
        "exchange/alert_detail.html",
        {"alert": alert, "form": form, "basis_groups": basis_groups},
        status=400 if form.errors else 200,
    )


# --- hub pages -------------------------------------------------------------------------------


def _latest_match_run() -> MatchRun | None:
    """The latest run that ran (one ended at once as ``busy`` would hide the one running)."""
    return MatchRun.objects.exclude(phase="busy").order_by("-pk").first()


@login_required
@scoped("country", model=HubAlert, field="newer_country")
def hub_overview(request):
    """The secretariat's view of what arrived: items per country and kind, and the measure."""
    if not has_perm(request.user, "exchange.view_hub"):
        raise PermissionDenied
    if not conf.is_hub():
        raise Http404
    return render(
        request,
        "exchange/hub_overview.html",
        {
            "received": selectors.inbox_summary(),
            "measure": selectors.retrafficking_measure(),
            "alerts": selectors.hub_alert_counts(),
            "released": selectors.deidentified_summary(),
            "match_run": _latest_match_run(),
            "match_pending": LinkageToken.objects.filter(match_pending=True).count(),
        },
    )


@login_required
@require_GET
@scoped("global")  # approved aggregate figures and reports of every country
def consolidation(request):
    """What the hub imported from each government: missing and late data, every version."""
    from matis.exchange import consolidate

    if not has_perm(request.user, "exchange.view_hub"):
        raise PermissionDenied
    if not conf.is_hub():
        raise Http404
    years = consolidate.reporting_years()
    year = consolidate.chosen_year(request, years)
    return render(
        request,
        "exchange/consolidation.html",
        {
            "status_table": consolidate.reporting_status_table(year=year) if year else None,
            "versions": consolidate.versions_table(year=year) if year else None,
            "reporting_years": years,
            "reporting_year": year,
        },
    )


@login_required
@require_GET
@scoped("country", model=HubAlert, field="newer_country")
def hub_match_status(request):
    """Progress of the latest matching run, for ``includes/job_progress.html``."""
    if not has_perm(request.user, "exchange.view_hub"):
        raise PermissionDenied
    if not conf.is_hub():
        raise Http404
    run = _latest_match_run()
    if run is None:
        raise Http404
    return job_status_response(
        run, tokens=run.n_tokens, pairs_compared=run.n_compared, new_alerts=run.n_alerts
    )


@login_required
@require_http_methods(["GET", "POST"])
@scoped("country", model=OutboxItem, lookup="pk")
def outbox_retry(request, pk):
    """Put a refused item back in the queue (POST); a GET only leads back to the outbox."""
    if not has_perm(request.user, "exchange.requeue_outbox"):
        raise PermissionDenied
    item = selectors.outbox_item_for(request.user, pk)
    if request.method != "POST":
        return redirect("exchange:outbox")
    try:
        services.outbox_retry_now(actor=request.user, item=item)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The item will be sent with the next push."))
    return redirect("exchange:outbox")
