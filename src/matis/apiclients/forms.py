from django import forms
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.apiclients.scopes import SCOPE_CHOICES
from matis.common.models import Country


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none())
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("The agency the client works for (needed to read returns)."),
    )
    rate = forms.CharField(
        label=_("Rate limit"),
        max_length=20,
        required=False,
        help_text=_("Requests per period, e.g. 100/minute. Empty: the server's default."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Country.objects.filter(is_commit_member=True)
        agencies = Agency.objects.filter(is_active=True)
        if user.country_id:
            countries = countries.filter(pk=user.country_id)
            agencies = agencies.filter(country_id=user.country_id)
            self.fields["country"].initial = user.country_id
        self.fields["country"].queryset = countries
        self.fields["agency"].queryset = agencies.order_by("name")
