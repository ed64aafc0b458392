"""The content of the annual monitoring report, computed from approved monitoring data.

:func:`build_report` gathers everything in a fixed number of queries (whatever
the number of countries, activities or indicators) and returns a
``AnnualReportContent`` that the template turns into HTML, for the web and for PDF.
Only approved activity reports count; reports still in the workflow are
listed in the data notes as not counted.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from matis.common.calendars import display_date, display_year, display_year_range
from matis.common.i18n import local_text
from matis.common.models import COMMIT_COUNTRIES
from matis.exchange import conf as exchange_conf
from matis.monitoring.dashboards import load_monitoring_data
from matis.monitoring.models import BudgetKind
from matis.plans.models import Plan
from matis.reports.builder.common import (
    AnnualReportContent,
    Section,
    completion_rate,
    pct,
    rate,
    usd,
)
from matis.reports.builder.final import end_of_plan_section, impact_section
from matis.reports.builder.indicators import indicator_section, indicator_values, npa_section
from matis.reports.builder.maps import maps_section
from matis.reports.builder.progress import (
    annex_section,
    budget_section,
    notes_section,
    priority_section,
    progress_by_area,
    progress_by_country,
    summary_lines,
)
from matis.reports.builder.received import received_section
from matis.reports.builder.statistics import records_statistics_section

__all__ = ["AnnualReportContent", "Section", "build_report"]


def build_report(*, plan: Plan, year: int, country_id: str | None = None) -> AnnualReportContent:
    """Everything the annual report for ``year`` shows (in the active language)."""
    countries = [country_id] if country_id else list(COMMIT_COUNTRIES)
    years = list(range(plan.start_year, year + 1))
    data = load_monitoring_data(plan, years=years, countries=countries)
    country = data.countries[0] if country_id else None
    is_final = year == plan.end_year
    where = country.display_name if country else _("the six COMMIT governments")
    title = _("Annual monitoring report %(year)s") % {"year": display_year(year)}
    subtitle = _("Implementation of %(plan)s (%(span)s) by %(where)s") % {
        "plan": str(local_text(plan, "name")),
        "span": display_year_range(plan.start_year, plan.end_year),
        "where": where,
    }

    overall = data.completion(year=year)
    priority = data.completion(year=year, priority=True)
    allocation = data.usd(kind=BudgetKind.ALLOCATION, year=year)
    spending = data.usd(kind=BudgetKind.SPENDING, year=year)
    partner = data.usd(kind=BudgetKind.PARTNER, year=year)
    pending = sum(n for (c, y), n in data.pending.items() if y == year)
    indicators = indicator_values(plan, year, countries)

    key_figures = [
        (_("Activities completed"), pct(completion_rate(overall))),
        (_("Priority activities completed"), pct(completion_rate(priority))),
        (_("Government spending (USD)"), usd(spending)),
        (_("Indicator targets met"), pct(rate(indicators["met"], indicators["with_target"]))),
    ]
    summary = summary_lines(
        data, year, overall, priority, allocation, spending, partner, pending, indicators
    )
    sections = [
        progress_by_area(data, year),
        progress_by_country(data, year),
        priority_section(data, year),
        budget_section(data, year),
        indicator_section(indicators, data, year),
        records_statistics_section(data.countries, year),
        maps_section(data.countries, year),
        npa_section(countries),
    ]
    if is_final:
        sections.append(end_of_plan_section(data, year))
        sections.append(impact_section(indicators, data))
    if country_id is None and exchange_conf.is_hub():  # the regional report: who sent what
        sections.append(received_section(plan, year))
    sections.append(annex_section(data, year))
    sections.append(notes_section(data, year, pending))
    content = AnnualReportContent(
        title=title,
        subtitle=subtitle,
        year=year,
        year_label=display_year(year),
        plan=plan,
        country=country,
        generated_on=display_date(timezone.localdate()),
        synthetic=data.synthetic,
        is_final_year=is_final,
        key_figures=key_figures,
        summary=summary,
        sections=sections,
    )
    content.n_tables = sum(len(s.tables) for s in sections)
    return content
