from django import forms
from django.utils.translation import gettext_lazy as _

from matis.inbox.models import Frequency


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("E-mail me about my inbox"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )
