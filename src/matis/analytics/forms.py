from django import forms
from django.utils.translation import gettext_lazy as _

from matis.analytics.models import AnalysisKind
from matis.analytics.runners import PARAMETERS


class AnalysisForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Method"), choices=AnalysisKind.choices)
    source = forms.ChoiceField(label=_("Data"))

    def __init__(self, *args, source_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices
        seen = set()
        for kind, params in PARAMETERS.items():
            for p in params:
                name = f"{kind}__{p.name}"
                if name in seen:
                    continue
                seen.add(name)
                initial = ",".join(p.default) if isinstance(p.default, list) else p.default
                if p.kind == "choice":
                    field = forms.ChoiceField(
                        label=p.label,
                        choices=[(c, c) for c in p.choices],
                        required=False,
                        initial=initial,
                    )
                else:
                    field = forms.CharField(label=p.label, required=False, initial=initial)
                field.method = kind
                self.fields[name] = field

    def parameters(self) -> dict:
        kind = self.cleaned_data["kind"]
        prefix = f"{kind}__"
        return {k[len(prefix) :]: v for k, v in self.cleaned_data.items() if k.startswith(prefix)}

    def parameter_fields(self):
        """(method, [bound fields]) for the template: one fieldset per method."""
        groups = {}
        for name in self.fields:
            if "__" in name:
                groups.setdefault(name.split("__")[0], []).append(self[name])
        return [(kind, label, groups.get(kind, [])) for kind, label in AnalysisKind.choices]


class DatasetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    file = forms.FileField(label=_("CSV file (UTF-8, with a header row)"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
