"""Forms of the cooperation pages (the services check the rules again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.common.dateinput import LocalDateField
from matis.common.models import Country
from matis.cooperation.models import ActionStatus, DetentionStatus, Meeting


def _commit_choices(exclude: str | None = None):
    return [
        (c.pk, c.display_name) for c in Country.objects.commit().order_by("pk") if c.pk != exclude
    ]


class AcknowledgeForm(forms.Form):
    consular_post = forms.CharField(
        label=_("Consular post that will follow up"), max_length=200, required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Step"))
    on = LocalDateField(label=_("Date"))
    comment = forms.CharField(
        label=_("Comment (kept here, not sent)"), max_length=300, required=False
    )

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(DetentionStatus.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in sorted(steps)]


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = LocalDateField(label=_("Period from"))
    period_end = LocalDateField(label=_("Period until"))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, max_length=20_000)
    routes = forms.CharField(
        label=_("Routes and trends"), widget=forms.Textarea, max_length=20_000, required=False
    )
    recipients = forms.MultipleChoiceField(
        label=_("Share with"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, country=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = _commit_choices(exclude=country)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class DecisionForm(forms.Form):
    """A decision with up to five actions (a row left empty is ignored)."""

    ROWS = 5
    meeting = forms.ChoiceField(label=_("Meeting"), choices=Meeting.choices)
    meeting_number = forms.IntegerField(label=_("Meeting number"), min_value=1, max_value=999)
    held_on = LocalDateField(label=_("Date of the meeting"))
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea, max_length=20_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.ROWS + 1):
            self.fields[f"action_{i}_text"] = forms.CharField(
                label=_("Action %(n)s") % {"n": i}, max_length=2000, required=False
            )
            self.fields[f"action_{i}_countries"] = forms.MultipleChoiceField(
                label=_("Countries"),
                choices=_commit_choices(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"action_{i}_due_on"] = LocalDateField(label=_("Due"), required=False)

    def action_rows(self) -> list[dict]:
        rows = []
        for i in range(1, self.ROWS + 1):
            text = self.cleaned_data.get(f"action_{i}_text", "")
            countries = self.cleaned_data.get(f"action_{i}_countries") or []
            due = self.cleaned_data.get(f"action_{i}_due_on")
            if text or countries or due:
                rows.append({"text": text, "countries": countries, "due_on": due})
        return rows

    def action_fields(self):
        return [
            (self[f"action_{i}_text"], self[f"action_{i}_countries"], self[f"action_{i}_due_on"])
            for i in range(1, self.ROWS + 1)
        ]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)
