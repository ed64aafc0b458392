"""The inbox page: what awaits the signed-in user, and her or his choice of inbox mail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from matis.access.scoping import scoped
from matis.common.views import require, run_form
from matis.inbox import selectors, services
from matis.inbox.forms import PreferenceForm


# "global": the page shows the user's own work only, each source through its own gate.
@scoped("global")
@login_required
def index(request):
    from matis.access.permissions import has_perm

    require(has_perm(request.user, "inbox.view_inbox"))
    form = PreferenceForm(
        request.POST or None, initial={"frequency": selectors.frequency_of(request.user)}
    )
    context = {"sections": selectors.sections_for(request.user)}
    return run_form(
        request,
        form,
        lambda f: services.notification_preference_set(
            actor=request.user, frequency=f.cleaned_data["frequency"]
        ),
        success=_("Your e-mail setting is saved."),
        redirect_to="inbox:index",
        template="inbox/index.html",
        context=context,
    )
