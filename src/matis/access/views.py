import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matis.access import selectors, services, twofactor
from matis.access.forms import (
    EmailLoginForm,
    InviteForm,
    LanguageForm,
    LinkSetPasswordForm,
    OwnPasswordChangeForm,
    PasswordResetRequestForm,
    TokenForm,
    UserManageForm,
)
from matis.access.models import Agency, AuditLog, OrganisationType, User
from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped, visible_countries


def _link_base(request) -> str:
    """The scheme and host the e-mailed links point to (as this request reached MATIS)."""
    return request.build_absolute_uri("/")


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _set_language_cookie(response, language: str) -> None:
    if language and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.SESSION_COOKIE_SECURE,
            max_age=365 * 24 * 3600,
        )


@scoped("global")
class LoginView(auth_views.LoginView):
    template_name = "access/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from matis.access.oidc import oidc_enabled

        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_enabled()
        context["oidc_provider_name"] = settings.MATIS_OIDC_PROVIDER_NAME
        if settings.ENV == "demo":  # never in production: the demo's synthetic logins only
            from matis.access.demo import demo_login_groups

            context["demo_login_groups"] = demo_login_groups(existing=True)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        _set_language_cookie(response, form.get_user().preferred_language)
        return response


@scoped("global")
class LogoutView(auth_views.LogoutView):
    pass


@scoped("country", model=Agency)
@login_required
def agency_list(request):
    agencies = selectors.agency_list(
        user=request.user,
        country=request.GET.get("country") or None,
        org_type=request.GET.get("type") or None,
    )
    page = Paginator(agencies, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "access/agency_list.html",
        {
            "page": page,
            "countries": visible_countries(request.user).filter(agencies__isnull=False).distinct(),
            "org_types": OrganisationType.choices,
        },
    )


@scoped("country", model=Agency, lookup="pk")
@login_required
def agency_detail(request, pk: int):
    agency = get_scoped_or_404(request.user, Agency.objects.select_related("country"), pk=pk)
    return render(request, "access/agency_detail.html", {"agency": agency})


def _require_user_admin(request) -> None:
    if not has_perm(request.user, "access.manage_users"):
        raise PermissionDenied


@scoped("country", model=User)
@login_required
def user_list(request):
    """Users of the administrator's scope; those she or he manages open for editing."""
    _require_user_admin(request)
    users = selectors.user_list(user=request.user, query=request.GET.get("q") or "")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    for row in page:
        row.manageable = services.can_manage(request.user, row)
    return render(request, "access/user_list.html", {"page": page, "q": request.GET.get("q", "")})


@scoped("country", model=User)
@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request):
    _require_user_admin(request)
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_invite(
                actor=request.user,
                email=data["email"],
                role=data["role"],
                agency=data["agency"],
                full_name=data["full_name"],
                preferred_language=data["preferred_language"],
                link_base=_link_base(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("access:user_detail", pk=user.pk)
    return render(request, "access/user_invite.html", {"form": form})


@scoped("country", model=User, lookup="pk")
@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request, pk: int):
    """One user: change role, agency, language, active; reset two-factor; send a reset link."""
    _require_user_admin(request)
    target = get_object_or_404(User.objects.select_related("country", "agency"), pk=pk)
    if not services.can_manage(request.user, target):
        raise PermissionDenied
    initial = {
        "full_name": target.full_name,
        "role": target.role,
        "agency": target.agency_id,
        "preferred_language": target.preferred_language,
        "is_active": target.is_active,
    }
    action = request.POST.get("action", "save")
    form = UserManageForm(
        request.POST if action == "save" else None, actor=request.user, initial=initial
    )
    if request.method == "POST":
        if action == "reset_2fa":
            services.two_factor_reset(actor=request.user, user=target)
            messages.success(request, _("Two-factor sign-in was reset."))
            return redirect("access:user_detail", pk=target.pk)
        if action == "send_reset":
            services.password_reset_send(
                actor=request.user, user=target, link_base=_link_base(request)
            )
            messages.success(
                request, _("A password link was sent to %(email)s.") % {"email": target.email}
            )
            return redirect("access:user_detail", pk=target.pk)
        if action == "save" and form.is_valid():
            try:
                services.user_manage(actor=request.user, user=target, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("access:user_detail", pk=target.pk)
        elif action != "save":
            return HttpResponseBadRequest()
    history = AuditLog.objects.filter(
        object_type=User._meta.label_lower, object_id=str(target.pk)
    ).select_related("actor")[:50]
    return render(
        request,
        "access/user_detail.html",
        {
            "target": target,
            "form": form,
            "history": history,
            "recovery_codes_left": twofactor.recovery_codes_left(target),
            "needs_two_factor": twofactor.role_needs_two_factor(target),
        },
    )


@scoped("country", model=AuditLog)
@login_required
def audit_list(request):
    if not has_perm(request.user, "access.view_audit_log"):
        raise PermissionDenied
    from matis.access.audit import object_descriptions
    from matis.access.forms import AuditFilterForm

    form = AuditFilterForm(request.GET or None, **selectors.audit_filter_choices(request.user))
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "action": data["action"] or None,
            "actor_id": data["actor"],
            "object_type": data["object_type"] or None,
            "country_id": data["country"] or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    events = selectors.audit_list(user=request.user, **filters)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    described = object_descriptions(page.object_list)
    for event in page.object_list:
        event.object_label = described.get((event.object_type, event.object_id), "")
    return render(request, "access/audit_list.html", {"page": page, "form": form})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """My account: details, preferred language, links to password and two-factor pages."""
    form = LanguageForm(
        request.POST or None, initial={"preferred_language": request.user.preferred_language}
    )
    codes = None
    if request.method == "POST":
        if request.POST.get("action") == "recovery_codes":
            codes = services.recovery_codes_renew(user=request.user)
        elif form.is_valid():
            language = form.cleaned_data["preferred_language"]
            services.language_set(user=request.user, language=language)
            response = redirect("access:profile")
            _set_language_cookie(response, language or settings.LANGUAGE_CODE)
            return response
    return render(
        request,
        "access/profile.html",
        {
            "form": form,
            "has_two_factor": twofactor.has_two_factor(request.user),
            "needs_two_factor": twofactor.two_factor_required(request.user),
            "recovery_codes_left": twofactor.recovery_codes_left(request.user),
            "codes": codes,
        },
    )


# -- passwords -------------------------------------------------------------------------


@scoped("global")
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link; the answer is the same whether the address is known or not."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(
            email=form.cleaned_data["email"], link_base=_link_base(request)
        )
        return render(request, "access/password_reset_sent.html", {})
    return render(request, "access/password_reset.html", {"form": form})


@scoped("global")
class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Choose a password from an e-mailed link: works once, for PASSWORD_RESET_TIMEOUT."""

    template_name = "access/password_set.html"
    form_class = LinkSetPasswordForm
    success_url = reverse_lazy("access:password_set_done")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You can sign in now."))
        return response


@scoped("global")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "access/password_change.html"
    form_class = OwnPasswordChangeForm

    def get_success_url(self):
        return _safe_next(self.request, reverse("access:profile"))

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        context["next"] = _safe_next(self.request, "")
        return context


# -- two-factor sign-in ------------------------------------------------------------------


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    if twofactor.has_two_factor(request.user) and not request.user.is_verified():
        return redirect("access:two_factor_verify")
    device = twofactor.pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_enrol(
            user=request.user, device=device, token=form.cleaned_data["token"]
        )
        if codes is None:
            form.add_error("token", _("The code is not correct. Check the time on your phone."))
        else:
            django_otp.login(request, device)
            return render(
                request,
                "access/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, reverse("home"))},
            )
    return render(
        request,
        "access/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_base32(device),
            "replacing": twofactor.has_two_factor(request.user),
            "next": _safe_next(request, ""),
        },
    )


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second sign-in step: a code from the authenticator app or a recovery code."""
    if not twofactor.has_two_factor(request.user):
        return redirect("access:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_check(user=request.user, token=form.cleaned_data["token"])
        if device is None:
            form.add_error("token", _("The code is not correct or was already used."))
        else:
            django_otp.login(request, device)
            return redirect(_safe_next(request, reverse("home")))
    return render(
        request, "access/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


@scoped("global")
def password_set_done(request):
    return redirect("access:login")
