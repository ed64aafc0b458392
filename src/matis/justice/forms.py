"""Forms for criminal cases. Short, one column."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.cases.choices import ConsentGivenBy
from matis.cases.htcds import Gender
from matis.common.dateinput import LocalDateField
from matis.common.models import Country
from matis.justice.choices import (
    ClaimKind,
    Currency,
    Instance,
    Law,
    MonitoringConcern,
    PerpetratorRole,
    ProtectionMeasure,
    Stage,
    VerdictOutcome,
    WitnessRole,
)


def _date(label, required=True, initial=None):
    return LocalDateField(label=label, required=required, initial=initial)


def _money(label, required=True):
    return forms.DecimalField(
        label=label, required=required, min_value=0, max_digits=16, decimal_places=2
    )


class CriminalCaseForm(forms.Form):
    reference = forms.CharField(label=_("Case number (police or court)"), max_length=64)
    opened_on = _date(_("Investigation opened on"), initial=dt.date.today)
    court = forms.CharField(label=_("Court"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=())
    on = _date(_("Date"), initial=dt.date.today)

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in Stage.values if s in allowed]


class DefendantForm(forms.Form):
    name = forms.CharField(label=_("Name as written"), max_length=200)
    romanised = forms.CharField(label=_("Name, romanised"), max_length=200, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    nationality = forms.ModelChoiceField(
        label=_("Nationality"),
        queryset=Country.objects.order_by("-is_commit_member", "name"),
        required=False,
    )
    role = forms.ChoiceField(label=_("Role in the crime"), choices=PerpetratorRole.choices)
    is_official = forms.BooleanField(label=_("Public official"), required=False)


class ChargeForm(forms.Form):
    law = forms.ChoiceField(label=_("Law"), choices=Law.choices)
    provision = forms.CharField(label=_("Section or article"), max_length=200)
    charged_on = _date(_("Charged on"), initial=dt.date.today)


class VerdictForm(forms.Form):
    instance = forms.ChoiceField(label=_("Court"), choices=Instance.choices)
    outcome = forms.ChoiceField(label=_("Verdict"), choices=VerdictOutcome.choices)
    decided_on = _date(_("Decided on"), initial=dt.date.today)
    prison_months = forms.IntegerField(label=_("Prison (months)"), min_value=0, required=False)
    fine = _money(_("Fine"), required=False)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", "—"), *Currency.choices], required=False
    )


class AssetForm(forms.Form):
    description = forms.CharField(label=_("What was confiscated"), max_length=500)
    value = _money(_("Value"))
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    confiscated_on = _date(_("Confiscated on"), initial=dt.date.today)


class WitnessForm(forms.Form):
    case_reference = forms.CharField(label=_("Victim's case number"), max_length=32)
    role = forms.ChoiceField(label=_("Role"), choices=WitnessRole.choices)
    protection = forms.MultipleChoiceField(
        label=_("Protection measures"),
        choices=ProtectionMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    protection_agreed_by = forms.ChoiceField(
        label=_("Protection agreed by"),
        choices=[("", "—"), *ConsentGivenBy.choices],
        required=False,
    )
    protection_agreed_on = _date(_("Agreed on"), required=False)


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("Claim"), choices=ClaimKind.choices)
    filed_on = _date(_("Filed on"), initial=dt.date.today)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    claimed = _money(_("Claimed"))


class ClaimUpdateForm(forms.Form):
    awarded = _money(_("Awarded"), required=False)
    decided_on = _date(_("Decided on"), required=False)
    paid = _money(_("Paid so far"))
    last_paid_on = _date(_("Last payment on"), required=False)


class NoteForm(forms.Form):
    on = _date(_("Hearing on"), initial=dt.date.today)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    concerns = forms.MultipleChoiceField(
        label=_("Concerns"),
        choices=MonitoringConcern.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))
