"""The registers: each one described once; pages, Excel, API and charts follow from it."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from matis.common.calendars import display_date
from matis.registers import selectors, services
from matis.registers.kit.specs import Child, Computed, Flag, Register, register, scope_rows
from matis.registers.models import (
    Accreditation,
    Agreement,
    AgreementInstrument,
    AgreementReview,
    AwarenessCampaign,
    Curriculum,
    EventParticipants,
    EventTrainer,
    FollowUpAction,
    HotlineRecord,
    LabourInspection,
    Meeting,
    MeetingDecision,
    NetworkReport,
    PrivateSectorPartnership,
    ProjectResult,
    SituationAssessment,
    SpecialistUnit,
    SurveillanceNetwork,
    Trainer,
    TrainingEvent,
    UnitYear,
    VulnerabilityProject,
)

# --- training -----------------------------------------------------------------------


def _accreditation_badge(trainer, ctx):
    today = ctx["today"]
    current = [a for a in trainer.accreditations.all() if a.is_valid_on(today)]
    if current:
        until = max(a.valid_until for a in current)
        return _("Valid until %(date)s") % {"date": display_date(until)}, "yes"
    return _("No valid accreditation"), "warn"


register(
    Register(
        key="curricula",
        model=Curriculum,
        group="training",
        activities=("P&C2", "CJ5", "PRO7"),
        fields=(
            "title",
            "activity",
            "level",
            "kind",
            "version",
            "language",
            "adopted_on",
            "is_current",
            "notes",
        ),
        list_columns=(
            "ref",
            "title",
            "activity",
            "level",
            "kind",
            "version",
            "language",
            Computed("n_events", _("Events"), lambda o, c: o.n_events, "int"),
        ),
        filters=("activity", "level", "kind", "language", "is_current"),
        search=("title",),
        date_field="adopted_on",
        chart_by="activity",
        chart_label=_("Curricula adopted"),
        annotate=lambda qs: qs.annotate(n_events=Count("events")),
    )
)

register(
    Register(
        key="trainers",
        model=Trainer,
        group="training",
        activities=("P&C2", "CJ5", "PRO7"),
        fields=("name", "organisation", "sector", "notes"),
        list_columns=(
            "ref",
            "name",
            "organisation",
            "sector",
            Computed("accreditation", _("Accreditation"), _accreditation_badge, "badge"),
        ),
        filters=("sector",),
        search=("name", "organisation"),
        children=(
            Child(
                model=Accreditation,
                fk="trainer",
                fields=("accredited_by", "body", "curriculum", "valid_from", "valid_until"),
                key=("accredited_by", "valid_from"),
                sheet="accreditations",
            ),
        ),
        chart_by="sector",
        chart_label=_("Trainers"),
        flags=(
            Flag(
                "unaccredited",
                _("Without a valid accreditation today"),
                selectors.trainers_without_valid_accreditation,
            ),
        ),
        prefetch=("accreditations",),
    )
)


def _trainer_field(*, user, instance):
    country = instance.country_id if instance and instance.pk else None
    qs = scope_rows(user, Trainer.objects.all(), regional=False)
    if country:
        qs = qs.filter(country_id=country)
    initial = list(instance.trainers.values_list("pk", flat=True)) if instance.pk else []
    return {
        "trainers": forms.ModelMultipleChoiceField(
            queryset=qs.order_by("name"),
            required=False,
            label=_("Trainers"),
            initial=initial,
            widget=forms.CheckboxSelectMultiple,
            help_text=_(
                "Only trainers accredited for the whole event and its curriculum can be assigned."
            ),
        )
    }


def _event_after_save(*, obj, data, actor):
    services.event_trainers_set(actor=actor, event=obj, trainers=data.get("trainers") or [])


register(
    Register(
        key="training-events",
        model=TrainingEvent,
        group="training",
        activities=("P&C2", "CJ5", "PRO7"),
        fields=("title", "curriculum", "start_date", "end_date", "place", "organiser", "notes"),
        list_columns=(
            "ref",
            "title",
            "curriculum",
            "start_date",
            "place",
            Computed(
                "n_participants", _("Participants"), lambda o, c: o.n_participants or 0, "int"
            ),
            Computed("n_women", _("Women"), lambda o, c: o.n_women or 0, "int"),
        ),
        filters=("curriculum__activity",),
        search=("title", "place"),
        date_field="start_date",
        children=(
            Child(
                model=EventParticipants,
                fk="event",
                fields=("agency_type", "sex", "role", "count", "pre_test_mean", "post_test_mean"),
                key=("agency_type", "sex", "role"),
                sheet="participants",
                extra=3,
            ),
            Child(
                model=EventTrainer,
                fk="event",
                fields=("trainer",),
                key=("trainer",),
                sheet="trainers",
                inline=False,
                write=services.event_trainer_import_row,
            ),
        ),
        chart_by="curriculum__activity",
        chart_measure="participants__count",
        chart_label=_("Participants"),
        related=("curriculum",),
        annotate=lambda qs: qs.annotate(
            n_participants=Sum("participants__count"),
            n_women=Sum("participants__count", filter=Q(participants__sex="female")),
        ),
        extra_form_fields=_trainer_field,
        after_save=_event_after_save,
        extra_template="registers/extra/event.html",
    )
)

# --- agreements -----------------------------------------------------------------------


def _review_badge(agreement, ctx):
    due = agreement.review_due_on(agreement.last_review)
    if due is None:
        return None
    if due < ctx["today"]:
        return _("Review overdue since %(date)s") % {"date": display_date(due)}, "warn"
    return _("Next review by %(date)s") % {"date": display_date(due)}, "yes"


register(
    Register(
        key="agreements",
        model=Agreement,
        group="agreements",
        activities=("P&C3", "P&C4"),
        fields=(
            "title",
            "kind",
            "form",
            "subject",
            "party_countries",
            "other_parties",
            "status",
            "signed_on",
            "in_force_on",
            "expires_on",
            "notes",
        ),
        list_columns=(
            "ref",
            "title",
            "kind",
            "subject",
            "status",
            "signed_on",
            Computed("review", _("Yearly review"), _review_badge, "badge"),
        ),
        filters=("kind", "form", "subject", "status"),
        search=("title", "other_parties"),
        date_field="signed_on",
        children=(
            Child(
                model=AgreementInstrument,
                fk="agreement",
                fields=("kind", "title", "version", "adopted_on"),
                key=("kind", "title"),
                sheet="action_plans_sops",
            ),
            Child(
                model=AgreementReview,
                fk="agreement",
                fields=("reviewed_on", "reviewed_by", "outcome", "summary"),
                key=("reviewed_on",),
                sheet="reviews",
            ),
        ),
        chart_by="subject",
        chart_label=_("Agreements signed"),
        flags=(Flag("overdue", _("Yearly review overdue"), selectors.agreements_review_overdue),),
        annotate=lambda qs: qs.annotate(last_review=Max("reviews__reviewed_on")),
        prefetch=("party_countries",),
        extra_template="registers/extra/agreement.html",
    )
)

# --- specialist units -------------------------------------------------------------------

register(
    Register(
        key="units",
        model=SpecialistUnit,
        group="units",
        activities=("CJ2",),
        fields=("name", "level", "parent_agency", "established_on", "notes"),
        list_columns=(
            "ref",
            "name",
            "level",
            "parent_agency",
            "established_on",
            Computed("latest_year", _("Latest year reported"), lambda o, c: o.latest_year, "int"),
        ),
        filters=("level",),
        search=("name", "parent_agency"),
        year_field="years__year",
        children=(
            Child(
                model=UnitYear,
                fk="unit",
                fields=(
                    "year",
                    "staff_total",
                    "staff_female",
                    "investigators",
                    "staff_trained",
                    "vehicles",
                    "budget_usd",
                ),
                key=("year",),
                sheet="staffing",
            ),
        ),
        chart_by="level",
        chart_measure="years__staff_total",
        chart_label=_("Staff"),
        annotate=lambda qs: qs.annotate(latest_year=Max("years__year")),
    )
)

# --- assessments ---------------------------------------------------------------------------


def _upload_field(*, user, instance):
    return {
        "upload": forms.FileField(
            label=_("Document"),
            required=False,
            help_text=_("PDF, Word, Excel, OpenDocument or image, up to 10 MB."),
        )
    }


def _assessment_after_save(*, obj, data, actor):
    if data.get("upload"):
        services.assessment_document_attach(actor=actor, assessment=obj, uploaded=data["upload"])


register(
    Register(
        key="assessments",
        model=SituationAssessment,
        group="assessments",
        activities=("P&C5",),
        fields=(
            "title",
            "kind",
            "border_point",
            "period_start",
            "period_end",
            "issued_on",
            "language",
            "classification",
            "shared_with",
            "findings",
            "notes",
        ),
        list_columns=(
            "ref",
            "title",
            "kind",
            "border_point",
            "issued_on",
            "classification",
            Computed(
                "has_document",
                _("Document"),
                lambda o, c: (_("Attached"), "yes") if o.document else None,
                "badge",
            ),
        ),
        filters=("kind", "classification", "language"),
        search=("title", "border_point", "findings"),
        date_field="issued_on",
        chart_by="kind",
        chart_label=_("Assessments issued"),
        prefetch=("shared_with",),
        extra_form_fields=_upload_field,
        after_save=_assessment_after_save,
        file_field="document",
        extra_template="registers/extra/assessment.html",
    )
)

# --- prevention ------------------------------------------------------------------------------

register(
    Register(
        key="projects",
        model=VulnerabilityProject,
        group="prevention",
        activities=("PRE1",),
        fields=(
            "name",
            "implementer",
            "focus",
            "target_group",
            "places",
            "start_date",
            "end_date",
            "notes",
        ),
        list_columns=(
            "ref",
            "name",
            "focus",
            "target_group",
            "places",
            "start_date",
            Computed(
                "n_beneficiaries",
                _("Beneficiaries"),
                lambda o, c: (o.n_female or 0) + (o.n_male or 0),
                "int",
            ),
            Computed("n_births", _("Birth registrations"), lambda o, c: o.n_births or 0, "int"),
        ),
        filters=("focus", "target_group"),
        search=("name", "implementer", "places"),
        date_field="start_date",
        children=(
            Child(
                model=ProjectResult,
                fk="project",
                fields=(
                    "year",
                    "beneficiaries_female",
                    "beneficiaries_male",
                    "birth_registrations",
                    "other_documents",
                ),
                key=("year",),
                sheet="results",
            ),
        ),
        chart_by="target_group",
        chart_measure="results__beneficiaries_female",
        chart_label=_("Female beneficiaries"),
        annotate=lambda qs: qs.annotate(
            n_female=Sum("results__beneficiaries_female"),
            n_male=Sum("results__beneficiaries_male"),
            n_births=Sum("results__birth_registrations"),
        ),
        extra_data={"chart_year": "results__year"},
    )
)

register(
    Register(
        key="networks",
        model=SurveillanceNetwork,
        group="prevention",
        activities=("PRE2",),
        fields=(
            "name",
            "kind",
            "location",
            "established_on",
            "members",
            "linked_agency",
            "is_active",
            "notes",
        ),
        list_columns=(
            "ref",
            "name",
            "kind",
            "location",
            "members",
            "is_active",
            Computed(
                "n_at_risk", _("People at risk identified"), lambda o, c: o.n_at_risk or 0, "int"
            ),
        ),
        filters=("kind", "is_active"),
        search=("name", "location", "linked_agency"),
        date_field="established_on",
        children=(
            Child(
                model=NetworkReport,
                fk="network",
                fields=(
                    "reported_on",
                    "persons_at_risk",
                    "suspected_cases",
                    "referrals",
                    "information_sessions",
                    "summary",
                ),
                key=("reported_on",),
                sheet="reports",
            ),
        ),
        chart_by="kind",
        chart_measure="reports__persons_at_risk",
        chart_label=_("People at risk identified"),
        annotate=lambda qs: qs.annotate(n_at_risk=Sum("reports__persons_at_risk")),
        extra_data={"chart_year": "reports__reported_on"},
    )
)


def _effect_column(campaign, ctx):
    effect = campaign.effect()
    if effect is None:
        return None
    text = _("%(diff)+.1f points (%(low)+.1f to %(high)+.1f)") % {
        "diff": 100 * effect.difference,
        "low": 100 * effect.ci_low,
        "high": 100 * effect.ci_high,
    }
    css = {"improved": "yes", "worsened": "warn"}.get(effect.verdict, "no")
    return text, css


register(
    Register(
        key="campaigns",
        model=AwarenessCampaign,
        group="prevention",
        activities=("PRE3",),
        fields=(
            "name",
            "channel",
            "audience",
            "start_date",
            "end_date",
            "places",
            "people_reached",
            "measure",
            "pre_surveyed",
            "pre_positive",
            "post_surveyed",
            "post_positive",
            "notes",
        ),
        list_columns=(
            "ref",
            "name",
            "channel",
            "audience",
            "start_date",
            "people_reached",
            Computed("effect", _("Change in behaviour"), _effect_column, "badge"),
        ),
        filters=("channel", "audience"),
        search=("name", "places", "measure"),
        date_field="start_date",
        chart_by="channel",
        chart_measure="people_reached",
        chart_label=_("People reached"),
        flags=(
            Flag(
                "measured",
                _("With a pre/post measure"),
                lambda qs, today: qs.filter(pre_surveyed__gt=0, post_surveyed__gt=0),
            ),
        ),
        extra_template="registers/extra/campaign.html",
    )
)

register(
    Register(
        key="hotline",
        model=HotlineRecord,
        group="prevention",
        activities=("PRE4",),
        fields=("service", "year", "month", "issue", "outcome", "count", "notes"),
        list_columns=("service", "year", "month", "issue", "outcome", "count"),
        filters=("issue", "outcome"),
        search=("service",),
        year_field="year",
        natural_key=("service", "year", "month", "issue", "outcome"),
        chart_by="issue",
        chart_measure="count",
        chart_label=_("Contacts"),
    )
)

register(
    Register(
        key="inspections",
        model=LabourInspection,
        group="prevention",
        activities=("PRE4", "PRE5"),
        fields=(
            "inspected_on",
            "place",
            "sector",
            "inspected_by",
            "workers_covered",
            "migrant_workers",
            "violations_found",
            "forced_labour_indicators",
            "child_labour_found",
            "findings",
            "referred_to_law_enforcement",
            "referred_on",
            "notes",
        ),
        list_columns=(
            "ref",
            "inspected_on",
            "place",
            "sector",
            "inspected_by",
            "workers_covered",
            "forced_labour_indicators",
            "referred_to_law_enforcement",
        ),
        filters=(
            "sector",
            "inspected_by",
            "violations_found",
            "forced_labour_indicators",
            "child_labour_found",
            "referred_to_law_enforcement",
        ),
        search=("place", "findings"),
        date_field="inspected_on",
        chart_by="referred_to_law_enforcement",
        chart_label=_("Inspections"),
    )
)

register(
    Register(
        key="partnerships",
        model=PrivateSectorPartnership,
        group="prevention",
        activities=("PRE6",),
        fields=(
            "partner",
            "sector",
            "kind",
            "signed_on",
            "ends_on",
            "companies_covered",
            "workers_covered",
            "description",
            "notes",
        ),
        list_columns=(
            "ref",
            "partner",
            "sector",
            "kind",
            "signed_on",
            "ends_on",
            "companies_covered",
        ),
        filters=("sector", "kind"),
        search=("partner", "description"),
        date_field="signed_on",
        chart_by="kind",
        chart_label=_("Partnerships signed"),
    )
)

# --- meetings ----------------------------------------------------------------------------------


def _action_badge(action, ctx):
    if action.is_overdue(ctx["today"]):
        return _("Overdue"), "warn"
    if action.status == FollowUpAction.Status.DONE:
        return _("Done on %(date)s") % {"date": display_date(action.done_on)}, "yes"
    return None


register(
    Register(
        key="meetings",
        model=Meeting,
        group="meetings",
        activities=(),
        fields=(
            "kind",
            "number",
            "title",
            "host_country",
            "city",
            "start_date",
            "end_date",
            "notes",
        ),
        list_columns=(
            "ref",
            "kind",
            "title",
            "host_country",
            "city",
            "start_date",
            Computed("n_open", _("Open actions"), lambda o, c: o.n_open, "int"),
        ),
        filters=("kind",),
        search=("title", "city"),
        date_field="start_date",
        children=(
            Child(
                model=MeetingDecision,
                fk="meeting",
                fields=("number", "text"),
                key=("number",),
                sheet="decisions",
                extra=2,
            ),
        ),
        chart_by="kind",
        chart_label=_("Meetings"),
        related=("host_country",),
        annotate=lambda qs: qs.annotate(
            n_open=Count("actions", filter=~Q(actions__status__in=FollowUpAction.CLOSED_STATUSES))
        ),
        extra_template="registers/extra/meeting.html",
    )
)

register(
    Register(
        key="actions",
        model=FollowUpAction,
        group="meetings",
        activities=(),
        fields=(
            "meeting",
            "decision_number",
            "description",
            "responsible",
            "due_on",
            "status",
            "done_on",
            "notes",
        ),
        list_columns=(
            "ref",
            "meeting",
            "description",
            "responsible",
            "due_on",
            "status",
            Computed("tracking", _("Tracking"), _action_badge, "badge"),
        ),
        filters=("status",),
        search=("description", "responsible"),
        date_field="due_on",
        chart_by="status",
        chart_label=_("Follow-up actions"),
        related=("meeting",),
        flags=(
            Flag("open", _("Not done yet"), selectors.actions_open),
            Flag("overdue", _("Overdue"), selectors.actions_overdue),
        ),
        extra_template="registers/extra/action.html",
    )
)

GROUPS = {
    "training": _("Training and capacity"),
    "agreements": _("Agreements and SOPs"),
    "units": _("Specialist units"),
    "assessments": _("Information exchange and assessments"),
    "prevention": _("Prevention"),
    "meetings": _("Meetings"),
}
