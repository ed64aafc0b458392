"""Pages for criminal cases, the case workers' view of their victims' links, and measures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.audit import audit_list_read
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import gates as case_gates
from matis.cases.models import Case
from matis.cases.pages import run_form
from matis.common.views import measures_page as common_measures_page
from matis.common.views import require
from matis.justice import forms, gates, services, tables
from matis.justice import measures as justice_measures_module
from matis.justice.models import Charge, CompensationClaim, CriminalCase, Defendant, VictimWitness

FORM = "justice/form.html"


def _url(cc) -> str:
    return reverse("justice:detail", args=[cc.pk])


def _form(request, form, action, cc, title, success=None):
    return run_form(
        request,
        form,
        action,
        success=success or _("Saved."),
        redirect_to=_url(cc),
        template=FORM,
        context={"cc": cc, "title": title},
    )


@scoped("country", model=CriminalCase)
@require_safe
@login_required
def criminal_case_list(request):
    user = request.user
    require(has_perm(user, "justice.view_criminal_cases"))
    rows = gates.criminal_cases_for(user).order_by("-opened_on", "-id")[:300]
    return render(request, "justice/list.html", {"rows": rows})


@scoped("country", model=CriminalCase)
@login_required
def criminal_case_new(request):
    user = request.user
    require(has_perm(user, "justice.view_criminal_cases"))
    form = forms.CriminalCaseForm(request.POST or None)
    created = {}

    def action(f):
        created["cc"] = services.criminal_case_open(actor=user, **f.cleaned_data)

    response = run_form(
        request,
        form,
        action,
        success=_("Criminal case opened."),
        redirect_to=reverse("justice:list"),
        template=FORM,
        context={"title": _("Open a criminal case")},
    )
    if "cc" in created:
        response["Location"] = _url(created["cc"])
    return response


@scoped("country", model=CriminalCase, lookup="pk")
@require_safe
@login_required
def criminal_case_detail(request, pk: int):
    cc = gates.access_criminal_case(request.user, pk, purpose="view")
    defendants = cc.defendants.select_related("nationality").prefetch_related("charges__verdicts")
    witnesses = list(cc.witnesses.select_related("case__person").prefetch_related("claims"))
    # The page lists victims by name: a read of each victim's case, for subject access.
    audit_list_read(
        actor=request.user,
        object_type="justice.victimwitness",
        case_ids=[w.case_id for w in witnesses],
        purpose="criminal_case_witnesses",
    )
    return render(
        request,
        "justice/detail.html",
        {
            "cc": cc,
            "defendants": defendants,
            "witnesses": witnesses,
            "assets": cc.assets.all(),
            "notes": cc.monitoring_notes.all(),
            "stages": cc.stage_changes.all(),
            "next_stages": cc.TRANSITIONS[cc.stage],
        },
    )


@scoped("country", model=CriminalCase, lookup="pk")
@login_required
def stage(request, pk: int):
    cc = gates.access_criminal_case(request.user, pk, purpose="stage")
    allowed = cc.TRANSITIONS[cc.stage]
    require(bool(allowed))
    form = forms.StageForm(request.POST or None, allowed=allowed)
    return _form(
        request,
        form,
        lambda f: services.stage_change(actor=request.user, criminal_case=cc, **f.cleaned_data),
        cc,
        _("Next stage"),
    )


@scoped("country", model=CriminalCase, lookup="pk")
@login_required
def defendant_new(request, pk: int):
    cc = gates.access_criminal_case(request.user, pk, purpose="defendant")
    form = forms.DefendantForm(request.POST or None)
    return _form(
        request,
        form,
        lambda f: services.defendant_add(actor=request.user, criminal_case=cc, **f.cleaned_data),
        cc,
        _("Add a suspect or defendant"),
    )


@scoped("country", model=Defendant, lookup="pk", field="criminal_case__country")
@login_required
def charge_new(request, pk: int):
    defendant = gates.access_defendant(request.user, pk, purpose="charge")
    form = forms.ChargeForm(request.POST or None)
    return _form(
        request,
        form,
        lambda f: services.charge_add(actor=request.user, defendant=defendant, **f.cleaned_data),
        defendant.criminal_case,
        _("Add a charge"),
    )


@scoped("country", model=Charge, lookup="pk", field="defendant__criminal_case__country")
@login_required
def verdict_new(request, pk: int):
    charge = gates.access_charge(request.user, pk, purpose="verdict")
    form = forms.VerdictForm(request.POST or None)
    return _form(
        request,
        form,
        lambda f: services.verdict_record(actor=request.user, charge=charge, **f.cleaned_data),
        charge.defendant.criminal_case,
        _("Record a verdict"),
    )


@scoped("country", model=CriminalCase, lookup="pk")
@login_required
def asset_new(request, pk: int):
    cc = gates.access_criminal_case(request.user, pk, purpose="asset")
    form = forms.AssetForm(request.POST or None)
    return _form(
        request,
        form,
        lambda f: services.asset_record(actor=request.user, criminal_case=cc, **f.cleaned_data),
        cc,
        _("Record confiscated assets"),
    )


@scoped("country", model=CriminalCase, lookup="pk")
@login_required
def witness_new(request, pk: int):
    cc = gates.access_criminal_case(request.user, pk, purpose="witness")
    form = forms.WitnessForm(request.POST or None)
    return _form(
        request,
        form,
        lambda f: services.witness_link(actor=request.user, criminal_case=cc, **f.cleaned_data),
        cc,
        _("Link a victim as witness"),
    )


@scoped("country", model=VictimWitness, lookup="pk", field="criminal_case__country")
@login_required
def claim_new(request, pk: int):
    witness = gates.access_witness(request.user, pk, purpose="claim")
    form = forms.ClaimForm(request.POST or None)
    return _form(
        request,
        form,
        lambda f: services.claim_file(actor=request.user, witness=witness, **f.cleaned_data),
        witness.criminal_case,
        _("File a compensation claim"),
    )


@scoped("country", model=CompensationClaim, lookup="pk", field="witness__criminal_case__country")
@login_required
def claim_update(request, pk: int):
    claim = gates.access_claim(request.user, pk, purpose="claim")
    form = forms.ClaimUpdateForm(
        request.POST or None,
        initial={
            "awarded": claim.awarded,
            "decided_on": claim.decided_on,
            "paid": claim.paid,
            "last_paid_on": claim.last_paid_on,
        },
    )
    return _form(
        request,
        form,
        lambda f: services.claim_update(actor=request.user, claim=claim, **f.cleaned_data),
        claim.witness.criminal_case,
        _("Award and payment"),
    )


@scoped("country", model=CriminalCase, lookup="pk")
@login_required
def note_new(request, pk: int):
    cc = gates.access_criminal_case(request.user, pk, purpose="monitoring")
    form = forms.NoteForm(request.POST or None, initial={"stage": cc.stage})
    return _form(
        request,
        form,
        lambda f: services.note_add(actor=request.user, criminal_case=cc, **f.cleaned_data),
        cc,
        _("Court monitoring note"),
    )


@scoped("country", model=Case, lookup="pk")
@require_safe
@login_required
def case_links(request, pk: int):
    """A case worker's view: the criminal cases her or his victim is part of (no defendants)."""
    case = case_gates.access_case_by_id(request.user, pk, purpose="justice_links")
    return render(
        request, "justice/case_links.html", {"case": case, "links": gates.links_of_case(case)}
    )


@scoped("country", model=CriminalCase)
@require_safe
@login_required
def measures_page(request):
    return common_measures_page(
        request,
        name="justice",
        template="justice/measures.html",
        data_of=justice_measures_module.justice_measures,
        tables_of=tables.measure_tables,
        charts_of=tables.measure_charts,
    )
