from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class CooperationConfig(AppConfig):
    name = "matis.cooperation"
    label = "cooperation"
    verbose_name = _("Cross-border cooperation")
    nav_items = (
        NavItem(
            "cooperation:detention_list",
            _("Detention notices"),
            "cooperation.view_detention_notices",
        ),
        NavItem("cooperation:assessment_list", _("Assessments"), "cooperation.view_assessments"),
        NavItem("cooperation:decision_list", _("SOM/IMM decisions"), "cooperation.view_decisions"),
        NavItem(
            "cooperation:decision_tracking",
            _("Decision follow-up"),
            "cooperation.track_decisions",
            available="matis.exchange.conf.is_hub",
        ),
    )

    def ready(self) -> None:
        """Declare the relay kinds this app sends and receives (fields = the minimum)."""
        from matis.cooperation.inbox import register_inbox_sources

        register_inbox_sources()

        from matis.cooperation import services as s
        from matis.exchange.relay import register_relay_kind

        register_relay_kind(
            s.KIND_NOTICE,
            receive=s.detention_notice_receive,
            fields=s.PERSONAL_NOTICE_FIELDS,
            personal=True,
        )
        register_relay_kind(
            s.KIND_NOTICE_BASIC,
            receive=s.detention_notice_receive,
            fields=s.BASIC_NOTICE_FIELDS,
            personal=False,
        )
        register_relay_kind(
            s.KIND_ACK, receive=s.detention_ack_receive, fields=s.ACK_FIELDS, personal=False
        )
        register_relay_kind(
            s.KIND_STATUS,
            receive=s.detention_status_receive,
            fields=s.STATUS_FIELDS,
            personal=False,
        )
        register_relay_kind(
            s.KIND_ASSESSMENT,
            receive=s.assessment_receive,
            fields=s.ASSESSMENT_FIELDS,
            personal=False,
        )
