from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from matis.access import selectors
from matis.access.forms import EmailLoginForm
from matis.access.models import Agency, AuditAction, AuditLog, OrganisationType, User
from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped, visible_countries


@scoped("global")
class LoginView(auth_views.LoginView):
    template_name = "access/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language and language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
                max_age=365 * 24 * 3600,
            )
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


@scoped("country", model=User)
@login_required
def user_list(request):
    if not has_perm(request.user, "access.manage_users"):
        raise PermissionDenied
    page = Paginator(selectors.user_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "access/user_list.html", {"page": page})


@scoped("country", model=AuditLog)
@login_required
def audit_list(request):
    if not has_perm(request.user, "access.view_audit_log"):
        raise PermissionDenied
    events = selectors.audit_list(user=request.user, action=request.GET.get("action") or None)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "access/audit_list.html", {"page": page, "actions": AuditAction.choices})


@scoped("global")
@login_required
def profile(request):
    return render(request, "access/profile.html", {})
