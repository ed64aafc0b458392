"""Writes of the cooperation app: ``<entity>_<verb>(*, actor, ...)``, atomic, audited.

Relay ``receive`` handlers (``*_receive(envelope)``) run on the recipient
instance inside the relay's transaction; raising refuses the item.
"""

from matis.cooperation.services.assessments import (
    ASSESSMENT_FIELDS,
    KIND_ASSESSMENT,
    assessment_approve,
    assessment_attach,
    assessment_create,
    assessment_receive,
    assessment_return,
    assessment_submit,
)
from matis.cooperation.services.common import CooperationError
from matis.cooperation.services.decisions import (
    ActionReportRefused,
    action_status_receive,
    action_status_report,
    decision_record,
    decisions_pull,
)
from matis.cooperation.services.detention import (
    ACK_FIELDS,
    BASIC_NOTICE_FIELDS,
    KIND_ACK,
    KIND_NOTICE,
    KIND_NOTICE_BASIC,
    KIND_STATUS,
    PERSONAL_NOTICE_FIELDS,
    STATUS_FIELDS,
    auto_notify_enabled,
    detention_ack_receive,
    detention_consent_changed,
    detention_notice_acknowledge,
    detention_notice_receive,
    detention_notice_send,
    detention_notice_send_basic,
    detention_status_receive,
    detention_status_record,
    notifiable_nationality,
    placement_recorded,
)

__all__ = [
    "ACK_FIELDS",
    "ASSESSMENT_FIELDS",
    "BASIC_NOTICE_FIELDS",
    "KIND_ACK",
    "KIND_ASSESSMENT",
    "KIND_NOTICE",
    "KIND_NOTICE_BASIC",
    "KIND_STATUS",
    "PERSONAL_NOTICE_FIELDS",
    "STATUS_FIELDS",
    "ActionReportRefused",
    "CooperationError",
    "action_status_receive",
    "action_status_report",
    "assessment_approve",
    "assessment_attach",
    "assessment_create",
    "assessment_receive",
    "assessment_return",
    "assessment_submit",
    "auto_notify_enabled",
    "decision_record",
    "decisions_pull",
    "detention_ack_receive",
    "detention_consent_changed",
    "detention_notice_acknowledge",
    "detention_notice_receive",
    "detention_notice_send",
    "detention_notice_send_basic",
    "detention_status_receive",
    "detention_status_record",
    "notifiable_nationality",
    "placement_recorded",
]
