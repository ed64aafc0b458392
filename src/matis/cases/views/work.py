"""Case work: screening, identification, consent, placements, referrals, services, sharing."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import forms, gates, services
from matis.cases import screening as instruments
from matis.cases.models import Case, Placement, Referral
from matis.cases.pages import case_form, case_service_form, case_url, consent_message, run_form
from matis.cases.services import ConsentRequired
from matis.common.views import add_service_error
from matis.common.workflow import TransitionNotAllowed


@scoped("country", model=Case, lookup="pk")
@login_required
def screen(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="screening")
    available = instruments.instruments_for(is_child=case.person.is_child)
    wanted = request.POST.get("instrument") or request.GET.get("instrument") or available[0].slug
    tool = next((i for i in available if i.slug == wanted), available[0])
    form = forms.ScreeningForm(request.POST or None, instrument=tool)

    def action(f):
        services.screening_record(
            actor=user,
            case=case,
            instrument=tool.slug,
            answers=f.answers(),
            language=f.cleaned_data["language"],
            interpreter_present=f.cleaned_data["interpreter_present"],
            screened_on=f.cleaned_data["screened_on"],
            notes=f.cleaned_data["notes"],
        )

    return case_form(
        request,
        case,
        form,
        action,
        success=_("Screening recorded."),
        template="cases/screen.html",
        instrument=tool,
        instruments=available,
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def decide(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="identification")
    form = forms.DecisionForm(request.POST or None, country_id=case.country_id)

    return case_service_form(
        request,
        case,
        form,
        services.identification_decide,
        success=_("Decision recorded."),
        title=_("Identification decision"),
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def consent(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="consent")
    child = case.person.is_child
    form = forms.ConsentForm(
        request.POST or None,
        country_id=case.country_id,
        initial={"given_by": "guardian" if child else "person"},
    )

    def action(f):
        services.consent_record(actor=user, case=case, **f.cleaned_data)

    return case_form(
        request,
        case,
        form,
        action,
        success=_("Consent recorded."),
        title=_("Record consent"),
        child=child,
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def placement_new(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="placement")
    form = forms.PlacementForm(request.POST or None, country_id=case.country_id)

    def action(f):
        data = dict(f.cleaned_data)
        placement = services.placement_add(
            actor=user, case=case, kind=data["facility"].kind, **data
        )
        notice = placement.detention_notices.first()  # sent at once to the country of nationality
        if notice is not None:
            messages.info(
                request,
                _("The country of nationality has been notified of this placement.")
                if notice.personal
                else _(
                    "The country of nationality has been notified without personal details: "
                    "they follow when the person consents to sharing with that country."
                ),
            )

    return case_form(
        request, case, form, action, success=_("Placement recorded."), title=_("Record a placement")
    )


@scoped("country", model=Placement, lookup="pk", field="case__country")
@login_required
def placement_end(request, pk: int):
    user = request.user
    placement = gates.access_placement_for_update(user, pk, purpose="placement_end")
    form = forms.PlacementEndForm(request.POST or None)

    def action(f):
        services.placement_end(actor=user, placement=placement, end_date=f.cleaned_data["end_date"])

    return case_form(
        request,
        placement.case,
        form,
        action,
        success=_("Placement ended."),
        title=_("End of the placement"),
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def referral_new(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="referral")
    form = forms.ReferralForm(request.POST or None, country_id=case.country_id)

    return case_service_form(
        request,
        case,
        form,
        services.referral_create,
        success=_("Referral sent."),
        title=_("Refer to a service provider"),
    )


@scoped("country", model=Referral, lookup="pk", field="case__country")
@login_required
def referral_answer(request, pk: int):
    user = request.user
    referral = gates.access_referral(user, pk, purpose="referral_answer")
    form = forms.ReferralAnswerForm(request.POST or None)
    case_visible = gates.cases_visible_to(user).filter(pk=referral.case_id).exists()
    target = case_url(referral.case) if case_visible else reverse("cases:referral_list")

    def action(f):
        try:
            services.referral_answer(actor=user, referral=referral, **f.cleaned_data)
        except TransitionNotAllowed:
            raise ValidationError({"status": _("This change of status is not possible.")}) from None

    return run_form(
        request,
        form,
        action,
        success=_("Answer recorded."),
        redirect_to=target,
        template="cases/referral_answer.html",
        context={"referral": referral},
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def service_new(request, pk: int):
    user = request.user
    if not has_perm(user, "cases.view_directory"):
        raise gates.CaseNotAvailable()  # the same answer as for a case that is not there
    case = gates.access_case_by_id(user, pk, purpose="service")
    form = forms.ServiceForm(request.POST or None, country_id=case.country_id)

    return case_service_form(
        request,
        case,
        form,
        services.service_record,
        success=_("Service recorded."),
        title=_("Record a service delivered"),
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def share(request, pk: int):
    """Share the case record with a recipient the person consented to (download for sending)."""
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="share")
    form = forms.ShareForm(request.POST or None, country_id=case.country_id)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.case_share(actor=user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        except ConsentRequired as exc:
            form.add_error(None, consent_message(exc))
        else:
            response = HttpResponse(
                json.dumps(record, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            name = f"{case.reference}-{form.cleaned_data['purpose']}.json"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "case": case,
            "title": _("Share the case record"),
            "intro": _(
                "Only with the person's consent for this purpose and recipient. "
                "Statistics and research receive a de-identified record."
            ),
        },
        status=status,
    )
