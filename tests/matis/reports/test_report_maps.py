"""The annual report's maps: the same Vega-Lite specs as the dashboards, rendered into the PDF.

The PDF page with the maps is turned into a PNG (pdftoppm) and the colours of
the drawn data (the Sankey's stage colours, the route lines, the province
colours) are counted there: a map or Sankey that failed to render leaves none.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import translation
from PIL import Image

from matis.common import maps
from matis.plans.models import Plan
from matis.reports.builder import build_report
from matis.reports.builder.maps import case_places
from matis.reports.services import annual_report_render, annual_report_request

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
        reason="poppler-utils is not installed",
    ),
]


@pytest.fixture
def cases_2013(scenario):
    """The demo's synthetic cases, opened in 2013 (the scenario's last year)."""
    from matis.access.demo import load_demo as load_access_demo
    from matis.cases.demo import load_demo as load_cases_demo
    from matis.cases.models import Case

    load_access_demo()
    load_cases_demo(300)
    Case.objects.update(opened_on=dt.date(2013, 6, 1))
    thai = list(Case.objects.filter(country_id="THA").values_list("pk", flat=True))
    # where they were identified: Bangkok for two in three, Chiang Mai for the rest
    Case.objects.filter(pk__in=thai[::3]).update(place_of_identification_id="TH-50")
    Case.objects.filter(pk__in=[pk for pk in thai if pk not in thai[::3]]).update(
        place_of_identification_id="TH-10"
    )
    return scenario


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _count_near(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    target = _hex(colour)
    return sum(
        n
        for n, pixel in image.getcolors(maxcolors=1 << 20)
        if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], target, strict=True))
    )


def test_report_pdf_page_shows_the_map_and_the_sankey(cases_2013, settings, tmp_path):
    # a threshold of 5 (the demo is small): the routes and provinces of 5 cases or more are drawn
    settings.MATIS_DISCLOSURE = {"min_cell": 5, "protection": None}
    from matis.common.models import Country

    provinces, routes = case_places(list(Country.objects.filter(iso3="THA")), 2013)
    assert sum(routes.values()) > 0 and sum(provinces.values()) > 0
    released = maps.released_counts(routes)
    assert sum(isinstance(n, int) for n in released.values()) >= 2  # routes drawn
    assert any(isinstance(n, str) for n in released.values())  # and small ones not
    with translation.override("en"):
        content = build_report(plan=Plan.objects.get(code="SPA3"), year=2013)
    section = next(s for s in content.sections if s.anchor == "maps")
    assert len(section.charts) == 3
    assert all(
        str(img).startswith("<img") and "image/png;base64" in str(img) for img in section.charts
    )

    report = annual_report_request(actor=None, year=2013, language="th", enqueue=False)
    report = annual_report_render(report_id=report.pk)
    pdf = report.pdf_file.path
    pages = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], check=True, capture_output=True, text=True
    ).stdout.split("\f")
    with translation.override("th"):
        heading = _maps_heading()
    found = [i + 1 for i, text in enumerate(pages) if heading in text]
    assert found, heading
    first = found[-1]  # the section itself (the table of contents names it first)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            str(first),
            "-l",
            str(first + 2),
            pdf,
            tmp_path / "p",
        ],
        check=True,
    )
    images = [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("p-*.png"))]
    assert images
    sankey_origin = sum(_count_near(im, maps.STAGE_COLOURS["origin"]) for im in images)
    sankey_destination = sum(_count_near(im, maps.STAGE_COLOURS["destination"]) for im in images)
    land = sum(_count_near(im, maps.EMPTY_FILL, tolerance=3) for im in images)
    provinces_blue = sum(_count_near(im, "#08306b", tolerance=60) for im in images)
    assert sankey_origin > 50, sankey_origin  # the Sankey's origin column
    assert sankey_destination > 50, sankey_destination  # its destinations and the route lines
    assert land > 2000, land  # the countries drawn on the map
    assert provinces_blue > 20, provinces_blue  # Bangkok coloured on the province map
    # and a blank page has none of them
    blank = Image.new("RGB", (200, 200), "white")
    assert _count_near(blank, maps.STAGE_COLOURS["origin"]) == 0


def _maps_heading() -> str:
    from django.utils.translation import gettext as _

    return _("Maps: identification and routes")
