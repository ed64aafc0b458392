"""Pages: tips (list, record, detail, triage, convert) and group registration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.models import Country
from matis.common.tables import download_response, rows_to_csv
from matis.common.views import add_service_error, require, run_form
from matis.intake import forms, gates, lists, selectors, services
from matis.intake.choices import Channel, TipStatus, Urgency
from matis.intake.models import GroupRegistration, Tip

PAGE_SIZE = 50


@scoped("country", model=Tip)
@require_safe
@login_required
def tip_list(request):
    user = request.user
    require(has_perm(user, "intake.view_tips"))
    filters = selectors.TipFilters(
        status=request.GET.get("status", ""),
        channel=request.GET.get("channel", ""),
        urgency=request.GET.get("urgency", ""),
    )
    page = Paginator(selectors.tip_list(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        country_id=user.country_id,
        object_type="intake.tip",
        purpose="list",
        tip_ids=[t.pk for t in page.object_list],
    )
    return render(
        request,
        "intake/tip_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": TipStatus.choices,
            "channels": Channel.choices,
            "urgencies": Urgency.choices,
            "may_record": has_perm(user, "intake.record_tip"),
            "may_register_group": has_perm(user, "intake.register_group"),
        },
    )


@scoped("country", model=Tip)
@require_http_methods(["GET", "POST"])
@login_required
def tip_create(request):
    require(has_perm(request.user, "intake.record_tip"))
    # the country of the place starts as the user's own, so its province map is shown
    form = forms.TipForm(request.POST or None, initial={"place_country": request.user.country_id})
    created = {}

    def action(f):
        created["tip"] = services.tip_record(actor=request.user, values=f.cleaned_data)

    response = run_form(
        request,
        form,
        action,
        success=_("Tip recorded."),
        redirect_to=reverse("intake:tip_list"),
        template="cases/form.html",
        context={"title": _("Record a tip")},
    )
    if "tip" in created:
        return redirect("intake:tip_detail", pk=created["tip"].pk)
    return response


@scoped("country", model=Tip, lookup="pk")
@require_safe
@login_required
def tip_detail(request, pk):
    user = request.user
    tip = gates.access_tip(user, pk)
    links = tip.case_links.select_related("case").order_by("id")
    return render(
        request,
        "intake/tip_detail.html",
        {
            "tip": tip,
            "links": links,
            "may_triage": has_perm(user, "intake.triage_tips"),
            "may_convert": has_perm(user, "intake.triage_tips")
            and tip.can_transition(TipStatus.CONVERTED),
        },
    )


@scoped("country", model=Tip, lookup="pk")
@require_http_methods(["GET", "POST"])
@login_required
def tip_triage(request, pk):
    user = request.user
    tip = gates.access_tip_for_triage(user, pk, purpose="triage")
    form = forms.TriageForm(
        request.POST or None, tip=tip, initial={"urgency": tip.urgency, "issue": tip.issue}
    )
    return run_form(
        request,
        form,
        lambda f: services.tip_triage(actor=user, tip=tip, **f.cleaned_data),
        success=_("Tip updated."),
        redirect_to=reverse("intake:tip_detail", args=[tip.pk]),
        template="cases/form.html",
        context={"title": _("Triage %(tip)s") % {"tip": tip.reference}},
    )


def _rows_context(rows: list[dict], minimum: int) -> dict:
    from matis.cases.choices import Language
    from matis.common.dateinput import date_placeholder

    shown = rows + [{} for _i in range(max(0, minimum - len(rows)))]
    return {
        "rows": shown,
        "row_languages": Language.choices,
        "row_countries": Country.objects.filter(is_commit_member=True),
        "date_placeholder": date_placeholder(),
    }


@scoped("country", model=Tip, lookup="pk")
@require_http_methods(["GET", "POST"])
@login_required
def tip_convert(request, pk):
    user = request.user
    tip = gates.access_tip_for_triage(user, pk, purpose="convert")
    require(has_perm(user, "cases.register_case"))
    rows = forms.posted_rows(request.POST) if request.method == "POST" else []
    error = None
    if request.method == "POST":
        try:
            cases = services.tip_convert(actor=user, tip=tip, rows=rows)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(n)s case(s) opened from %(tip)s.") % {"n": len(cases), "tip": tip.reference},
            )
            return redirect("intake:tip_detail", pk=tip.pk)
    context = {"tip": tip, "error": error, **_rows_context(rows, 2)}
    return render(request, "intake/tip_convert.html", context, status=400 if error else 200)


@scoped("country", model=GroupRegistration)
@require_http_methods(["GET", "POST"])
@login_required
def group_new(request):
    user = request.user
    require(has_perm(user, "intake.register_group"))
    form = forms.GroupForm(
        request.POST or None,
        country=user.country_id,
        initial={"rescued_on": timezone.localdate(), "place_country": user.country_id},
    )
    rows = forms.posted_rows(request.POST) if request.method == "POST" else []
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_register(actor=user, rows=rows, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_error(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(n)s people registered in group %(group)s.")
                % {"n": group.members.count(), "group": group.reference},
            )
            return redirect("intake:group_detail", pk=group.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "error": error, **_rows_context(rows, 10)}
    return render(request, "intake/group_new.html", context, status=status)


def _audience(request, group) -> tuple[str, str | None]:
    audience = request.GET.get("for", lists.SHELTER)
    country = request.GET.get("country", "").upper()[:3] or None
    if audience != lists.EMBASSY:
        return lists.SHELTER, None
    return lists.EMBASSY, country


@scoped("country", model=GroupRegistration, lookup="pk")
@require_safe
@login_required
def group_detail(request, pk):
    user = request.user
    group = gates.access_group(user, pk)
    audience, country = _audience(request, group)
    rows = lists.group_list(group, audience=audience, country=country)
    nationalities = Country.objects.filter(
        pk__in=group.members.values("case__person__primary_citizenship")
    ).exclude(pk=group.country_id)
    return render(
        request,
        "intake/group_detail.html",
        {
            "group": group,
            "rows": rows,
            "audience": audience,
            "country": country,
            "nationalities": nationalities,
            "header": lists.list_header(),
            "members": group.members.count(),
        },
    )


@scoped("country", model=GroupRegistration, lookup="pk")
@require_safe
@login_required
def group_export(request, pk):
    user = request.user
    group = gates.access_group(user, pk, purpose="export")
    audience, country = _audience(request, group)
    rows = lists.group_list(group, audience=audience, country=country)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=group,
        audience=audience,
        recipient_country=country,
        rows=len(rows),
        shared=sum(r.shared for r in rows),
    )
    content = rows_to_csv(lists.list_header(), [lists.list_cells(r) for r in rows])
    name = f"{group.reference}-{audience}{'-' + country if country else ''}.csv"
    return download_response(content, name)
