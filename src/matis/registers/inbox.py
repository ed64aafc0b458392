"""The registers' share of the work inbox: expiring accreditations, overdue agreement reviews.

The same rows the registers' overview counts, for the users who may change
register records (the task force, the secretariat, administrators).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.inbox import InboxItem, register_source

# As the registers' overview: an accreditation ending within this many days is "expiring".
EXPIRING_WITHIN_DAYS = 90


def _may_change_records(user) -> bool:
    from matis.access.permissions import has_perm

    return has_perm(user, "registers.add_record")


def expiring_accreditations(user, *, today):
    from matis.registers.kit.specs import scope_rows
    from matis.registers.models import Accreditation, Trainer

    if not _may_change_records(user):
        return Accreditation.objects.none()
    trainers = scope_rows(user, Trainer.objects.all(), regional=False)
    soon = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    return Accreditation.objects.filter(
        trainer__in=trainers, valid_until__gte=today, valid_until__lte=soon
    ).order_by("valid_until", "id")


def describe_accreditation(accreditation) -> InboxItem:
    return InboxItem(
        key=f"registers.accreditations:{accreditation.pk}",
        title=_("Trainer accreditation by %(body)s expires") % {"body": accreditation.body},
        url=reverse("registers:trainers_detail", args=[accreditation.trainer_id]),
        on=accreditation.valid_until,
    )


def agreement_reviews_overdue(user, *, today):
    from matis.registers.kit.specs import scope_rows
    from matis.registers.models import Agreement
    from matis.registers.selectors import agreements_review_overdue

    if not _may_change_records(user):
        return Agreement.objects.none()
    agreements = scope_rows(user, Agreement.objects.all(), regional=True)
    return agreements_review_overdue(agreements, today).order_by("title", "id")


def describe_agreement(agreement) -> InboxItem:
    return InboxItem(
        key=f"registers.agreement_reviews:{agreement.pk}",
        title=_("Yearly review of “%(title)s” is due") % {"title": agreement.title},
        url=reverse("registers:agreements_detail", args=[agreement.pk]),
        overdue=True,
    )


def register_inbox_sources() -> None:
    register_source(
        "registers.accreditations",
        label=gettext_lazy("Trainer accreditations expiring within 90 days"),
        permission="registers.add_record",
        rows=expiring_accreditations,
        describe=describe_accreditation,
        url_name="registers:index",
        order=60,
    )
    register_source(
        "registers.agreement_reviews",
        label=gettext_lazy("Agreement reviews overdue"),
        permission="registers.add_record",
        rows=agreement_reviews_overdue,
        describe=describe_agreement,
        url_name="registers:index",
        order=61,
    )
