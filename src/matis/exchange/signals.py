"""Queue items for the hub in the same transaction as the event that causes them.

The approval of a monitoring report or of official statistics, and every
change of cross-border consent, are written by other apps' services; these
receivers run inside those services' transactions (``post_save``), so the
event and its outbox item are committed together or not at all.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete

from matis.exchange import conf


def _report_saved(sender, instance, created, **kwargs):
    from matis.monitoring.models import Workflow

    if conf.is_national() and instance.workflow == Workflow.APPROVED and instance.approved_at:
        from matis.exchange.services import enqueue_monitoring_report

        enqueue_monitoring_report(instance)


def _submission_saved(sender, instance, created, **kwargs):
    if conf.is_national() and instance.is_approved and instance.approved_at:
        from matis.exchange.services import enqueue_statistics

        enqueue_statistics(instance)


def _consent_saved(sender, instance, created, **kwargs):
    from matis.cases.choices import ConsentPurpose

    if conf.is_national() and created and instance.purpose == ConsentPurpose.CROSS_BORDER:
        from matis.exchange.services import enqueue_token_update

        enqueue_token_update(instance.case, cause=f"consent-{instance.pk}")


def _case_deleted(sender, instance, **kwargs):
    """Secure deletion of a case withdraws its linkage token at the hub (same transaction)."""
    if not conf.is_national():
        return
    from matis.exchange.models import ItemKind, LinkageSubject
    from matis.exchange.services import outbox_enqueue

    subject = LinkageSubject.objects.filter(case_id=instance.pk).first()
    if subject is not None:
        outbox_enqueue(
            country_id=instance.country_id,
            kind=ItemKind.TOKEN_REVOKE,
            object_type="exchange.linkagesubject",
            object_id=subject.ref,
            idempotency_key=f"{instance.country_id}:revoke:{subject.ref}",
            payload={"subject_ref": str(subject.ref)},
        )


def connect() -> None:
    from matis.cases.models import Case, ConsentEvent
    from matis.monitoring.models import ActivityReport
    from matis.official_statistics.models import Submission

    post_save.connect(_report_saved, sender=ActivityReport, dispatch_uid="exchange_report")
    post_save.connect(_submission_saved, sender=Submission, dispatch_uid="exchange_submission")
    post_save.connect(_consent_saved, sender=ConsentEvent, dispatch_uid="exchange_consent")
    pre_delete.connect(_case_deleted, sender=Case, dispatch_uid="exchange_case_deleted")
