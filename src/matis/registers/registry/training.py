"""Training and capacity: curricula, trainers, training events (P&C2, CJ5, PRO7)."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from matis.common.calendars import display_date
from matis.registers import selectors, services
from matis.registers.kit.specs import Child, Computed, Flag, Register, define_register, scope_rows
from matis.registers.models import (
    Accreditation,
    Curriculum,
    EventParticipants,
    EventTrainer,
    Trainer,
    TrainingEvent,
)


def _accreditation_badge(trainer, ctx):
    today = ctx["today"]
    current = [a for a in trainer.accreditations.all() if a.is_valid_on(today)]
    if current:
        until = max(a.valid_until for a in current)
        return _("Valid until %(date)s") % {"date": display_date(until)}, "yes"
    return _("No valid accreditation"), "warn"


define_register(
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

define_register(
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


define_register(
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
