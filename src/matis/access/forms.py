from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from matis.access import services
from matis.access.models import User
from matis.common.dateinput import LocalDateField


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("The email or password is not correct."),
        "inactive": _("This account is not active."),
    }


def language_choices():
    return [("", _("Default (English)")), *settings.LANGUAGES]


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class LinkSetPasswordForm(auth_forms.SetPasswordForm):
    """Choosing a password from an e-mailed link (invitation or reset)."""

    def save(self, commit=True):
        return services.password_set_own(
            user=self.user, password=self.cleaned_data["new_password1"], via="link"
        )


class OwnPasswordChangeForm(auth_forms.PasswordChangeForm):
    """Changing one's own password (also when made to, after an administrator set it)."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError(
                _("Choose a password different from the current one."), code="password_unchanged"
            )
        return new

    def save(self, commit=True):
        return services.password_set_own(
            user=self.user, password=self.cleaned_data["new_password1"], via="change"
        )


class LanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=language_choices, required=False
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class _ManagedUserFields(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"))
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=None, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=language_choices, required=False
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = services.manageable_roles(actor)
        self.fields["agency"].queryset = services.manageable_agencies(actor)
        if actor.country_id is not None:
            self.fields["agency"].required = True


class InviteForm(_ManagedUserFields):
    email = forms.EmailField(label=_("Email"))
    field_order = ["email", "full_name", "role", "agency", "preferred_language"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email already exists."))
        return email


class UserManageForm(_ManagedUserFields):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class AuditFilterForm(forms.Form):
    """The audit page's filters; dates in the reader's calendar (Buddhist Era for Thai)."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    date_from = LocalDateField(label=_("From"), required=False)
    date_to = LocalDateField(label=_("To"), required=False)

    def __init__(self, *args, actors, object_types, countries, **kwargs):
        from matis.access.models import AuditAction
        from matis.common.countries import country_name

        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["action"].choices = everything + list(AuditAction.choices)
        self.fields["actor"].choices = everything + list(actors)
        self.fields["object_type"].choices = everything + list(object_types)
        named = sorted(((c, country_name(c, default=c)) for c in countries), key=lambda c: c[1])
        self.fields["country"].choices = everything + named

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
