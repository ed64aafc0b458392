"""Background job: send the outbox and pull alerts (the worker runs it; the CLI does the same)."""

from __future__ import annotations

import logging

from django_tasks import task

from matis.exchange import conf

logger = logging.getLogger(__name__)


@task()
def push_outbox(country_id: str | None = None) -> dict:
    """Send what is due, pull alerts and relayed items; what failed waits for the next run."""
    from matis.exchange.relay import RelayUnavailable, relay_pull
    from matis.exchange.services import alerts_pull, outbox_push
    from matis.exchange.transport import HubUnreachable

    result = outbox_push(country_id=country_id).as_dict()
    country = country_id or conf.national_country()
    if country and not result["unreachable"]:
        try:
            result["new_alerts"] = alerts_pull(country_id=country)
            result["relay_applied"] = relay_pull(country_id=country)
        except (HubUnreachable, RelayUnavailable) as exc:
            logger.warning("alerts or relay items not pulled: %s", exc)
    logger.info("exchange push: %s", result)
    return result
