"""The publisher's forms: when a release becomes public, and why a version was revised."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.common.dateinput import LocalDateField


class ScheduleForm(forms.Form):
    """A publication date in the user's calendar (Buddhist Era for Thai); blank or today: now."""

    publish_on = LocalDateField(
        label=_("Publication date"),
        required=False,
        help_text=_("Leave empty to publish now; a later date keeps the release under embargo."),
    )
    revision_note = forms.CharField(
        label=_("Revision note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_publish_on(self):
        day = self.cleaned_data.get("publish_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("A release cannot be dated in the past."))
        return day

    def publish_at(self) -> dt.datetime | None:
        """Now for today or no date; the start of the chosen day (local time) for a later one."""
        day = self.cleaned_data.get("publish_on")
        if day is None or day <= timezone.localdate():
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class StatisticsReleaseForm(ScheduleForm):
    def __init__(self, *args, next_version: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_version = next_version
        if next_version > 1:
            self.fields["revision_note"].required = True

    def clean_revision_note(self):
        note = self.cleaned_data.get("revision_note", "").strip()
        if self.next_version > 1 and not note:
            raise forms.ValidationError(_("A new version needs a revision note."))
        return note


class ReportReleaseForm(ScheduleForm):
    report = forms.ModelChoiceField(label=_("Annual report"), queryset=None)

    field_order = ["report", "publish_on", "revision_note"]

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
