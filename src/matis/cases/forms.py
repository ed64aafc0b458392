"""Forms for case work. Short, one column, usable on a small laptop screen."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases import screening as instruments
from matis.cases.choices import (
    ConsentGivenBy,
    ConsentPurpose,
    DocumentType,
    ExploitationExtension,
    ForcedCriminalityActivity,
    Language,
    PlacementKind,
    ReferralStatus,
)
from matis.cases.htcds import (
    CaseStatus,
    DecisionMakingOrg,
    ForcedLabourIndustry,
    Gender,
    ReferralReason,
    SupportType,
    TraffickingStatus,
    TypeOfExploitation,
)
from matis.cases.models import Facility, ServiceProvider
from matis.common.dateinput import LocalDateField
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.common.places import DistrictField, SubdivisionField, check_district


def _date_field(label, required=True, initial=None):
    return LocalDateField(label=label, required=required, initial=initial)


def _countries():
    return Country.objects.order_by("-is_commit_member", "name")


def _not_future(value):
    if value and value > dt.date.today():
        raise forms.ValidationError(_("The date is in the future."))
    return value


class PersonForm(forms.Form):
    given_name = forms.CharField(label=_("Given name(s) as written"), max_length=200)
    family_name = forms.CharField(label=_("Family name as written"), max_length=200, required=False)
    romanised_given = forms.CharField(
        label=_("Given name(s), romanised"),
        max_length=200,
        required=False,
        help_text=_("As in the person's documents. Left empty, MATIS transliterates."),
    )
    romanised_family = forms.CharField(
        label=_("Family name, romanised"), max_length=200, required=False
    )
    aliases = forms.CharField(
        label=_("Other names and aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    date_of_birth = _date_field(_("Date of birth"), required=False)
    age_at_registration = forms.IntegerField(
        label=_("Estimated age (years)"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("When the date of birth is not known."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, initial=Gender.NON_SPECIFIED_UNKNOWN
    )
    primary_citizenship = forms.ModelChoiceField(
        label=_("Citizenship"), queryset=Country.objects.none(), required=False
    )
    other_citizenships = forms.MultipleChoiceField(
        label=_("Other citizenships"),
        choices=(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    stateless = forms.BooleanField(label=_("Stateless"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_notes = forms.CharField(
        label=_("Contact details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_citizenship"].queryset = _countries()
        self.fields["other_citizenships"].choices = [(c.iso3, c.display_name) for c in _countries()]

    def clean_date_of_birth(self):
        return _not_future(self.cleaned_data.get("date_of_birth"))

    def clean(self):
        data = super().clean()
        if data.get("stateless") and (
            data.get("primary_citizenship") or data.get("other_citizenships")
        ):
            self.add_error("stateless", _("A stateless person has no citizenship."))
        return data

    def person_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["aliases"] = [a.strip() for a in (data.get("aliases") or "").splitlines() if a.strip()]
        primary = data.get("primary_citizenship")
        data["other_citizenships"] = [
            c for c in data.get("other_citizenships") or [] if not primary or c != primary.pk
        ]
        return {k: v for k, v in data.items() if k in PERSON_KEYS}


PERSON_KEYS = {
    "given_name",
    "family_name",
    "romanised_given",
    "romanised_family",
    "aliases",
    "date_of_birth",
    "age_at_registration",
    "gender",
    "primary_citizenship",
    "other_citizenships",
    "stateless",
    "languages",
    "contact_notes",
}


class CaseDetailsForm(forms.Form):
    exploitation_types = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=[*TypeOfExploitation.choices, *ExploitationExtension.choices],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    forced_labour_industry = forms.ChoiceField(
        label=_("Industry (forced labour)"),
        choices=[("", "—"), *ForcedLabourIndustry.choices],
        required=False,
    )
    forced_criminality = forms.MultipleChoiceField(
        label=_("Forced criminality activities"),
        choices=ForcedCriminalityActivity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    country_of_exploitation = forms.ModelChoiceField(
        label=_("Country of exploitation"), queryset=Country.objects.none(), required=False
    )
    place_country = forms.ModelChoiceField(
        label=_("Country of identification"),
        queryset=Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
        required=False,
    )
    place_of_identification = SubdivisionField(
        label=_("Province of identification"),
        required=False,
        narrowed_by="place_country",
        with_map=True,
    )
    district_of_identification = DistrictField(
        label=_("District of identification"), narrowed_by="place_of_identification"
    )
    summary = forms.CharField(
        label=_("Case summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    restricted = forms.BooleanField(
        label=_("Restricted case"),
        required=False,
        help_text=_("Only your agency sees it; supervisors need emergency access."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country_of_exploitation"].queryset = _countries()

    def clean(self):
        data = super().clean()
        place, country = data.get("place_of_identification"), data.get("place_country")
        if place and country and place.country_id != country.pk:
            self.add_error(
                "place_of_identification", _("This province is not in the country chosen.")
            )
        error = check_district(data.get("district_of_identification"), place)
        if error:
            self.add_error("district_of_identification", error)
        return data


class RegisterForm(PersonForm, CaseDetailsForm):
    """A new person and her or his case, with one identity document (optional)."""

    doc_type = forms.ChoiceField(
        label=_("Identity document"), choices=[("", "—"), *DocumentType.choices], required=False
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    doc_country = forms.ModelChoiceField(
        label=_("Issued by"), queryset=Country.objects.none(), required=False
    )
    opened_on = _date_field(_("Opened on"), initial=dt.date.today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_country"].queryset = _countries()

    def clean_opened_on(self):
        return _not_future(self.cleaned_data.get("opened_on"))

    def clean(self):
        data = super().clean()
        if bool(data.get("doc_type")) != bool(data.get("doc_number")):
            self.add_error("doc_number", _("Give both the kind of document and its number."))
        return data

    def case_values(self) -> dict:
        keys = (
            "exploitation_types",
            "forced_labour_industry",
            "forced_criminality",
            "country_of_exploitation",
            "place_of_identification",
            "district_of_identification",
            "summary",
            "restricted",
            "opened_on",
        )
        return {k: self.cleaned_data[k] for k in keys}

    def documents(self) -> list[dict]:
        if not self.cleaned_data.get("doc_type"):
            return []
        return [
            {
                "doc_type": self.cleaned_data["doc_type"],
                "number": self.cleaned_data["doc_number"],
                "issuing_country": self.cleaned_data.get("doc_country"),
            }
        ]


class EditForm(PersonForm, CaseDetailsForm):
    pass


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Identity document"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Document number"), max_length=64)
    issuing_country = forms.ModelChoiceField(
        label=_("Issued by"), queryset=Country.objects.none(), required=False
    )
    held_by_person = forms.BooleanField(
        label=_("The person holds it"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_country"].queryset = _countries()


class ScreeningForm(forms.Form):
    """One checkbox per indicator of the chosen instrument."""

    language = forms.ChoiceField(label=_("Language of the interview"), choices=Language.choices)
    interpreter_present = forms.BooleanField(label=_("Interpreter present"), required=False)
    screened_on = _date_field(_("Date"), initial=dt.date.today)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, instrument: instruments.Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for indicator in instrument.indicators:
            self.fields[f"ind_{indicator.code}"] = forms.BooleanField(
                label=indicator.text, required=False
            )

    def clean_screened_on(self):
        return _not_future(self.cleaned_data.get("screened_on"))

    def indicator_fields(self):
        return [self[f"ind_{i.code}"] for i in self.instrument.indicators]

    def answers(self) -> dict[str, bool]:
        return {
            i.code: bool(self.cleaned_data.get(f"ind_{i.code}")) for i in self.instrument.indicators
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=TraffickingStatus.choices)
    decision_org = forms.ChoiceField(
        label=_("Decided by (type of organisation)"), choices=DecisionMakingOrg.choices
    )
    guideline = forms.ChoiceField(label=_("National guideline or law"))
    language_informed = forms.ChoiceField(
        label=_("Language the person was informed in"), choices=Language.choices
    )
    interpreter_present = forms.BooleanField(label=_("Interpreter present"), required=False)
    decided_on = _date_field(_("Date"), initial=dt.date.today)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guideline"].choices = [
            (g.code, g.title) for g in instruments.guidelines_for(country_id)
        ]

    def clean_decided_on(self):
        return _not_future(self.cleaned_data.get("decided_on"))


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation (for a referral)"),
        queryset=ServiceProvider.objects.none(),
        required=False,
    )
    recipient_country = forms.ModelChoiceField(
        label=_("Country (for sharing abroad)"), queryset=Country.objects.none(), required=False
    )
    given = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("1", _("Given")), ("0", _("Withdrawn"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    on = _date_field(_("Date"), initial=dt.date.today)
    language = forms.ChoiceField(label=_("Language explained in"), choices=Language.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGivenBy.choices)
    witness = forms.CharField(label=_("Witness"), max_length=200, required=False)

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = ServiceProvider.objects.filter(
            country_id=country_id, is_active=True
        )
        self.fields["recipient_country"].queryset = _countries().exclude(pk=country_id)

    def clean_on(self):
        return _not_future(self.cleaned_data.get("on"))

    def clean(self):
        data = super().clean()
        purpose = data.get("purpose")
        if purpose == ConsentPurpose.REFERRAL and not data.get("organisation"):
            self.add_error("organisation", _("Consent to a referral names the organisation."))
        if purpose == ConsentPurpose.CROSS_BORDER and not data.get("recipient_country"):
            self.add_error("recipient_country", _("Name the country data may go to."))
        if purpose != ConsentPurpose.REFERRAL:
            data["organisation"] = None
        if purpose != ConsentPurpose.CROSS_BORDER:
            data["recipient_country"] = None
        return data


class PlacementForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Place"), queryset=Facility.objects.none())
    voluntary = forms.TypedChoiceField(
        label=_("Does the person agree to stay there?"),
        choices=[("1", _("Yes, voluntarily")), ("0", _("No, against her or his will"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    province = SubdivisionField(
        label=_("Province"),
        required=False,
        with_map=True,
        help_text=_("Where the person is placed; the province of the place when left empty."),
    )
    district = DistrictField(label=_("District"), narrowed_by="province")
    start_date = _date_field(_("From"), initial=dt.date.today)
    end_date = _date_field(_("Until"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.filter(country_id=country_id)
        self.fields["facility"].label_from_instance = lambda f: f"{f.name} ({f.get_kind_display()})"
        provinces = self.fields["province"].queryset.filter(country_id=country_id)
        self.fields["province"].queryset = provinces
        self.fields["district"].queryset = self.fields["district"].queryset.filter(
            subdivision__in=provinces
        )

    def clean(self):
        data = super().clean()
        province = data.get("province") or getattr(data.get("facility"), "subdivision", None)
        error = check_district(data.get("district"), province)
        if error:
            self.add_error("district", error)
        if (
            data.get("end_date")
            and data.get("start_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", _("The end is before the start."))
        return data


class PlacementEndForm(forms.Form):
    end_date = _date_field(_("Until"), initial=dt.date.today)


class ReferralForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Refer to"), queryset=ServiceProvider.objects.none())
    reason = forms.ChoiceField(label=_("Reason"), choices=ReferralReason.choices)
    services = forms.MultipleChoiceField(
        label=_("Services requested"),
        choices=SupportType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = ServiceProvider.objects.filter(
            country_id=country_id, is_active=True
        )


class ReferralAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (ReferralStatus.ACCEPTED, ReferralStatus.ACCEPTED.label),
            (ReferralStatus.REJECTED, ReferralStatus.REJECTED.label),
            (ReferralStatus.REVOKED, ReferralStatus.REVOKED.label),
            (ReferralStatus.COMPLETED, ReferralStatus.COMPLETED.label),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ServiceForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=ServiceProvider.objects.none())
    service_type = forms.ChoiceField(label=_("Service"), choices=SupportType.choices)
    delivered_on = _date_field(_("Date"), initial=dt.date.today)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = ServiceProvider.objects.filter(country_id=country_id)

    def clean_delivered_on(self):
        return _not_future(self.cleaned_data.get("delivered_on"))


class ShareForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[c for c in ConsentPurpose.choices if c[0] != ConsentPurpose.SERVICES],
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=ServiceProvider.objects.none(), required=False
    )
    recipient_country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), required=False
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = ServiceProvider.objects.filter(country_id=country_id)
        self.fields["recipient_country"].queryset = _countries().exclude(pk=country_id)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Hand over to"), queryset=Agency.objects.none())

    def __init__(self, *args, country_id: str, exclude_agency: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(
            country_id=country_id, is_active=True
        ).exclude(pk=exclude_agency)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How was it resolved?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label=_("Case number"), max_length=32)
    reason = forms.CharField(
        label=_("Reason for emergency access"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DeleteForm(forms.Form):
    reference = forms.CharField(label=_("Type the case number to confirm"), max_length=32)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    province = forms.CharField(label=_("Province"), max_length=120, required=False)
    services = forms.MultipleChoiceField(
        label=_("Services offered"),
        choices=SupportType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    agency = forms.ModelChoiceField(
        label=_("MATIS agency"), queryset=Agency.objects.none(), required=False
    )

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(country_id=country_id)


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    subdivision = SubdivisionField(label=_("Province"), required=False)
    province = forms.CharField(label=_("District or town"), max_length=120, required=False)

    def __init__(self, *args, country_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdivision"].queryset = self.fields["subdivision"].queryset.filter(
            country_id=country_id
        )


class RegisterExportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
