"""Forms for the full HTCDS record (grouped) and for importing HTCDS / CTDC files."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.cases.choices import (
    ControlExtension,
    LabourType,
    RecruiterRelation,
    TravelDocument,
)
from matis.cases.forms import _countries, _date_field, _not_future
from matis.cases.htcds import (
    MethodOfControl,
    MethodOfRecruitment,
    ReferralReason,
    TypeOfSexExploitation,
    Vulnerability,
)
from matis.common.calendars import display_date
from matis.common.models import Country

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _many(label, choices):
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _text(label, max_length=200):
    return forms.CharField(label=label, max_length=max_length, required=False)


def _long(label):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=10_000
    )


def _yes_no(label):
    return forms.NullBooleanField(
        label=label,
        required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )


def _country(label):
    return forms.ModelChoiceField(label=label, queryset=Country.objects.none(), required=False)


# (group title, field names): the form and the case page show the record in these groups.
GROUPS = (
    (
        _("Recruitment"),
        (
            "recruitment_methods",
            "recruiter_relations",
            "recruitment_country",
            "recruitment_location",
            "abducted",
        ),
    ),
    (
        _("Movement"),
        ("transit_countries", "travel_document"),
    ),
    (
        _("Exploitation and control"),
        (
            "control_methods",
            "labour_types",
            "sex_exploitation_types",
            "exploitation_location",
            "exploitation_began_on",
            "exploitation_months",
            "minor_when_exploited",
        ),
    ),
    (
        _("Vulnerabilities"),
        ("vulnerabilities", "vulnerability_details"),
    ),
    (
        _("Incoming referral"),
        (
            "referring_organisation",
            "referring_case_worker",
            "incoming_referral_on",
            "incoming_referral_reason",
            "incoming_referral_details",
            "referred_case_worker",
        ),
    ),
    (
        _("Contact details and address"),
        (
            "salutation",
            "title",
            "email",
            "home_phone",
            "mobile_phone",
            "mailing_street",
            "mailing_city",
            "mailing_state",
            "mailing_postal_code",
            "mailing_country",
        ),
    ),
)


class HtcdsRecordForm(forms.Form):
    # Sent by the page: an empty POST is refused rather than clearing the record.
    htcds = forms.CharField(widget=forms.HiddenInput, initial="1")
    recruitment_methods = _many(_("Method of recruitment"), MethodOfRecruitment.choices)
    recruiter_relations = _many(_("Relationship to the recruiter"), RecruiterRelation.choices)
    recruitment_country = _country(_("Country of recruitment"))
    recruitment_location = _long(_("Place of recruitment"))
    abducted = _yes_no(_("Abducted"))
    transit_countries = forms.MultipleChoiceField(
        label=_("Transit countries"), required=False, widget=forms.SelectMultiple
    )
    travel_document = forms.ChoiceField(
        label=_("Travelled with"), choices=[("", "—"), *TravelDocument.choices], required=False
    )
    control_methods = _many(
        _("Means of control"), [*MethodOfControl.choices, *ControlExtension.choices]
    )
    labour_types = _many(_("Types of forced labour"), LabourType.choices)
    sex_exploitation_types = _many(_("Types of sexual exploitation"), TypeOfSexExploitation.choices)
    exploitation_location = _long(_("Place of exploitation"))
    exploitation_began_on = _date_field(_("Exploitation began on"), required=False)
    exploitation_months = forms.IntegerField(
        label=_("Duration of exploitation (months)"), min_value=0, max_value=1200, required=False
    )
    minor_when_exploited = _yes_no(_("A child when exploitation began"))
    vulnerabilities = _many(_("Vulnerabilities"), Vulnerability.choices)
    vulnerability_details = _long(_("Details of vulnerabilities"))
    referring_organisation = _text(_("Referring organisation"))
    referring_case_worker = _text(_("Referring case worker"))
    incoming_referral_on = _date_field(_("Referred to us on"), required=False)
    incoming_referral_reason = forms.ChoiceField(
        label=_("Reason for the incoming referral"),
        choices=[("", "—"), *ReferralReason.choices],
        required=False,
    )
    incoming_referral_details = _long(_("Incoming referral details"))
    referred_case_worker = _text(_("Case worker we referred to"))
    salutation = _text(_("Salutation"), 40)
    title = _text(_("Title"), 80)
    email = forms.EmailField(label=_("Email"), max_length=200, required=False)
    home_phone = _text(_("Home phone"), 40)
    mobile_phone = _text(_("Mobile phone"), 40)
    mailing_street = _text(_("Street"))
    mailing_city = _text(_("City"), 100)
    mailing_state = _text(_("State or province"), 100)
    mailing_postal_code = _text(_("Postal code"), 20)
    mailing_country = _country(_("Country of the address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = _countries()
        for name in ("recruitment_country", "mailing_country"):
            self.fields[name].queryset = countries
        self.fields["transit_countries"].choices = [(c.iso3, c.display_name) for c in countries]

    def clean_exploitation_began_on(self):
        return _not_future(self.cleaned_data["exploitation_began_on"])

    def clean_incoming_referral_on(self):
        return _not_future(self.cleaned_data["incoming_referral_on"])

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in GROUPS]

    def record_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("htcds", None)
        return values


def record_initial(rec) -> dict:
    return {name: getattr(rec, name) for _title, names in GROUPS for name in names}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("ctdc", _("CTDC global dataset (coded, de-identified)")),
            ("htcds", _("HTCDS 2.0 case records")),
        ],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def record_display(rec) -> list[tuple[str, list[tuple[str, str]]]]:
    """The record's filled-in fields by group, as (label, text) pairs, for the case page."""
    form = HtcdsRecordForm()
    countries = {c.iso3: c.display_name for c in _countries()}
    out = []
    for title, names in GROUPS:
        items = []
        for name in names:
            field = form.fields[name]
            value = getattr(rec, name)
            if value in (None, "", []):
                continue
            if isinstance(value, bool):
                text = str(_("Yes") if value else _("No"))
            elif name == "transit_countries":
                text = ", ".join(countries.get(c, c) for c in value)
            elif isinstance(value, list):
                labels = dict(field.choices)
                text = ", ".join(str(labels.get(v, v)) for v in value)
            elif isinstance(value, Country):
                text = value.display_name
            elif hasattr(field, "choices") and not isinstance(field, forms.ModelChoiceField):
                text = str(dict(field.choices).get(value, value))
            elif isinstance(value, dt.date):
                text = display_date(value)  # Buddhist Era for Thai readers
            else:
                text = str(value)
            items.append((str(field.label), text))
        if items:
            out.append((str(title), items))
    return out
