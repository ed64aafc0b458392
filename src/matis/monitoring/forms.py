"""Forms of the monitoring pages. They shape input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from matis.common.dateinput import LocalDateField, local_date_formfield
from matis.common.formsets import RowLabelledFormSet
from matis.monitoring.models import (
    BudgetKind,
    NationalPlan,
    OutputKind,
    PartnerType,
    ProgressStatus,
)
from matis.monitoring.services.reports import ActivityReportContent, BudgetLine, PartnerLine
from matis.plans.models import RoleFunction

BLANK = [("", "—")]


class ReportForm(forms.Form):
    progress = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices)
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    narrative_language = forms.ChoiceField(
        label=_("Language of the narrative"),
        required=False,
        choices=BLANK + list(settings.LANGUAGES),
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Responsible agencies"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        for kind in OutputKind:
            self.fields[f"output_{kind.value}"] = forms.IntegerField(
                label=kind.label, required=False, min_value=0, max_value=10**9
            )

    def output_fields(self):
        return [self[f"output_{kind.value}"] for kind in OutputKind]


class PartnerForm(forms.Form):
    partner_type = forms.ChoiceField(
        label=_("Partner type"), required=False, choices=BLANK + PartnerType.choices
    )
    name = forms.CharField(label=_("Partner"), required=False, max_length=200)
    function = forms.TypedChoiceField(
        label=_("Function"), required=False, coerce=int, empty_value=None, choices=BLANK
    )

    def __init__(self, *args, functions: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = BLANK + functions

    def line(self) -> PartnerLine | None:
        data = self.cleaned_data
        if not data.get("name") and not data.get("partner_type"):
            return None
        return PartnerLine(
            data.get("partner_type") or "", data.get("name") or "", data.get("function")
        )


def function_choices() -> list[tuple[int, str]]:
    """The roles-matrix functions as choices, read once for a whole formset."""
    from matis.common.i18n import local_text

    return [(f.pk, str(local_text(f, "function"))) for f in RoleFunction.objects.all()]


class BudgetForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Budget line"), required=False, choices=BLANK + BudgetKind.choices
    )
    partner_name = forms.CharField(label=_("Partner"), required=False, max_length=200)
    partner_type = forms.ChoiceField(
        label=_("Partner type"), required=False, choices=BLANK + PartnerType.choices
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=16, decimal_places=2
    )

    def line(self) -> BudgetLine | None:
        data = self.cleaned_data
        if not data.get("kind") and data.get("amount") is None:
            return None
        return BudgetLine(
            data.get("kind") or "",
            (data.get("currency") or "").upper(),
            data.get("amount"),
            data.get("partner_name") or "",
            data.get("partner_type") or "",
        )


PartnerFormSet = forms.formset_factory(PartnerForm, formset=RowLabelledFormSet, extra=2, max_num=50)
BudgetFormSet = forms.formset_factory(BudgetForm, formset=RowLabelledFormSet, extra=2, max_num=50)


def content_from_forms(form: ReportForm, partners, budget) -> ActivityReportContent:
    data = form.cleaned_data
    return ActivityReportContent(
        progress=data["progress"],
        narrative=data["narrative"].strip(),
        narrative_language=data["narrative_language"],
        outputs={
            kind.value: data[f"output_{kind.value}"]
            for kind in OutputKind
            if data.get(f"output_{kind.value}") is not None
        },
        agency_ids=frozenset(a.pk for a in data["agencies"]),
        partners=frozenset(filter(None, (f.line() for f in partners.forms))),
        budget=frozenset(filter(None, (f.line() for f in budget.forms))),
    )


class TransitionForm(forms.Form):
    target = forms.CharField(max_length=20)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))

    def clean_file(self):
        # Checked here, before the file is read: past the limit the upload
        # handler kept nothing of it (matis.common.files.LimitedUploadHandler).
        from matis.monitoring.workbook.layout import MAX_UPLOAD_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("the file is larger than 5 MB"))
        return upload


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    opens_on = LocalDateField(label=_("Opening date"))
    closes_on = LocalDateField(label=_("Closing date"))


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    units_per_usd = forms.DecimalField(
        label=_("Units per US dollar"), min_value=0, max_digits=20, decimal_places=6
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=200)


class NationalPlanForm(forms.ModelForm):
    class Meta:
        # In Meta: Django 5 ignores a ``formfield_callback`` set on the form class itself,
        # which left the adoption date a plain DateField (empty or CE in th and zh-hans).
        formfield_callback = local_date_formfield
        model = NationalPlan
        fields = [
            "title",
            "title_en",
            "start_year",
            "end_year",
            "adopted_on",
            "adopted_by",
            "national_committee",
            "subnational_committees",
            "monitoring_system",
            "monitoring_note",
        ]
        widgets = {
            "monitoring_note": forms.Textarea(attrs={"rows": 3}),
        }


class NpaBudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)

    def clean(self):
        data = super().clean()
        filled = [
            data.get("year") is not None,
            data.get("amount") is not None,
            bool(data.get("currency")),
        ]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the year, the amount and the currency."))
        if data.get("currency"):
            from matis.monitoring.money import is_currency

            data["currency"] = data["currency"].upper()
            if not is_currency(data["currency"]):
                self.add_error("currency", _("Not an ISO 4217 currency code."))
        return data


NpaBudgetFormSet = forms.formset_factory(
    NpaBudgetForm, formset=RowLabelledFormSet, extra=2, max_num=30
)
