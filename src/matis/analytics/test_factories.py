from matis.access.models import Role, User
from matis.analytics.models import Analysis, Dataset
from matis.testing.factories import factory_for


def _author(country: str) -> User:
    author = User.objects.filter(country_id=country, role=Role.STATISTICS_OFFICER).first()
    return author or User.objects.create_user(
        email=f"analyst.{country.lower()}@factory.example",
        password=None,
        role=Role.STATISTICS_OFFICER,
        country_id=country,
    )


@factory_for(Analysis)
def _analysis(country: str, marker: str) -> Analysis:
    return Analysis.objects.create(
        title=f"Analysis {marker}",
        kind="mse",
        source="reference:uk2013-5",
        country_id=country,
        created_by=_author(country),
        status="done",
        tables=[{"name": f"table {marker}", "columns": ["n"], "rows": [[1]]}],
    )


@factory_for(Dataset)
def _dataset(country: str, marker: str) -> Dataset:
    return Dataset.objects.create(
        name=f"Data {marker}",
        country_id=country,
        sha256="0" * 64,
        n_rows=1,
        columns=["a"],
        file="analytics/datasets/none.csv",
        created_by=_author(country),
    )
