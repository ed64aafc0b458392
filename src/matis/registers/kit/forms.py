"""Forms for every register, built from its spec: the row, its inline children, its scope."""

from __future__ import annotations

from django import forms
from django.db import models
from django.forms import inlineformset_factory, modelform_factory
from django.utils.translation import gettext_lazy as _

from matis.common.dateinput import LocalDateInput, local_date_formfield
from matis.common.formsets import RowLabelledFormSetMixin
from matis.common.models import Country
from matis.registers.kit.specs import Child, Register, scope_rows

DATE_WIDGET = LocalDateInput()


def _widgets(model, fields) -> dict:
    widgets = {}
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateField):
            widgets[name] = DATE_WIDGET
        elif isinstance(field, models.TextField):
            widgets[name] = forms.Textarea(attrs={"rows": 3})
        elif field.many_to_many:
            widgets[name] = forms.SelectMultiple(attrs={"size": 8})
    return widgets


def _scope_related_fields(form, user) -> None:
    """Limit choices of links to other registers (curriculum, meeting...) to what the user sees."""
    for name, form_field in form.fields.items():
        queryset = getattr(form_field, "queryset", None)
        if queryset is None:
            continue
        model = queryset.model
        if model is Country:
            if name == "country":
                continue
            form_field.queryset = Country.objects.order_by("-is_commit_member", "name")
            continue
        if hasattr(model, "REF_PREFIX"):
            regional = model._meta.get_field("country").null
            form_field.queryset = scope_rows(user, queryset, regional=regional)


class RegisterForm(forms.ModelForm):
    """A register row's form: the country is the user's own, or any COMMIT country (or empty,
    for regional rows) for region-wide users."""

    spec: Register

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        country = self.fields["country"]
        if user.is_region_wide:
            country.queryset = Country.objects.commit()
            country.required = not self.spec.regional
            if self.spec.regional:
                country.empty_label = _("Regional (no country)")
        else:
            country.queryset = Country.objects.filter(pk=user.country_id)
            country.required = True
            country.initial = user.country_id
            country.empty_label = None
        _scope_related_fields(self, user)
        if self.spec.extra_form_fields:
            self.fields.update(self.spec.extra_form_fields(user=user, instance=self.instance))


def form_class(spec: Register) -> type[RegisterForm]:
    fields = ["ref", "country", *spec.fields]
    return modelform_factory(
        spec.model,
        form=type(f"{spec.model.__name__}Form", (RegisterForm,), {"spec": spec}),
        fields=fields,
        widgets=_widgets(spec.model, fields),
        formfield_callback=local_date_formfield,
    )


class ChildFormSet(RowLabelledFormSetMixin, forms.BaseInlineFormSet):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.user is not None:
            _scope_related_fields(form, self.user)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        if self.user is not None:
            _scope_related_fields(form, self.user)
        return form


def child_formset_class(spec: Register, child: Child):
    return inlineformset_factory(
        spec.model,
        child.model,
        formset=ChildFormSet,
        fk_name=child.fk,
        fields=list(child.fields),
        widgets=_widgets(child.model, child.fields),
        formfield_callback=local_date_formfield,
        extra=child.extra,
        can_delete=True,
    )


def child_formsets(spec: Register, *, user, instance, data=None) -> list:
    out = []
    for child in spec.children:
        if not child.inline:
            continue
        formset = child_formset_class(spec, child)(
            data, instance=instance, prefix=child.sheet, user=user
        )
        formset.child = child
        out.append(formset)
    return out


class ImportForm(forms.Form):
    workbook = forms.FileField(label=_("Excel workbook (.xlsx)"))

    MAX_BYTES = 20 * 1024 * 1024

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload
