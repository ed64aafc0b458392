"""Forms for returns and reintegration. Short, one column."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.choices import Language
from matis.cases.models import ServiceProvider
from matis.common.dateinput import LocalDateField
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.returns import instruments as tools
from matis.returns.choices import (
    ClosureReason,
    FeedbackStage,
    Outcome,
    RetraffickingKind,
    ServiceKind,
    ServiceStatus,
    Step,
)


def _date(label, required=True, initial=None):
    return LocalDateField(label=label, required=required, initial=initial)


class AgencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.country.display_name}: {obj.name}"


class RequestForm(forms.Form):
    """One database: name the home country's agency. A national instance (``relayed``):
    name the home country only; its government chooses the agency on its own instance."""

    receiving_agency = AgencyChoice(
        label=_("Receiving agency in the home country"), queryset=Agency.objects.none()
    )
    receiving_country = forms.ModelChoiceField(
        label=_("Home country"), queryset=Country.objects.none()
    )
    requested_on = _date(_("Requested on"), initial=dt.date.today)
    handover_expected_on = _date(_("Handover expected on"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, sending_country: str, relayed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if relayed:
            del self.fields["receiving_agency"]
            self.fields["receiving_country"].queryset = Country.objects.filter(
                pk__in=COMMIT_COUNTRIES
            ).exclude(pk=sending_country)
        else:
            del self.fields["receiving_country"]
            self.fields["receiving_agency"].queryset = (
                Agency.objects.filter(country_id__in=COMMIT_COUNTRIES, is_active=True)
                .exclude(country_id=sending_country)
                .select_related("country")
                .order_by("country_id", "name")
            )


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=())
    started_on = _date(_("Started on"), initial=dt.date.today)
    completed_on = _date(_("Completed on"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    open_case = forms.BooleanField(
        label=_("Open a case for the returnee at my agency"), required=False
    )

    def __init__(self, *args, steps: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Step.choices)
        self.fields["step"].choices = [(s, labels[s]) for s in steps]
        if Step.RECEPTION not in steps:
            del self.fields["open_case"]


class WithdrawForm(forms.Form):
    on = _date(_("Consent withdrawn on"), initial=dt.date.today)
    language = forms.ChoiceField(label=_("Language explained in"), choices=Language.choices)


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(
            country_id=country_id, is_active=True
        ).order_by("name")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    opened_on = _date(_("Plan made on"), initial=dt.date.today)
    goals = forms.CharField(
        label=_("Goals agreed with the person"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class PlannedServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=ServiceProvider.objects.none(), required=False
    )
    planned_on = _date(_("Planned on"), initial=dt.date.today)
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    delivered_on = _date(_("Delivered on"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = ServiceProvider.objects.filter(
            country_id=country_id, is_active=True
        )


class ServiceUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    delivered_on = _date(_("Delivered on"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VisitForm(forms.Form):
    """A follow-up visit: one 0..max choice per item of the assessment instrument."""

    visited_on = _date(_("Visited on"), initial=dt.date.today)

    def __init__(self, *args, instrument: tools.Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        scale = [(str(n), str(n)) for n in range(instrument.scale_max + 1)]
        for item in instrument.items:
            self.fields[f"item_{item.code}"] = forms.TypedChoiceField(
                label=item.text, choices=scale, coerce=int, widget=forms.RadioSelect
            )
        self.fields["notes"] = forms.CharField(
            label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
        )

    def answers(self) -> dict[str, int]:
        return {i.code: self.cleaned_data[f"item_{i.code}"] for i in self.instrument.items}


class FeedbackForm(forms.Form):
    stage = forms.ChoiceField(label=_("When"), choices=FeedbackStage.choices)
    answered_on = _date(_("Answered on"), initial=dt.date.today)

    def __init__(self, *args, survey: tools.Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        scale = [("", _("No answer")), *[(str(n), str(n)) for n in range(1, 6)]]
        for q in survey.questions:
            self.fields[f"q_{q.code}"] = forms.TypedChoiceField(
                label=q.text, choices=scale, coerce=int, required=False, empty_value=None
            )
        self.fields["comments"] = forms.CharField(
            label=_("The person's own words"),
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )

    def ratings(self) -> dict[str, int]:
        return {
            q.code: self.cleaned_data[f"q_{q.code}"]
            for q in self.survey.questions
            if self.cleaned_data.get(f"q_{q.code}") is not None
        }


class CloseForm(forms.Form):
    closed_on = _date(_("Closed on"), initial=dt.date.today)
    reason = forms.ChoiceField(label=_("Reason for closure"), choices=ClosureReason.choices)
    note = forms.CharField(
        label=_("Note on closure"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RetraffickingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=RetraffickingKind.choices)
    on = _date(_("Date"), initial=dt.date.today)
    where = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("-is_commit_member", "name"),
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
