"""Background jobs of the common app (django_tasks)."""

from django_tasks import task

from matis.common.demo import run_pending_demo_jobs


@task()
def run_demo_jobs() -> int:
    """Prepare the queued background parts of the demo data (matis.common.demo)."""
    return run_pending_demo_jobs()
