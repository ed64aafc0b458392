"""Forms of the tip and group pages (validation of types only; the services check the rest)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency, OrganisationType
from matis.cases.choices import Language
from matis.cases.models import ServiceProvider
from matis.common.dateinput import LocalDateField
from matis.common.models import Country
from matis.common.places import DistrictField, SubdivisionField, check_district
from matis.intake.choices import Channel, TipStatus, Urgency
from matis.registers.models import HotlineRecord


def _countries():
    return Country.objects.filter(is_commit_member=True)


class _PlaceChecks:
    """The district must be in the province chosen (the model checks the country)."""

    def clean(self):
        data = super().clean()
        error = check_district(data.get("district"), data.get("province"))
        if error:
            self.add_error("district", error)
        return data


class TipForm(_PlaceChecks, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    place_country = forms.ModelChoiceField(
        label=_("Country of the place"), queryset=Country.objects.none(), required=False
    )
    province = SubdivisionField(
        label=_("Province"), required=False, narrowed_by="place_country", with_map=True
    )
    district = DistrictField(label=_("District"), narrowed_by="province")
    place = forms.CharField(
        label=_("Place details"),
        max_length=200,
        required=False,
        help_text=_("District, town or site; no names of people."),
    )
    issue = forms.ChoiceField(label=_("Issue"), choices=HotlineRecord.Issue.choices)
    report = forms.CharField(label=_("What was reported"), widget=forms.Textarea(attrs={"rows": 5}))
    reporter_contact = forms.CharField(
        label=_("Reporter's contact"), max_length=200, required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_country"].queryset = _countries()


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("Next step"), choices=())
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    issue = forms.ChoiceField(label=_("Issue"), choices=HotlineRecord.Issue.choices)
    referred_to = forms.ModelChoiceField(
        label=_("Law-enforcement agency"), queryset=Agency.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, tip, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(TipStatus.choices)
        steps = [s for s in TipStatus.values if s != TipStatus.CONVERTED and tip.can_transition(s)]
        self.fields["status"].choices = [(s, labels[s]) for s in steps]
        self.fields["referred_to"].queryset = Agency.objects.filter(
            country_id=tip.country_id, org_type=OrganisationType.LAW_ENFORCEMENT, is_active=True
        )


class GroupForm(_PlaceChecks, forms.Form):
    """The incident, entered once for the whole group."""

    rescued_on = LocalDateField(label=_("Date of rescue"))
    place_country = forms.ModelChoiceField(
        label=_("Country of the place"), queryset=Country.objects.none(), required=False
    )
    province = SubdivisionField(
        label=_("Province"), required=False, narrowed_by="place_country", with_map=True
    )
    district = DistrictField(label=_("District"), narrowed_by="province")
    place = forms.CharField(
        label=_("Place details"),
        max_length=200,
        help_text=_("District, town or site; no names of people."),
    )
    operation = forms.CharField(label=_("Operation"), max_length=200, required=False)
    rescuing_agency = forms.CharField(label=_("Rescuing agency"), max_length=200)
    shelter = forms.ModelChoiceField(
        label=_("Receiving shelter"), queryset=ServiceProvider.objects.none(), required=False
    )

    def __init__(self, *args, country: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_country"].queryset = _countries()
        self.fields["shelter"].queryset = ServiceProvider.objects.filter(
            country_id=country, is_active=True
        )


ROW_KEYS = ("name", "sex", "age", "date_of_birth", "nationality", "language", "consent")
MAX_ROWS = 500


def posted_rows(data) -> list[dict]:
    """The person rows of a POST: ``<key>-<n>`` for n = 0 .. rows-1, as plain strings."""
    try:
        n = min(int(data.get("rows", 0)), MAX_ROWS)
    except ValueError:
        n = 0
    return [{key: data.get(f"{key}-{i}", "") for key in ROW_KEYS} for i in range(n)]


def language_choices():
    return Language.choices
