"""The annual report shows the approved official statistics, or says there are none."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from matis.official_statistics.models import Submission
from matis.official_statistics.services import (
    observations_import,
    submission_approve,
    submission_submit,
)
from matis.official_statistics.services.records import RECORDS_SOURCE
from matis.plans.models import Plan
from matis.reports.builder import build_report
from matis.reports.render import render_html

pytestmark = pytest.mark.django_db


def _statistics(content):
    return next(s for s in content.sections if s.anchor == "statistics")


def _approve_thailand_2013(make_user, n_victims: int):
    """An approved THA 2013 submission holding figures as the records step stores them."""
    text = (
        "indicator,country,year,value,source\n"
        f"VICTIMS_DETECTED,THA,2013,{n_victims},{RECORDS_SOURCE}\n"
        f"INVESTIGATIONS_OPENED,THA,2013,<11,{RECORDS_SOURCE}\n"
    )
    observations_import(actor=None, source=io.BytesIO(text.encode()), fmt="csv")
    submission = Submission.objects.get(country_id="THA", period=2013)
    first, second = make_user("statistics_officer", "THA"), make_user("statistics_officer", "THA")
    submission_submit(actor=first, submission=submission)
    for violation in submission.violations.filter(severity="warning"):
        violation.comment = "Checked: a new series."
        violation.save()
    submission_approve(actor=second, submission=submission)


def test_national_report_says_no_approved_figures_in_every_language(scenario):
    plan = Plan.objects.get(code="SPA3")
    for language in ("en", "th", "km", "lo", "my", "zh-hans", "vi"):
        with translation.override(language):
            content = build_report(plan=plan, year=2013, country_id="THA")
            section = _statistics(content)
            assert not section.tables
            text = section.paragraphs[0]
            if language == "en":
                assert text.startswith("No approved figures for 2013")
            else:
                assert not text.startswith("No approved figures"), language  # translated
            render_html(content, language=language, for_web=True)


def test_national_report_shows_the_approved_figures(scenario, make_user):
    _approve_thailand_2013(make_user, 1234)
    plan = Plan.objects.get(code="SPA3")
    with translation.override("en"):
        content = build_report(plan=plan, year=2013, country_id="THA")
    table = _statistics(content).tables[0]
    rows = {r["indicator"]: r for r in table.rows}
    assert rows["Detected trafficking victims"]["value"] == "1,234"
    assert rows["Detected trafficking victims"]["source"] == RECORDS_SOURCE
    assert rows["Trafficking investigations opened"]["value"] == "<11"
    assert rows["Victims repatriated"]["value"] == ""  # no approved figure
    html = render_html(content, language="en", for_web=True)
    assert "1,234" in html
    # A draft never shows: the other country has none approved.
    with translation.override("en"):
        regional = build_report(plan=plan, year=2013)
    row = next(
        r for r in _statistics(regional).tables[0].rows if r["indicator"].startswith("Detected")
    )
    assert (row["THA"], row["KHM"]) == ("1,234", "")
