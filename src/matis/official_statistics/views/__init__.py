"""Pages: dashboards (approved data, every user), submissions and imports (own country)."""

from matis.official_statistics.views.common import build_table, observations_file_response
from matis.official_statistics.views.dashboards import (
    completeness,
    context_series,
    dashboard,
    download,
    export,
    indicator_detail,
    indicator_list,
    template_download,
)
from matis.official_statistics.views.imports import (
    import_job,
    import_job_file,
    import_job_status,
    import_upload,
)
from matis.official_statistics.views.records import records_proposal
from matis.official_statistics.views.submissions import (
    observation_detail,
    submission_action,
    submission_comment,
    submission_detail,
    submission_download,
    submission_list,
)

__all__ = [
    "build_table",
    "completeness",
    "context_series",
    "dashboard",
    "download",
    "export",
    "import_job",
    "import_job_file",
    "import_job_status",
    "import_upload",
    "indicator_detail",
    "indicator_list",
    "observation_detail",
    "observations_file_response",
    "records_proposal",
    "submission_action",
    "submission_comment",
    "submission_detail",
    "submission_download",
    "submission_list",
    "template_download",
]
