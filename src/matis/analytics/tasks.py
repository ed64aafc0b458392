from django_tasks import task

from matis.analytics.services import analysis_run


@task()
def run_analysis_task(analysis_id: int) -> str:
    return str(analysis_run(analysis_id=analysis_id).status)
