"""Demo data: each app may name a ``demo_loader`` on its AppConfig; they run in ``demo_order``.

Every loader is idempotent (a second run changes nothing) and generates its
synthetic data by code, with a fixed random seed.

A loader whose AppConfig also sets ``demo_background = True`` (the exchange
rounds, the annual report renderings, the analyses) is not run before the demo
answers: :func:`run_demo_loaders` records it as a :class:`~matis.common.models.DemoJob`
and enqueues :func:`run_demo_jobs` for the background worker that ``matis demo``
starts. While such a part is not done, the pages of its app say that their
data are being prepared (:func:`demo_jobs_pending`, ``includes/demo_preparing.html``).
``matis demo --wait`` and :func:`run_pending_demo_jobs` run them at once instead.

A loader may accept ``countries`` (a tuple of alpha-3 codes): a national
instance of the regional demo then loads only its own country's records.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils import timezone

logger = logging.getLogger(__name__)

# The demo's story dates. Synthetic dates are derived from these constants, never from
# the machine's clock, so the demo shows the same dates whenever and wherever it is built.
#
# * The plan and monitoring data lie in the plan period, DEMO_PLAN_YEARS (COMMIT SPA III,
#   2011-2013): each year's reporting round opens on 1 October and closes on 31 March of
#   the next year (monitoring.demo), so the last one closed on 31 March 2014. The 2011 and
#   2012 periods are closed; the 2013 one is past its closing date but not closed, so the
#   secretariat can still review, return and approve its reports (and move its closing
#   date on the periods page to let the task forces submit again).
# * Records of people and events - cases, tips, court cases, returns, exchanges - and the
#   statistics computed from them lie in the recent years before DEMO_TODAY (cases opened
#   in the seven years before it; tips received in the days before it).
#
# What is "now" by its nature stays real: audit rows, the times services stamp on steps
# the loaders take (a statistics submission's submitted and approved times), the demo's
# job bookkeeping, sessions. Deadlines counted from the
# demo's dates (a return's date, a review due) are in the past of the real clock and show
# as overdue, which is true.
DEMO_TODAY = dt.date(2026, 1, 1)
DEMO_PLAN_YEARS = (2011, 2012, 2013)


def demo_today() -> dt.date:
    return DEMO_TODAY


def demo_moment(day: dt.date, hour: int = 12) -> dt.datetime:
    """An aware time on ``day`` (in the instance's time zone), for demo records that need one."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass(frozen=True)
class DemoLoader:
    label: str
    func: Callable
    order: int
    background: bool

    def __iter__(self):  # (label, func), as demo_loaders() returned before
        return iter((self.label, self.func))

    def takes_countries(self) -> bool:
        return "countries" in inspect.signature(self.func).parameters

    def run(self, countries: tuple[str, ...] | None = None) -> str:
        if countries is not None and self.takes_countries():
            return self.func(countries=countries)
        return self.func()


def demo_countries(countries: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The COMMIT countries a demo loader generates records for: all, or those in ``countries``."""
    from matis.common.models import COMMIT_COUNTRIES

    if countries is None:
        return COMMIT_COUNTRIES
    wanted = {c.upper() for c in countries}
    return tuple(c for c in COMMIT_COUNTRIES if c in wanted)


def demo_loaders() -> list[DemoLoader]:
    configs = [c for c in apps.get_app_configs() if getattr(c, "demo_loader", None)]
    configs.sort(key=lambda c: getattr(c, "demo_order", 100))
    loaders = []
    for config in configs:
        module_name, func_name = config.demo_loader.rsplit(".", 1)
        loaders.append(
            DemoLoader(
                label=config.label,
                func=getattr(import_module(module_name), func_name),
                order=getattr(config, "demo_order", 100),
                background=bool(getattr(config, "demo_background", False)),
            )
        )
    # An app may have more parts, each with its own order ({"part": ("module.func", order)}),
    # labelled "<app label>.<part>"; they run in the foreground.
    for config in apps.get_app_configs():
        for part, (dotted, order) in getattr(config, "extra_demo_loaders", {}).items():
            module_name, func_name = dotted.rsplit(".", 1)
            loaders.append(
                DemoLoader(
                    label=f"{config.label}.{part}",
                    func=getattr(import_module(module_name), func_name),
                    order=order,
                    background=False,
                )
            )
    loaders.sort(key=lambda loader: loader.order)  # stable: equal orders keep app order
    return loaders


def run_demo_loaders(
    *,
    progress: Callable[[str], None] = print,
    background: bool = False,
    only: Callable[[DemoLoader], bool] | None = None,
    countries: tuple[str, ...] | None = None,
) -> list[str]:
    """Run the demo loaders; with ``background``, queue the background ones instead.

    Returns the labels queued for the background worker (empty without ``background``).
    ``countries`` is passed to the loaders that take it (the regional demo).
    """
    from matis.common.jobs import JobStatus
    from matis.common.models import DemoJob

    queued = []
    for loader in demo_loaders():
        if only is not None and not only(loader):
            continue
        if background and loader.background:
            job, _created = DemoJob.objects.get_or_create(
                label=loader.label, defaults={"order": loader.order}
            )
            if job.status == JobStatus.DONE:
                progress(f"  {loader.label}: prepared in the background earlier")
                continue
            if job.status != JobStatus.RUNNING:
                DemoJob.objects.filter(pk=job.pk).update(
                    status=JobStatus.QUEUED, error="", done=0, total=0, order=loader.order
                )
            queued.append(loader.label)
            progress(f"  {loader.label}: queued for the background worker")
            continue
        started = time.monotonic()
        result = loader.run(countries)
        progress(f"  {loader.label}: {result} ({time.monotonic() - started:.1f} s)")
        if loader.background:
            _mark_done(loader.label, loader.order, "")
    if queued:
        from matis.common.tasks import run_demo_jobs

        run_demo_jobs.enqueue()
    return queued


def _mark_done(label: str, order: int, result: str) -> None:
    from matis.common.jobs import JobStatus
    from matis.common.models import DemoJob

    now = timezone.now()
    DemoJob.objects.update_or_create(
        label=label,
        defaults={
            "order": order,
            "status": JobStatus.DONE,
            "result": result,
            "finished_at": now,
            "error": "",
        },
    )


def run_pending_demo_jobs(*, progress: Callable[[str], None] | None = None) -> int:
    """Run every queued background demo part now, in demo order; how many ran.

    The background worker runs this (``matis.common.tasks.run_demo_jobs``); tests
    and ``matis demo --wait`` call it directly. A part is claimed by a conditional
    update, so two runners never run the same part.
    """
    from matis.common.jobs import JobStatus
    from matis.common.models import DemoJob

    by_label = {loader.label: loader for loader in demo_loaders()}
    ran = 0
    for job in DemoJob.objects.filter(status=JobStatus.QUEUED).order_by("order", "label"):
        claimed = DemoJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING
        )
        if not claimed:
            continue
        job.refresh_from_db()
        loader = by_label.get(job.label)
        if loader is None:
            job.finish(JobStatus.FAILED, error=f"no demo loader named {job.label!r}")
            continue
        job.start(phase="loading")
        try:
            result = loader.run()
        except Exception as exc:  # the worker goes on with the other parts
            logger.exception("demo part %s failed", job.label)
            job.finish(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            if progress:
                progress(f"  {job.label}: FAILED: {exc}")
            continue
        job.finish(JobStatus.DONE, result=str(result)[:2000])
        ran += 1
        if progress:
            progress(f"  {job.label}: {result}")
    return ran


def demo_jobs_pending(label: str | None = None) -> list:
    """The background demo parts not yet done (of app ``label`` only, if given).

    Failed parts count: their pages say so rather than show empty charts.
    Outside the demo profile there are none and nothing is queried.
    """
    from django.conf import settings

    if settings.ENV != "demo":
        return []
    from matis.common.jobs import JobStatus
    from matis.common.models import DemoJob

    jobs = DemoJob.objects.exclude(status=JobStatus.DONE)
    if label is not None:
        jobs = jobs.filter(label=label)
    return list(jobs)
