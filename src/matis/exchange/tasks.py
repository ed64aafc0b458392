"""Background jobs: send the outbox and pull alerts (national); match tokens (hub)."""

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


@task()
def run_match(run_id: int) -> str:
    """Hub: one matching run (pending tokens against the stored ones, blocked; alerts)."""
    from matis.common.jobs import JobStatus
    from matis.exchange.hub import match_run_execute
    from matis.exchange.models import MatchRun

    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None or run.status != JobStatus.QUEUED:
        return str(run.status) if run else "missing"
    run = match_run_execute(run)
    return "busy" if run.phase == "busy" else str(run.status)
