"""Activity reports: list, detail, edit, workflow steps and evidence files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.files import (
    ALLOWED_EXTENSIONS,
    EvidenceRejected,
    file_response,
    max_evidence_bytes,
)
from matis.common.views import require
from matis.common.workflow import TransitionNotAllowed
from matis.monitoring import selectors, services
from matis.monitoring.forms import (
    BudgetFormSet,
    EvidenceForm,
    PartnerFormSet,
    ReportForm,
    TransitionForm,
    content_from_forms,
    function_choices,
)
from matis.monitoring.models import ActivityReport, EvidenceFile, OutputKind
from matis.monitoring.views.common import error_messages, pick_country


@scoped("country", model=ActivityReport)
@login_required
def report_list(request):
    require(has_perm(request.user, "monitoring.view_reports"))  # the menu's permission
    period = selectors.period_for_year(request.GET.get("year"))
    country_id = pick_country(request)
    context = {
        "period": period,
        "periods": selectors.periods(),
        "country_id": country_id,
        "countries": selectors.countries_for(request.user),
        "can_edit": country_id is not None
        and has_perm(request.user, "monitoring.edit_report", country_id),
    }
    if period is not None:
        if country_id:
            rows = selectors.report_matrix(request.user, country_id=country_id, period=period)
            context["rows"] = rows
            context["missing"] = sum(1 for r in rows if r.report is None)
        if request.user.is_region_wide:
            context["queue"] = selectors.review_queue(request.user, period=period)[:200]
            counts = selectors.workflow_counts(request.user, period=period)
            context["summary"] = [
                {
                    "country": c,
                    "counts": [
                        counts.get((c.iso3, s), 0) for s in ("submitted", "reviewed", "approved")
                    ],
                }
                for c in selectors.countries_for(request.user)
            ]
    return render(request, "monitoring/report_list.html", context)


@scoped("country", model=ActivityReport)
@login_required
def reports_prepare(request):
    """Create the missing draft reports of the user's country for a period (POST)."""
    if request.method != "POST":
        return redirect("monitoring:report_list")
    period = selectors.period_for_year(request.POST.get("year"))
    if period is None or not has_perm(
        request.user, "monitoring.edit_report", request.user.country_id
    ):
        raise PermissionDenied
    if not period.accepts_country_edits():
        messages.error(request, _("The reporting period does not accept changes now."))
    else:
        created = services.period_reports_ensure(period=period, countries=[request.user.country_id])
        messages.success(request, _("%(n)s draft reports prepared.") % {"n": created})
    return redirect(f"{reverse('monitoring:report_list')}?year={period.year}")


@scoped("country", model=ActivityReport, lookup="pk")
@login_required
def report_detail(request, pk: int):
    report = selectors.report_detail(request.user, pk)
    user = request.user
    may_act = {
        "country": has_perm(user, "monitoring.edit_report", report.country_id),
        "secretariat": has_perm(user, "monitoring.review_report"),
    }
    transitions = [t for t in report.available_transitions() if may_act[t.by]]
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "report": report,
            "transitions": transitions,
            "can_edit": has_perm(user, "monitoring.edit_report", report.country_id)
            and report.is_editable_content,
            "evidence_form": EvidenceForm(),
            "allowed_extensions": ", ".join(ALLOWED_EXTENSIONS),
            "max_mb": round(max_evidence_bytes() / 1048576),
            "outputs": [
                (
                    kind.label,
                    next((o.count for o in report.outputs.all() if o.kind == kind.value), None),
                )
                for kind in OutputKind
            ],
        },
    )


@scoped("country", model=ActivityReport, lookup="pk")
@login_required
def report_edit(request, pk: int):
    report = selectors.report_detail(request.user, pk)
    if not has_perm(request.user, "monitoring.edit_report", report.country_id):
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
                    actor=request.user,
                    report=report,
                    content=content,
                    expected_revision=form.cleaned_data["revision"],
                )
            except ValidationError as exc:
                for message in error_messages(exc):
                    form.add_error(None, message)
            except services.ReportLocked as exc:
                messages.error(request, str(exc))
                return redirect("monitoring:report_detail", pk=report.pk)
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing changed."))
                return redirect("monitoring:report_detail", pk=report.pk)
    else:
        content = services.content_of(report)
        initial = {
            "progress": content.progress,
            "narrative": content.narrative,
            "narrative_language": content.narrative_language,
            "agencies": list(content.agency_ids),
            "revision": report.revision,
        }
        initial.update({f"output_{k}": n for k, n in content.outputs.items()})
        form = ReportForm(initial=initial, agencies=agencies)
        partners = PartnerFormSet(
            prefix="partners",
            form_kwargs=functions,
            initial=[
                {"partner_type": p.partner_type, "name": p.name, "function": p.function_id}
                for p in sorted(content.partners, key=lambda p: (p.partner_type, p.name))
            ],
        )
        budget = BudgetFormSet(
            prefix="budget",
            initial=[
                {
                    "kind": b.kind,
                    "partner_name": b.partner_name,
                    "partner_type": b.partner_type,
                    "currency": b.currency,
                    "amount": b.amount,
                }
                for b in sorted(content.budget, key=lambda b: b.key)
            ],
        )
    return render(
        request,
        "monitoring/report_edit.html",
        {"report": report, "form": form, "partners": partners, "budget": budget},
    )


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
        services.activity_report_transition(
            actor=request.user,
            report=report,
            target=form.cleaned_data["target"],
            comment=form.cleaned_data["comment"],
        )
    except TransitionNotAllowed:
        messages.error(request, _("This step is not allowed from the report's current state."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    except services.ReportLocked as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    if (
        request.user.is_region_wide
        and not selectors.visible_reports(request.user).filter(pk=report.pk).exists()
    ):
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
            services.evidence_add(
                actor=request.user,
                report=report,
                uploaded=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
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
    return file_response(
        handle, filename=evidence.original_name, content_type=evidence.content_type
    )


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
