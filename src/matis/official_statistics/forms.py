from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.official_statistics.models.imports import ImportFormat

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices)
    dry_run = forms.BooleanField(
        label=_("Check only (write nothing)"),
        required=False,
        help_text=_("Reads and checks every row and compares it with the database."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return f


class ObservationForm(forms.Form):
    value = forms.CharField(
        label=_("Value"),
        max_length=40,
        help_text=_("A number, <5 for a figure published only as below 5, or .. when missing."),
    )
    is_estimated = forms.BooleanField(label=_("Estimated"), required=False)
    is_provisional = forms.BooleanField(label=_("Provisional"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)


class CommentForm(forms.Form):
    violation = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )
