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


@pytest.fixture
def places_2013():
    """Thai cases (factories) placed in detention and returned in 2013; one without consent."""
    from matis.access.models import Role, User
    from matis.cases.choices import ConsentPurpose, PlacementKind
    from matis.cases.models import ConsentEvent, Facility, Placement
    from matis.cases.test_factories import make_case
    from matis.returns.models import Repatriation

    worker = User.objects.create_user(
        email="maps.worker@factory.example", password=None, role=Role.CASE_WORKER, country_id="THA"
    )
    centre = Facility.objects.create(
        country_id="THA",
        name="Detention centre (synthetic)",
        kind=PlacementKind.IMMIGRATION_DETENTION,
        subdivision_id="TH-10",
    )
    station = Facility.objects.create(
        country_id="THA",
        name="Police station (synthetic)",
        kind=PlacementKind.POLICE_CUSTODY,
        subdivision_id="TH-50",
    )
    camp = Facility.objects.create(
        country_id="THA",
        name="Holding centre (synthetic)",
        kind=PlacementKind.IMMIGRATION_DETENTION,
        subdivision_id="TH-40",
    )
    shelter = Facility.objects.create(
        country_id="THA", name="Shelter (synthetic)", kind=PlacementKind.SHELTER
    )
    # (facility, destination of the return, statistics consent) for each case
    plan = (
        [(centre, "MMR", True)] * 6
        + [(station, "LAO", True)] * 2
        + [(camp, "VNM", True)] * 7
        + [(shelter, "MMR", True)] * 3  # a shelter is not detention
        + [(centre, "MMR", False)] * 4  # no consent: not counted
    )
    for i, (facility, destination, consent) in enumerate(plan):
        case = make_case("THA", f"Maps{i:03d}")
        if consent:
            ConsentEvent.objects.create(
                case=case,
                purpose=ConsentPurpose.STATISTICS,
                given=True,
                language="th",
                recorded_by=worker,
            )
        Placement.objects.create(
            case=case,
            kind=facility.kind,
            facility=facility,
            voluntary=False,
            start_date=dt.date(2013, 3, 1),
            recorded_by=worker,
        )
        Repatriation.objects.create(
            reference=f"RT-MAPS-{i:03d}",
            case=case,
            sending_country_id="THA",
            receiving_country_id=destination,
            sending_agency=case.agency,
            identified_on=dt.date(2013, 2, 1),
            requested_on=dt.date(2013, 2, 1),
            returned_on=dt.date(2013, 5, 1),
            status="completed",
        )


def _drawn_specs(monkeypatch) -> list[dict]:
    """The specs the section renders (each still rendered by vl-convert)."""
    from matis.reports.builder import maps as report_maps

    specs, render = [], report_maps.render_img

    def spy(spec, **kwargs):
        specs.append(spec)
        return render(spec, **kwargs)

    monkeypatch.setattr(report_maps, "render_img", spy)
    return specs


def _map_values(spec: dict) -> dict[str, tuple]:
    shapes = spec["layer"][0]["data"]["values"]
    return {
        f["properties"]["code"]: (f["properties"]["value"], f["properties"]["shown"])
        for f in shapes
    }


def test_detention_and_returns_maps_count_consenting_records_small_ones_not_shown(
    places_2013, settings, monkeypatch
):
    from matis.common.models import Country
    from matis.reports.builder.maps import detention_places, maps_section, return_destinations

    settings.MATIS_DISCLOSURE = {"min_cell": 5, "protection": None}
    thailand = list(Country.objects.filter(iso3="THA"))
    detention, level = detention_places(thailand, 2013)
    assert (dict(detention), level) == ({"TH-10": 6, "TH-50": 2, "TH-40": 7}, "province")
    assert return_destinations(thailand, 2013) == {"MMR": 9, "LAO": 2, "VNM": 7}
    assert not detention_places(thailand, 2014)[0] and not return_destinations(thailand, 2014)
    specs = _drawn_specs(monkeypatch)
    with translation.override("en"):
        section = maps_section(thailand, 2013)
    assert len(section.charts) == len(specs) == 5
    assert all("image/png;base64" in str(img) for img in section.charts)
    detention_map, returns_map = specs[3], specs[4]
    assert detention_map["title"] == "Placements in detention, 2013"
    drawn = _map_values(detention_map)
    # below the threshold: "<5"; the next smallest hidden too, or the total would give it away
    assert drawn["TH-40"][0] == 7 and drawn["TH-50"] == (None, "<5")
    assert drawn["TH-10"] == (None, "x") and drawn["TH-57"][0] is None
    assert all(code.startswith("TH-") for code in drawn)
    assert returns_map["title"] == "Returns by country returned to, 2013"
    drawn = _map_values(returns_map)
    assert drawn["MMR"][0] == 9 and drawn["LAO"] == (None, "<5") and drawn["VNM"] == (None, "x")
    assert drawn["KHM"][0] is None


def test_a_place_without_a_province_puts_the_detention_map_at_country_level(places_2013):
    from matis.cases.models import Facility
    from matis.common.models import Country
    from matis.reports.builder.maps import detention_places

    Facility.objects.filter(subdivision_id="TH-50").update(subdivision=None)
    detention, level = detention_places(list(Country.objects.filter(iso3="THA")), 2013)
    assert (dict(detention), level) == ({"THA": 15}, "country")


def test_no_detention_or_returns_map_without_records(settings, monkeypatch):
    from matis.common.models import Country
    from matis.reports.builder.maps import maps_section

    specs = _drawn_specs(monkeypatch)
    with translation.override("en"):
        section = maps_section(list(Country.objects.filter(iso3="THA")), 2013)
    assert len(section.charts) == 3  # identification map, route map, Sankey: nothing else
    assert not any("detention" in (s.get("title") or "") for s in specs)
    assert not any("Returns" in (s.get("title") or "") for s in specs)


def test_the_detention_map_counts_the_placement_province_before_its_place(places_2013):
    from matis.cases.models import Facility, Placement
    from matis.common.models import Country
    from matis.reports.builder.maps import detention_places

    # the police station has no province of its own; its placements record where they were
    Facility.objects.filter(subdivision_id="TH-50").update(subdivision=None)
    Placement.objects.filter(facility__name="Police station (synthetic)").update(
        province_id="TH-57"
    )
    detention, level = detention_places(list(Country.objects.filter(iso3="THA")), 2013)
    assert (dict(detention), level) == ({"TH-10": 6, "TH-57": 2, "TH-40": 7}, "province")
