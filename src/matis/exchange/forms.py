"""The alert decision: confirm or dismiss, how it was checked, and (to confirm) an attestation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.exchange.models import AlertStatus, DecisionBasis


class AlertDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (AlertStatus.CONFIRMED, _("Confirm: the same person")),
            (AlertStatus.DISMISSED, _("Dismiss: not the same person")),
        ],
        widget=forms.RadioSelect,
    )
    basis = forms.ChoiceField(
        label=_("How was it checked?"), choices=DecisionBasis.choices, widget=forms.RadioSelect
    )
    attest = forms.BooleanField(
        label=_(
            "I have checked this with the person or my counterpart, and I understand that a "
            "link confirmed by both countries is counted as re-trafficking."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        decision, basis = data.get("decision"), data.get("basis")
        if decision and basis and basis not in DecisionBasis.for_decision(decision):
            self.add_error(
                "basis",
                _("This reason does not fit the decision: choose one listed under it."),
            )
        if decision == AlertStatus.CONFIRMED and not data.get("attest"):
            self.add_error("attest", _("Confirming needs this statement."))
        return data
