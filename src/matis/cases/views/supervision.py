"""Supervision: alerts, break-the-glass, the detention register, the referral directory."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.audit import audit_list_read, audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import forms, gates, services
from matis.cases.detention_register import (
    detention_register_counts,
    register_csv,
    register_table,
    register_xlsx,
)
from matis.cases.models import Alert, Case, Facility, Placement, Referral, ServiceProvider
from matis.cases.pages import run_form
from matis.common.calendars import display_year
from matis.common.tables import download_response
from matis.common.views import add_service_error, require


@scoped("country", model=Alert)
@require_safe
@login_required
def alert_list(request):
    user = request.user
    require(has_perm(user, "cases.supervise_cases"))
    show = request.GET.get("show", "open")
    alerts = gates.alerts_for(user).select_related("case", "placement__facility", "grant__user")
    if show != "all":
        alerts = alerts.filter(resolved_at__isnull=True)
    page = Paginator(alerts.order_by("-raised_at", "-id"), 50).get_page(request.GET.get("page"))
    audit_list_read(
        actor=user,
        object_type="cases.alert",
        case_ids=[a.case_id for a in page.object_list],
        purpose="alert_list",
    )
    return render(request, "cases/alert_list.html", {"page": page, "show": show})


@scoped("country", model=Alert, lookup="pk")
@login_required
def alert_resolve(request, pk: int):
    user = request.user
    alert = gates.access_alert(user, pk, purpose="alert_resolve")
    form = forms.ResolveForm(request.POST or None)

    def action(f):
        services.alert_resolve(actor=user, alert=alert, resolution=f.cleaned_data["resolution"])

    return run_form(
        request,
        form,
        action,
        success=_("Alert resolved."),
        redirect_to=reverse("cases:alert_list"),
        template="cases/alert_resolve.html",
        context={"alert": alert},
    )


@scoped("country", model=Case)
@login_required
def break_glass(request):
    user = request.user
    require(has_perm(user, "cases.break_glass"))
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass_open(
                actor=user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except gates.CaseNotAvailable as exc:
            form.add_error("reference", str(exc))
        else:
            messages.warning(
                request,
                _("Emergency access granted until %(until)s. Supervisors have been notified.")
                % {"until": timezone.localtime(grant.expires_at).strftime("%H:%M")},
            )
            return redirect("cases:case_detail", pk=grant.case_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/break_glass.html", {"form": form}, status=status)


@scoped("country", model=Placement, field="case__country")
@require_safe
@login_required
def detention_register(request):
    user = request.user
    require(has_perm(user, "cases.supervise_cases"))
    try:
        year = int(request.GET.get("year", dt.date.today().year))
    except ValueError:
        year = dt.date.today().year
    rows = register_table(user.country_id, year)
    totals = detention_register_counts(user.country_id, year)
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            country_id=user.country_id,
            object_type="cases.detention_register",
            object_id=str(year),
            format=fmt,
        )
        name = f"detention-register-{user.country_id}-{year}.{fmt}"
        if fmt == "csv":
            return download_response(register_csv(rows), name, content_type="text/csv")
        title = _("Detention register %(country)s %(year)s") % {
            "country": user.country.display_name,
            "year": display_year(year),
        }
        return download_response(register_xlsx(rows, title=title), name)
    return render(
        request,
        "cases/detention_register.html",
        {
            "rows": rows,
            "totals": totals,
            "year": year,
            "years": list(range(dt.date.today().year, dt.date.today().year - 6, -1)),
        },
    )


@scoped("country", model=ServiceProvider)
@login_required
def directory(request):
    user = request.user
    require(has_perm(user, "cases.view_directory"))
    supervisor = has_perm(user, "cases.supervise_cases")
    provider_form = forms.ProviderForm(
        request.POST if request.POST.get("add") == "provider" else None, country_id=user.country_id
    )
    facility_form = forms.FacilityForm(
        request.POST if request.POST.get("add") == "facility" else None, country_id=user.country_id
    )
    if request.method == "POST":
        require(supervisor)
        form = provider_form if request.POST.get("add") == "provider" else facility_form
        if form.is_valid():
            try:
                if form is provider_form:
                    services.provider_create(actor=user, **form.cleaned_data)
                else:
                    services.facility_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Added to the directory."))
                return redirect("cases:directory")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/directory.html",
        {
            "providers": ServiceProvider.objects.filter(country_id=user.country_id).select_related(
                "agency"
            ),
            "facilities": Facility.objects.filter(country_id=user.country_id).select_related(
                "subdivision"
            ),
            "supervisor": supervisor,
            "provider_form": provider_form,
            "facility_form": facility_form,
        },
        status=status,
    )


@scoped("country", model=Referral, field="case__country")
@require_safe
@login_required
def referral_list(request):
    user = request.user
    require(has_perm(user, "cases.view_referrals"))
    incoming = gates.referrals_incoming(user).order_by("-referred_on", "-id")
    outgoing = (
        Referral.objects.filter(case__in=gates.cases_editable_by(user))
        .select_related("case", "provider")
        .order_by("-referred_on", "-id")
    )
    incoming_page = Paginator(incoming, 50).get_page(request.GET.get("in"))
    outgoing_page = Paginator(outgoing, 50).get_page(request.GET.get("out"))
    audit_list_read(
        actor=user,
        object_type="cases.referral",
        case_ids=[r.case_id for r in [*incoming_page.object_list, *outgoing_page.object_list]],
        purpose="referral_list",
    )
    return render(
        request,
        "cases/referral_list.html",
        {"incoming": incoming_page, "outgoing": outgoing_page},
    )
