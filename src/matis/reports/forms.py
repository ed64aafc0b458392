from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ReportRequestForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=[])
    # Not named "language": that is the field of the interface language switch
    # (Django's set_language view, the header form); the report's language is the
    # document's only, never the reader's.
    report_language = forms.ChoiceField(label=_("Report language"), choices=settings.LANGUAGES)
    country = forms.ChoiceField(label=_("Scope"), required=False, choices=[])
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=300)

    def __init__(self, *args, years, countries, region_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        from matis.common.calendars import display_year

        self.fields["year"].choices = [(y, display_year(y)) for y in years]
        choices = [(c.iso3, c.display_name) for c in countries]
        if region_wide:
            choices = [("", _("All six governments (regional report)")), *choices]
        self.fields["country"].choices = choices
