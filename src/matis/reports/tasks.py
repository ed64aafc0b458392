"""Background jobs of the reports app (django_tasks)."""

from django_tasks import task

from matis.reports.services import annual_report_render


@task()
def render_annual_report(report_id: int) -> int:
    """Render a requested annual report; progress is kept on the AnnualReport row."""
    report = annual_report_render(report_id=report_id)
    return report.pages or 0
