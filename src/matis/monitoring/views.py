"""Monitoring pages. Views check input and access, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from matis.access.scoping import get_scoped_or_404, scoped
from matis.monitoring import charts, dashboards, selectors, services
from matis.monitoring.evidence import ALLOWED_EXTENSIONS, EvidenceRejected, max_evidence_bytes
from matis.monitoring.forms import (
    BudgetFormSet,
    EvidenceForm,
    ExchangeRateForm,
    NationalPlanForm,
    NpaBudgetFormSet,
    PartnerFormSet,
    PeriodForm,
    ReportForm,
    TransitionForm,
    WorkbookUploadForm,
    content_from_forms,
    function_choices,
)
from matis.monitoring.models import (
    ActivityReport,
    EvidenceFile,
    Indicator,
    IndicatorActual,
    NationalPlan,
    OutputKind,
    ReportingPeriod,
    TransitionNotAllowed,
)
from matis.monitoring.permissions import is_secretariat, reports_for_country
from matis.monitoring.services.exports import FORMATS
from matis.monitoring.workbook import WorkbookInvalid, build_workbook, workbook_import


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{m}" for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _pick_country(request) -> str | None:
    """The country a page is about: the user's own, or the one a region-wide user picked."""
    if not request.user.is_region_wide:
        return request.user.country_id
    wanted = (request.GET.get("country") or "").upper()
    countries = [c.iso3 for c in selectors.countries_for(request.user)]
    return wanted if wanted in countries else None


# --- dashboards ------------------------------------------------------------------------

@scoped("global")
@login_required
def dashboard(request):
    """Approved progress of all countries: shared with every signed-in user (see selectors)."""
    period = selectors.period_for_year(request.GET.get("year"))
    data = dashboards.load_monitoring_data()
    if data is None or period is None:
        return render(request, "monitoring/dashboard.html", {"period": None})
    year = period.year
    completion = dashboards.completion_table(data, year)
    priority = dashboards.priority_table(data, year)
    budget = dashboards.budget_table(data)
    comparison = dashboards.comparison_table(data)
    sections = [
        {"table": completion, "chart": charts.completion_heatmap(completion, data)},
        {"table": priority, "chart": charts.priority_chart(data, year), "status_cells": True},
        {"table": budget, "chart": charts.budget_chart(budget)},
        {"table": comparison, "chart": charts.comparison_chart(comparison)},
    ]
    return render(request, "monitoring/dashboard.html", {
        "period": period, "periods": selectors.periods(), "sections": sections,
        "synthetic": data.synthetic,
    })


@scoped("global")
@login_required
def dashboard_download(request):
    name = request.GET.get("table", "")
    fmt = request.GET.get("format", "csv")
    if name not in dashboards.TABLES or fmt not in FORMATS:
        raise Http404
    period = selectors.period_for_year(request.GET.get("year"))
    data = dashboards.load_monitoring_data()
    if data is None or period is None:
        raise Http404
    table = dashboards.TABLES[name](data, period.year)
    payload, content_type = services.table_export(actor=request.user, table=table, fmt=fmt,
                                                  year=period.year)
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"matis-{name}-{period.year}.{fmt}")
    return response


# --- activity reports ---------------------------------------------------------------

@scoped("country", model=ActivityReport)
@login_required
def report_list(request):
    period = selectors.period_for_year(request.GET.get("year"))
    country_id = _pick_country(request)
    context = {"period": period, "periods": selectors.periods(), "country_id": country_id,
               "countries": selectors.countries_for(request.user),
               "can_edit": country_id is not None and reports_for_country(request.user,
                                                                          country_id)}
    if period is not None:
        if country_id:
            rows = selectors.report_matrix(request.user, country_id=country_id, period=period)
            context["rows"] = rows
            context["missing"] = sum(1 for r in rows if r.report is None)
        if request.user.is_region_wide:
            context["queue"] = selectors.review_queue(request.user, period=period)[:200]
            counts = selectors.workflow_counts(request.user, period=period)
            context["summary"] = [
                {"country": c, "counts": [counts.get((c.iso3, s), 0)
                                          for s in ("submitted", "reviewed", "approved")]}
                for c in selectors.countries_for(request.user)]
    return render(request, "monitoring/report_list.html", context)


@scoped("country", model=ActivityReport)
@login_required
def reports_prepare(request):
    """Create the missing draft reports of the user's country for a period (POST)."""
    if request.method != "POST":
        return redirect("monitoring:report_list")
    period = selectors.period_for_year(request.POST.get("year"))
    if period is None or not reports_for_country(request.user, request.user.country_id):
        raise PermissionDenied
    if not period.accepts_country_edits():
        messages.error(request, _("The reporting period does not accept changes now."))
    else:
        created = services.period_reports_ensure(period=period,
                                                 countries=[request.user.country_id])
        messages.success(request, _("%(n)s draft reports prepared.") % {"n": created})
    return redirect(f"{reverse('monitoring:report_list')}?year={period.year}")


@scoped("country", model=ActivityReport, lookup="pk")
@login_required
def report_detail(request, pk: int):
    report = selectors.report_detail(request.user, pk)
    user = request.user
    transitions = []
    for t in report.available_transitions():
        if t.by == "country" and reports_for_country(user, report.country_id):
            transitions.append(t)
        elif t.by == "secretariat" and is_secretariat(user):
            transitions.append(t)
    return render(request, "monitoring/report_detail.html", {
        "report": report,
        "transitions": transitions,
        "can_edit": reports_for_country(user, report.country_id) and report.is_editable_content,
        "evidence_form": EvidenceForm(),
        "allowed_extensions": ", ".join(ALLOWED_EXTENSIONS),
        "max_mb": round(max_evidence_bytes() / 1048576),
        "outputs": [(kind.label, next((o.count for o in report.outputs.all()
                                       if o.kind == kind.value), None)) for kind in OutputKind],
    })


@scoped("country", model=ActivityReport, lookup="pk")
@login_required
def report_edit(request, pk: int):
    report = selectors.report_detail(request.user, pk)
    if not reports_for_country(request.user, report.country_id):
        raise PermissionDenied
    if not report.is_editable_content:
        messages.error(request, _("Only draft reports of an open period can be changed."))
        return redirect("monitoring:report_detail", pk=report.pk)
    agencies = selectors.country_agencies(report.country_id)
    functions = {"functions": function_choices()}
    if request.method == "POST":
        form = ReportForm(request.POST, agencies=agencies)
        partners = PartnerFormSet(request.POST, prefix="partners", form_kwargs=functions)
        budget = BudgetFormSet(request.POST, prefix="budget")
        if form.is_valid() and partners.is_valid() and budget.is_valid():
            content = content_from_forms(form, partners, budget)
            try:
                changed = services.activity_report_update(
                    actor=request.user, report=report, content=content,
                    expected_revision=form.cleaned_data["revision"])
            except ValidationError as exc:
                for message in _error_messages(exc):
                    form.add_error(None, message)
            except services.ReportLocked as exc:
                messages.error(request, str(exc))
                return redirect("monitoring:report_detail", pk=report.pk)
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing changed."))
                return redirect("monitoring:report_detail", pk=report.pk)
    else:
        content = services.content_of(report)
        initial = {"progress": content.progress, "narrative": content.narrative,
                   "narrative_language": content.narrative_language,
                   "agencies": list(content.agency_ids), "revision": report.revision}
        initial.update({f"output_{k}": n for k, n in content.outputs.items()})
        form = ReportForm(initial=initial, agencies=agencies)
        partners = PartnerFormSet(prefix="partners", form_kwargs=functions, initial=[
            {"partner_type": p.partner_type, "name": p.name, "function": p.function_id}
            for p in sorted(content.partners, key=lambda p: (p.partner_type, p.name))])
        budget = BudgetFormSet(prefix="budget", initial=[
            {"kind": b.kind, "partner_name": b.partner_name, "partner_type": b.partner_type,
             "currency": b.currency, "amount": b.amount}
            for b in sorted(content.budget, key=lambda b: b.key)])
    return render(request, "monitoring/report_edit.html", {
        "report": report, "form": form, "partners": partners, "budget": budget})


@scoped("country", model=ActivityReport, lookup="pk")
@login_required
def report_transition(request, pk: int):
    report = selectors.report_detail(request.user, pk)
    if request.method != "POST":
        return redirect("monitoring:report_detail", pk=report.pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step."))
        return redirect("monitoring:report_detail", pk=report.pk)
    try:
        services.activity_report_transition(actor=request.user, report=report,
                                            target=form.cleaned_data["target"],
                                            comment=form.cleaned_data["comment"])
    except TransitionNotAllowed:
        messages.error(request, _("This step is not allowed from the report's current state."))
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    except services.ReportLocked as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    if request.user.is_region_wide and not selectors.visible_reports(request.user).filter(
            pk=report.pk).exists():
        return redirect("monitoring:report_list")
    return redirect("monitoring:report_detail", pk=report.pk)


@scoped("country", model=ActivityReport, lookup="pk")
@login_required
def evidence_upload(request, pk: int):
    report = selectors.report_detail(request.user, pk)
    if request.method != "POST":
        return redirect("monitoring:report_detail", pk=report.pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
    else:
        try:
            services.evidence_add(actor=request.user, report=report,
                                  uploaded=form.cleaned_data["file"],
                                  description=form.cleaned_data["description"])
        except EvidenceRejected as exc:
            messages.error(request, str(exc))
        except services.ReportLocked as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("File added."))
    return redirect("monitoring:report_detail", pk=report.pk)


@scoped("country", model=EvidenceFile, lookup="pk")
@login_required
def evidence_download(request, pk: int):
    evidence = selectors.evidence_for(request.user, pk)
    handle = services.evidence_open(actor=request.user, evidence=evidence)
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@scoped("country", model=EvidenceFile, lookup="pk")
@login_required
def evidence_delete(request, pk: int):
    evidence = selectors.evidence_for(request.user, pk)
    report_id = evidence.report_id
    if request.method != "POST":
        return redirect("monitoring:report_detail", pk=report_id)
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except services.ReportLocked as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File removed."))
    return redirect("monitoring:report_detail", pk=report_id)


# --- Excel round trip ------------------------------------------------------------------

@scoped("country", model=ActivityReport)
@login_required
def workbook_download(request):
    """The prefilled workbook of the user's own country (drafts included, so own country only)."""
    if request.user.is_region_wide:
        raise PermissionDenied
    period = selectors.period_for_year(request.GET.get("year"))
    if period is None:
        raise Http404
    data = build_workbook(country_id=request.user.country_id, period=period)
    response = HttpResponse(data, content_type=FORMATS["xlsx"][0])
    response["Content-Disposition"] = content_disposition_header(
        True, f"matis-activity-reports-{request.user.country_id}-{period.year}.xlsx")
    return response


@scoped("country", model=ActivityReport)
@login_required
def workbook_upload(request):
    if not reports_for_country(request.user, request.user.country_id):
        raise PermissionDenied
    errors, result = [], None
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = workbook_import(actor=request.user, data=form.cleaned_data["file"].read())
        except WorkbookInvalid as exc:
            errors = [str(e) for e in exc.errors]
        except PermissionDenied:
            errors = [_("You may not change these reports.")]
    return render(request, "monitoring/workbook_upload.html", {
        "form": form, "errors": errors, "result": result,
        "periods": selectors.periods(), "period": selectors.default_period()})


# --- periods and exchange rates (secretariat) ------------------------------------------

@scoped("global")
@login_required
def periods(request):
    plan = selectors.current_plan()
    form = PeriodForm()
    if request.method == "POST":
        if not is_secretariat(request.user):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "create":
                form = PeriodForm(request.POST)
                if form.is_valid():
                    services.period_create(actor=request.user, plan=plan, **form.cleaned_data)
                    messages.success(request, _("Period created."))
                    return redirect("monitoring:periods")
            else:
                period = ReportingPeriod.objects.filter(pk=request.POST.get("period")).first()
                if period is None:
                    raise Http404
                if action == "dates":
                    dates = PeriodForm({"year": period.year, **request.POST.dict()})
                    if not dates.is_valid():
                        raise ValidationError(list(dates.errors.values()))
                    services.period_set_dates(actor=request.user, period=period,
                                              opens_on=dates.cleaned_data["opens_on"],
                                              closes_on=dates.cleaned_data["closes_on"])
                elif action == "close":
                    services.period_close(actor=request.user, period=period)
                elif action == "reopen":
                    services.period_reopen(actor=request.user, period=period)
                else:
                    raise Http404
                messages.success(request, _("Saved."))
                return redirect("monitoring:periods")
        except ValidationError as exc:
            for message in _error_messages(exc):
                messages.error(request, message)
    return render(request, "monitoring/periods.html", {
        "periods": selectors.periods(plan), "form": form,
        "can_manage": is_secretariat(request.user)})


@scoped("global")
@login_required
def rates(request):
    form = ExchangeRateForm()
    if request.method == "POST":
        if not is_secretariat(request.user):
            raise PermissionDenied
        form = ExchangeRateForm(request.POST)
        if form.is_valid():
            try:
                services.exchange_rate_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in _error_messages(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Saved."))
                return redirect("monitoring:rates")
    return render(request, "monitoring/rates.html", {
        "rates": selectors.exchange_rates(), "form": form,
        "can_manage": is_secretariat(request.user)})


# --- indicators -------------------------------------------------------------------------

@scoped("country", model=IndicatorActual)
@login_required
def indicator_values(request):
    period = selectors.period_for_year(request.GET.get("year") or request.POST.get("year"))
    country_id = _pick_country(request)
    if period is None or country_id is None:
        return render(request, "monitoring/indicators.html", {
            "period": period, "periods": selectors.periods(), "country_id": country_id,
            "countries": selectors.countries_for(request.user)})
    can_edit = reports_for_country(request.user, country_id) and period.accepts_country_edits()
    rows = selectors.indicator_rows(country_id=country_id, period=period)
    errors = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        from matis.monitoring import validation as v

        values = []
        for row in rows:
            pk = row.indicator.pk
            parsed = {}
            for name in ("baseline", "target", "actual"):
                raw = request.POST.get(f"{name}_{pk}", "")
                try:
                    parsed[name] = v.check_value(raw)
                except v.FieldError as exc:
                    errors.append(f"{row.indicator.code} ({name}): {exc}")
            if row.indicator.source == Indicator.Source.COMPUTED:
                parsed["actual"] = row.actual.value if row.actual else None
            values.append(services.IndicatorValues(pk, parsed.get("baseline"),
                                                   parsed.get("target"), parsed.get("actual")))
        if not errors:
            try:
                changed = services.indicator_values_set(actor=request.user,
                                                        country_id=country_id, period=period,
                                                        values=values)
            except ValidationError as exc:
                errors = _error_messages(exc)
            else:
                messages.success(request, _("%(n)s values changed.") % {"n": changed})
                return redirect(f"{reverse('monitoring:indicator_values')}?year={period.year}")
    return render(request, "monitoring/indicators.html", {
        "period": period, "periods": selectors.periods(), "country_id": country_id,
        "countries": selectors.countries_for(request.user), "rows": rows,
        "can_edit": can_edit, "errors": errors})


# --- national plans of action -----------------------------------------------------------

@scoped("country", model=NationalPlan)
@login_required
def npa_list(request):
    return render(request, "monitoring/npa_list.html", {
        "plans": selectors.national_plans(request.user),
        "can_create": reports_for_country(request.user, request.user.country_id)})


@scoped("country", model=NationalPlan, lookup="pk")
@login_required
def npa_detail(request, pk: int):
    plan = get_scoped_or_404(request.user, selectors.national_plans(request.user), pk=pk)
    return render(request, "monitoring/npa_detail.html", {
        "plan": plan, "can_edit": reports_for_country(request.user, plan.country_id)})


def _npa_form_page(request, plan: NationalPlan | None):
    country_id = plan.country_id if plan else request.user.country_id
    if not reports_for_country(request.user, country_id):
        raise PermissionDenied
    form = NationalPlanForm(request.POST or None, instance=plan)
    budgets = NpaBudgetFormSet(request.POST or None, prefix="budgets", initial=[
        {"year": b.year, "amount": b.amount, "currency": b.currency}
        for b in plan.budgets.all()] if plan else None)
    if request.method == "POST" and form.is_valid() and budgets.is_valid():
        lines = [(f.cleaned_data["year"], f.cleaned_data["amount"], f.cleaned_data["currency"])
                 for f in budgets.forms if f.cleaned_data.get("year") is not None]
        try:
            saved = services.national_plan_save(actor=request.user, country_id=country_id,
                                                fields=form.cleaned_data, budgets=lines,
                                                plan=plan)
        except ValidationError as exc:
            for message in _error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:npa_detail", pk=saved.pk)
    return render(request, "monitoring/npa_form.html", {"form": form, "budgets": budgets,
                                                         "plan": plan})


@scoped("country", model=NationalPlan)
@login_required
def npa_create(request):
    return _npa_form_page(request, None)


@scoped("country", model=NationalPlan, lookup="pk")
@login_required
def npa_edit(request, pk: int):
    plan = get_scoped_or_404(request.user, selectors.national_plans(request.user), pk=pk)
    return _npa_form_page(request, plan)
