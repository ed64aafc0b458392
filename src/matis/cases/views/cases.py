"""Case list, registration, the case page, edits, exports and deletion."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.audit import audit_list_read, audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import forms, gates, selectors, services
from matis.cases import screening as instruments
from matis.cases.choices import ExploitationExtension, Recommendation
from matis.cases.export import case_to_htcds, subject_access_export
from matis.cases.htcds import CaseStatus, Gender, TraffickingStatus, TypeOfExploitation
from matis.cases.models import Case
from matis.cases.pages import case_form, case_service_form, case_url
from matis.cases.services.consent import consent_status
from matis.common.models import Country
from matis.common.views import add_service_error, require
from matis.common.workflow import TransitionNotAllowed

PAGE_SIZE = 50


@scoped("country", model=Case)
@require_safe
@login_required
def case_list(request):
    user = request.user
    require(has_perm(user, "cases.view_cases"))
    filters = selectors.CaseFilters(
        query=request.GET.get("q", "")[:200],
        status=request.GET.get("status", ""),
        identification=request.GET.get("identification", ""),
        gender=request.GET.get("gender", ""),
        citizenship=request.GET.get("citizenship", ""),
        child=request.GET.get("child", ""),
        exploitation=request.GET.get("exploitation", ""),
    )
    page = Paginator(selectors.case_list(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # One audit row per list page: which cases were shown (never the search text).
    audit_list_read(
        actor=user,
        object_type="cases.case",
        case_ids=[c.pk for c in page.object_list],
        purpose="list",
        search=bool(filters.query),
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": CaseStatus.choices,
            "identifications": TraffickingStatus.choices,
            "genders": Gender.choices,
            "exploitations": [*TypeOfExploitation.choices, *ExploitationExtension.choices],
            "countries": Country.objects.filter(is_commit_member=True),
            "may_register": has_perm(user, "cases.register_case"),
            "may_break_glass": has_perm(user, "cases.break_glass"),
            "incoming": gates.referrals_incoming(user).filter(status="pending").count(),
            "open_alerts": selectors.open_alert_count(user),
        },
    )


@scoped("country", model=Case)
@login_required
def case_register(request):
    user = request.user
    require(has_perm(user, "cases.register_case"))
    form = forms.RegisterForm(request.POST or None, initial={"place_country": user.country_id})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_register(
                actor=user,
                person=form.person_values(),
                case=form.case_values(),
                documents=form.documents(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Case %(ref)s registered.") % {"ref": case.reference})
            return redirect(case_url(case))
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/case_register.html", {"form": form}, status=status)


def _htcds_context(case) -> dict:
    from matis.cases.record_forms import record_display
    from matis.cases.services.record import record_of

    rec = record_of(case)
    return {"htcds_groups": record_display(rec), "htcds_source": rec.import_source}


def _by_break_glass(user, case) -> bool:
    routine = gates.routine_filter(user)
    return routine is None or not Case.objects.filter(routine, pk=case.pk).exists()


def identification_is_next(screenings, decisions) -> bool:
    """The latest screening found strong indicators and no identification decision was
    recorded since: the case page prompts the next step, the formal identification.

    ``screenings`` and ``decisions`` are the case's, newest first (their ordering).
    """
    if not screenings or screenings[0].recommendation != Recommendation.STRONG:
        return False
    latest = screenings[0]
    return not any(d.decided_on >= latest.screened_on for d in decisions)


@scoped("country", model=Case, lookup="pk")
@require_safe
@login_required
def case_detail(request, pk: int):
    user = request.user
    case = gates.access_case_by_id(user, pk, purpose="view")
    person = case.person
    editable = gates.cases_editable_by(user).filter(pk=case.pk).exists()
    screenings = list(case.screenings.all())
    decisions = list(case.decisions.select_related("decided_by"))
    return render(
        request,
        "cases/case_detail.html",
        {
            **_htcds_context(case),
            "case": case,
            "person": person,
            "documents": person.documents.select_related("issuing_country"),
            "editable": editable,
            "supervisor": has_perm(user, "cases.supervise_cases") and editable,
            "timeline": selectors.case_timeline(case),
            "consents": consent_status(case),
            "placements": case.placements.select_related(
                "facility__subdivision", "province", "district"
            ),
            "referrals": case.referrals.select_related("provider"),
            "services": case.services.select_related("provider"),
            "alerts": case.alerts.filter(resolved_at__isnull=True),
            "screenings": screenings,
            "decisions": decisions,
            "identification_next": editable and identification_is_next(screenings, decisions),
            "instruments": instruments.instruments_for(is_child=person.is_child),
            "emergency": _by_break_glass(user, case),
        },
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def case_edit(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="edit")
    person = case.person
    initial = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "romanised_given": person.romanised_given,
        "romanised_family": person.romanised_family,
        "aliases": "\n".join(person.aliases or []),
        "date_of_birth": person.date_of_birth,
        "age_at_registration": person.age_at_registration if not person.date_of_birth else None,
        "gender": person.gender,
        "primary_citizenship": person.primary_citizenship,
        "other_citizenships": person.other_citizenships,
        "stateless": person.stateless,
        "languages": person.languages,
        "contact_notes": person.contact_notes,
        "exploitation_types": case.exploitation_types,
        "forced_labour_industry": case.forced_labour_industry,
        "forced_criminality": case.forced_criminality,
        "country_of_exploitation": case.country_of_exploitation,
        "place_country": case.place_of_identification.country_id
        if case.place_of_identification
        else case.country_id,
        "place_of_identification": case.place_of_identification,
        "district_of_identification": case.district_of_identification,
        "summary": case.summary,
        "restricted": case.restricted,
    }
    form = forms.EditForm(request.POST or None, initial=initial)

    def action(f):
        values = {k: f.cleaned_data[k] for k in forms.CaseDetailsForm.base_fields}
        services.person_update(actor=user, case=case, person=f.person_values(), case_values=values)

    return case_form(
        request, case, form, action, success=_("Saved."), title=_("Edit person and case")
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def document_add(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="add_document")
    form = forms.DocumentForm(request.POST or None)

    return case_service_form(
        request,
        case,
        form,
        services.document_add,
        success=_("Document added."),
        title=_("Add an identity document"),
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def case_status(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="status")
    form = forms.StatusForm(request.POST or None, initial={"status": case.status})

    def action(f):
        try:
            services.case_status_change(
                actor=user,
                case=case,
                status=f.cleaned_data["status"],
                reason=f.cleaned_data["reason"],
            )
        except TransitionNotAllowed:
            raise ValidationError({"status": _("This change of status is not possible.")}) from None

    return case_form(
        request, case, form, action, success=_("Status changed."), title=_("Change the case status")
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def case_transfer(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="transfer")
    form = forms.TransferForm(
        request.POST or None, country_id=case.country_id, exclude_agency=case.agency_id
    )

    def action(f):
        services.case_transfer(actor=user, case=case, agency=f.cleaned_data["agency"])

    return case_form(
        request,
        case,
        form,
        action,
        success=_("Case handed over."),
        title=_("Hand the case to another agency"),
        redirect_to=reverse("cases:case_list"),
    )


@scoped("country", model=Case, lookup="pk")
@require_safe
@login_required
def case_htcds(request, pk: int):
    case = gates.access_case_by_id(request.user, pk, purpose="htcds_export")
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=case, format="htcds")
    payload = json.dumps(case_to_htcds(case), ensure_ascii=False, indent=2)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-htcds.json"'
    response["Cache-Control"] = "no-store"
    return response


@scoped("country", model=Case, lookup="pk")
@require_safe
@login_required
def subject_access(request, pk: int):
    case = gates.access_case_for_supervision(request.user, pk, purpose="subject_access")
    payload = subject_access_export(actor=request.user, case=case)
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-subject-access.json"'
    response["Cache-Control"] = "no-store"
    return response


@scoped("country", model=Case, lookup="pk")
@login_required
def case_delete(request, pk: int):
    user = request.user
    case = gates.access_case_for_supervision(user, pk, purpose="secure_delete")
    form = forms.DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["reference"].strip().upper() != case.reference:
            form.add_error("reference", _("The case number does not match."))
        else:
            reference = services.case_secure_delete(
                actor=user, case=case, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Case %(ref)s was securely deleted.") % {"ref": reference})
            return redirect("cases:case_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "case": case,
            "title": _("Securely delete this case"),
            "danger": True,
        },
        status=status,
    )
