"""Pages: detention notices, situation assessments, SOM/IMM decisions and their follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from matis.access.audit import audit_list_read, audit_record
from matis.access.gates import get_scoped_or_deny
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases.models import Placement
from matis.common.files import EvidenceRejected, file_response
from matis.common.tables import table_download
from matis.common.views import require, run_form
from matis.common.workflow import TransitionNotAllowed
from matis.cooperation import forms, selectors, services
from matis.cooperation.models import (
    ActionStatus,
    Assessment,
    AssessmentAttachment,
    AssessmentStatus,
    DetentionNotice,
    Direction,
    ReceivedAction,
    ReceivedAssessment,
    ReceivedAttachment,
    ReceivedDecision,
)
from matis.exchange import conf

# --- detention notices -----------------------------------------------------------------------


@login_required
@scoped("country", model=DetentionNotice)
def detention_list(request):
    """Notices we sent and received, and the placements still to notify."""
    require(has_perm(request.user, "cooperation.view_detention_notices"))
    notices = selectors.notices_visible(request.user)
    to_notify = list(selectors.placements_to_notify(request.user)[:200])
    audit_list_read(
        actor=request.user,
        object_type="cases.placement",
        case_ids=[p.case_id for p in to_notify],
        purpose="detention_to_notify",
    )
    return render(
        request,
        "cooperation/detention_list.html",
        {
            "outgoing": notices.filter(direction=Direction.OUT)[:200],
            "incoming": notices.filter(direction=Direction.IN)[:200],
            "to_notify": to_notify,
        },
    )


@login_required
@require_POST
@scoped("country", model=Placement, lookup="pk", field="case__country")
def detention_notify(request, pk):
    """Send the notice for one placement (personal only with consent; the page says which)."""
    require(has_perm(request.user, "cooperation.send_detention_notice", request.user.country_id))
    allowed = selectors.placements_to_notify(request.user)
    placement = get_scoped_or_deny(request.user, allowed, pk, purpose="detention_notice")
    try:
        notice = services.detention_notice_send(actor=request.user, placement=placement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cooperation:detention_list")
    if notice.personal:
        messages.success(
            request,
            _("Notice sent to %(country)s with the person's details (consent recorded).")
            % {"country": notice.other_country.display_name},
        )
    else:
        messages.warning(
            request,
            _(
                "No cross-border consent for %(country)s: only a notice without personal "
                "details was sent (count, age group, sex, place type, dates)."
            )
            % {"country": notice.other_country.display_name},
        )
    return redirect("cooperation:detention_detail", pk=notice.pk)


@login_required
@require_http_methods(["GET", "POST"])
@scoped("country", model=DetentionNotice, lookup="pk")
def detention_detail(request, pk):
    """One notice, its follow-up, and the steps this side records."""
    require(has_perm(request.user, "cooperation.view_detention_notices"))
    notice = selectors.notice_for(request.user, pk)
    may_follow_up = has_perm(request.user, "cooperation.follow_up_detention", notice)
    ack_form = forms.AcknowledgeForm(request.POST if "acknowledge" in request.POST else None)
    status_form = forms.StatusForm(
        request.POST if "status" in request.POST else None, steps=notice.steps_we_record()
    )
    if request.method == "POST":
        require(may_follow_up)
        try:
            if "send_basic" in request.POST:
                services.detention_notice_send_basic(actor=request.user, notice=notice)
                messages.warning(
                    request, _("A notice without personal details replaces the one stopped.")
                )
                return redirect("cooperation:detention_detail", pk=notice.pk)
            if "acknowledge" in request.POST and ack_form.is_valid():
                services.detention_notice_acknowledge(
                    actor=request.user,
                    notice=notice,
                    consular_post=ack_form.cleaned_data["consular_post"],
                )
                messages.success(request, _("Acknowledged; the acknowledgement is on its way."))
                return redirect("cooperation:detention_detail", pk=notice.pk)
            if "status" in request.POST and status_form.is_valid():
                services.detention_status_record(
                    actor=request.user, notice=notice, **status_form.cleaned_data
                )
                messages.success(request, _("Step recorded; the other country is told."))
                return redirect("cooperation:detention_detail", pk=notice.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "cooperation/detention_detail.html",
        {
            "notice": notice,
            "events": notice.events.select_related("by_country"),
            "may_follow_up": may_follow_up,
            "ack_form": ack_form,
            "status_form": status_form,
            "can_acknowledge": notice.direction == Direction.IN and notice.acknowledged_at is None,
            "delivery": selectors.notice_delivery(notice),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- assessments -----------------------------------------------------------------------------


@login_required
@scoped("country", model=Assessment)
def assessment_list(request):
    """Our assessments (drafts to approved) and the inbox of those shared with us."""
    require(has_perm(request.user, "cooperation.view_assessments"))
    return render(
        request,
        "cooperation/assessment_list.html",
        {
            "own": selectors.assessments_visible(request.user)[:200],
            "inbox": selectors.received_assessments(request.user)[:200],
            "may_write": has_perm(
                request.user, "cooperation.write_assessment", request.user.country_id
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@scoped("country", model=Assessment)
def assessment_create(request):
    require(has_perm(request.user, "cooperation.write_assessment", request.user.country_id))
    form = forms.AssessmentForm(request.POST or None, country=request.user.country_id)
    created = {}

    def action(f):
        created["obj"] = services.assessment_create(actor=request.user, **f.cleaned_data)

    response = run_form(
        request,
        form,
        action,
        success=_("Draft saved. Attach files, then submit it for approval."),
        redirect_to="cooperation:assessment_list",
        template="cooperation/assessment_form.html",
    )
    if "obj" in created:
        return redirect("cooperation:assessment_detail", pk=created["obj"].pk)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@scoped("country", model=Assessment, lookup="pk")
def assessment_detail(request, pk):
    """One of our assessments: attach (draft), submit, return or approve (four eyes)."""
    require(has_perm(request.user, "cooperation.view_assessments"))
    assessment = get_scoped_or_deny(
        request.user, selectors.assessments_visible(request.user), pk, purpose="assessment"
    )
    attach_form = forms.AttachmentForm(
        request.POST if "attach" in request.POST else None, request.FILES or None
    )
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if "attach" in request.POST:
                if attach_form.is_valid():
                    services.assessment_attach(
                        actor=request.user,
                        assessment=assessment,
                        uploaded=attach_form.cleaned_data["file"],
                    )
                    messages.success(request, _("File attached."))
            elif step == "submit":
                services.assessment_submit(actor=request.user, assessment=assessment)
                messages.success(request, _("Submitted: another officer approves it."))
            elif step == "return":
                services.assessment_return(actor=request.user, assessment=assessment)
                messages.success(request, _("Returned to draft."))
            elif step == "approve":
                services.assessment_approve(actor=request.user, assessment=assessment)
                messages.success(request, _("Approved; it is sent to the named countries only."))
            else:
                raise ValidationError(_("Unknown step."))
        except (ValidationError, TransitionNotAllowed, EvidenceRejected) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("cooperation:assessment_detail", pk=assessment.pk)
    user = request.user
    return render(
        request,
        "cooperation/assessment_detail.html",
        {
            "a": assessment,
            "attach_form": attach_form,
            "is_draft": assessment.status == AssessmentStatus.DRAFT,
            "may_write": has_perm(user, "cooperation.write_assessment", assessment),
            "may_approve": assessment.status == AssessmentStatus.SUBMITTED
            and has_perm(user, "cooperation.approve_assessment", assessment),
        },
    )


@login_required
@scoped("country", model=ReceivedAssessment, lookup="pk")
def received_detail(request, pk):
    require(has_perm(request.user, "cooperation.view_assessments"))
    received = get_scoped_or_deny(
        request.user, selectors.received_assessments(request.user), pk, purpose="assessment"
    )
    return render(request, "cooperation/received_detail.html", {"a": received})


def _serve(request, attachment, country_id):
    audit_record(
        actor=request.user,
        action=AuditAction.FILE_DOWNLOAD,
        obj=attachment,
        country_id=country_id,
    )
    return file_response(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@scoped("country", model=AssessmentAttachment, lookup="pk", field="assessment__country")
def attachment_download(request, pk):
    require(has_perm(request.user, "cooperation.view_assessments"))
    allowed = AssessmentAttachment.objects.filter(
        assessment__in=selectors.assessments_visible(request.user)
    ).select_related("assessment")
    attachment = get_scoped_or_deny(request.user, allowed, pk, purpose="assessment_file")
    return _serve(request, attachment, attachment.assessment.country_id)


@login_required
@scoped("country", model=ReceivedAttachment, lookup="pk", field="assessment__country")
def received_download(request, pk):
    require(has_perm(request.user, "cooperation.view_assessments"))
    allowed = ReceivedAttachment.objects.filter(
        assessment__in=selectors.received_assessments(request.user)
    ).select_related("assessment")
    attachment = get_scoped_or_deny(request.user, allowed, pk, purpose="assessment_file")
    return _serve(request, attachment, attachment.assessment.country_id)


# --- decisions -------------------------------------------------------------------------------


@login_required
@scoped("country", model=ReceivedDecision)
def decision_list(request):
    """National: the decisions pulled from the hub, each action with our status."""
    require(has_perm(request.user, "cooperation.view_decisions"))
    decisions = selectors.received_decisions(request.user)
    return render(
        request,
        "cooperation/decision_list.html",
        {
            "decisions": decisions[:100],
            "status_form": forms.ActionStatusForm(),
            "may_report": has_perm(
                request.user, "cooperation.report_action_status", request.user.country_id
            ),
            "is_hub": conf.is_hub(),
            "may_record": conf.is_hub() and has_perm(request.user, "cooperation.record_decision"),
            "may_track": conf.is_hub() and has_perm(request.user, "cooperation.track_decisions"),
        },
    )


@login_required
@require_POST
@scoped("country", model=ReceivedAction, lookup="pk", field="decision__country")
def action_report(request, pk):
    require(has_perm(request.user, "cooperation.report_action_status", request.user.country_id))
    action = selectors.received_action_for(request.user, pk)
    form = forms.ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("cooperation:decision_list")
    try:
        services.action_status_report(actor=request.user, action=action, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Status recorded; it goes to the hub with the next push."))
    return redirect("cooperation:decision_list")


@login_required
@require_http_methods(["GET", "POST"])
@scoped("global")  # regional records, recorded by the secretariat on the hub
def decision_create(request):
    if not conf.is_hub():
        raise Http404
    require(has_perm(request.user, "cooperation.record_decision"))
    form = forms.DecisionForm(request.POST or None)

    def action(f):
        data = {k: f.cleaned_data[k] for k in ("meeting", "meeting_number", "held_on", "text")}
        services.decision_record(actor=request.user, actions=f.action_rows(), **data)

    return run_form(
        request,
        form,
        action,
        success=_("Decision recorded; countries receive it with their next pull."),
        redirect_to="cooperation:decision_tracking",
        template="cooperation/decision_form.html",
    )


@login_required
@scoped("global")  # regional: every country's status on every action (hub only)
def decision_tracking(request):
    """The hub's table: each country's status per action, overdue highlighted; CSV/Excel."""
    if not conf.is_hub():
        raise Http404
    require(has_perm(request.user, "cooperation.track_decisions"))
    rows = selectors.decision_tracking_rows(today=timezone.localdate())
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type="cooperation.decision_tracking",
            rows=len(rows),
            format=fmt,
        )
        table = selectors.decision_tracking_table(rows)
        return table_download(table, fmt, f"decision-follow-up-{timezone.localdate():%Y%m%d}")
    return render(
        request,
        "cooperation/decision_tracking.html",
        {
            "rows": rows,
            "overdue": sum(r["overdue"] for r in rows),
            "statuses": ActionStatus.choices,
            "may_record": has_perm(request.user, "cooperation.record_decision"),
            "download": reverse("cooperation:decision_tracking"),
        },
    )
