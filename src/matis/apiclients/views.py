"""Pages for administrators: the country's API clients, making one (token shown once), revoking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped
from matis.apiclients import services
from matis.apiclients.forms import ApiClientForm
from matis.apiclients.models import ApiClient


def _require_admin(user) -> None:
    if not has_perm(user, "access.manage_users"):
        raise PermissionDenied


@scoped("country", model=ApiClient)
@login_required
def client_list(request):
    _require_admin(request.user)
    clients = services.clients_visible(request.user)
    return render(request, "apiclients/client_list.html", {"clients": clients})


@scoped("country", model=ApiClient)
@login_required
def client_new(request):
    user = request.user
    _require_admin(user)
    form = ApiClientForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, token = services.api_client_create(
                actor=user,
                name=data["name"],
                country_id=data["country"].pk,
                scopes=data["scopes"],
                agency=data["agency"],
                rate=data["rate"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # The token is in this response only; it is not stored and cannot be shown again.
            response = render(
                request, "apiclients/client_created.html", {"client": client, "token": token}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "apiclients/client_form.html", {"form": form})


@scoped("country", model=ApiClient, lookup="pk")
@login_required
@require_POST
def client_revoke(request, pk: int):
    _require_admin(request.user)
    client = get_scoped_or_404(request.user, ApiClient.objects.all(), pk=pk)
    services.api_client_revoke(actor=request.user, client=client)
    messages.success(request, _("The client's token is revoked."))
    return redirect("apiclients:client_list")
