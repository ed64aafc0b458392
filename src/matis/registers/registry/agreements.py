"""Agreements and SOPs with their yearly review (P&C3, P&C4)."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from matis.common.calendars import display_date
from matis.registers import selectors
from matis.registers.kit.specs import Child, Computed, Flag, Register, define_register
from matis.registers.models import (
    Agreement,
    AgreementInstrument,
    AgreementReview,
)


def _review_badge(agreement, ctx):
    due = agreement.review_due_on(agreement.last_review)
    if due is None:
        return None
    if due < ctx["today"]:
        return _("Review overdue since %(date)s") % {"date": display_date(due)}, "warn"
    return _("Next review by %(date)s") % {"date": display_date(due)}, "yes"


define_register(
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
