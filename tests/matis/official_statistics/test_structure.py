"""The data structure is data: loaded idempotently, extended by an administrator without code."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from stats_helpers import import_csv

from matis.official_statistics.io.writers import excel_template
from matis.official_statistics.loader import StructureError, load_structure, validate_structure
from matis.official_statistics.models import (
    Code,
    CodeList,
    Dimension,
    IndicatorDimension,
    Observation,
    StatisticalIndicator,
)


@pytest.mark.django_db
def test_structure_is_loaded_and_reloading_changes_nothing():
    assert StatisticalIndicator.objects.count() == 13  # loaded after migrate
    assert {
        "VICTIMS_DETECTED",
        "PERSONS_FORMAL_CONTACT",
        "PERSONS_PROSECUTED",
        "PERSONS_CONVICTED",
        "OFFENCES",
        "VICTIMS_REPATRIATED",
        "VICTIMS_ASSISTED",
        "VICTIMS_DETAINED",
        "REFERRALS",
        "REINTEGRATION_CLOSED",
        "DAYS_TO_RETURN",  # the three figures from records
        "INVESTIGATIONS_OPENED",
        "VICTIMS_COMPENSATED",
    } == set(StatisticalIndicator.objects.values_list("code", flat=True))
    assert (
        Code.objects.get(code_list__code="CL_FORM", code="FORCED_CRIMINALITY").parent.code
        == "OTHER"
    )
    assert str(load_structure()).endswith("already loaded, nothing changed")


@pytest.mark.django_db
def test_an_administrators_edit_survives_a_reload_unless_update():
    StatisticalIndicator.objects.filter(code="REFERRALS").update(name_en="Referrals to services")
    load_structure()
    assert StatisticalIndicator.objects.get(code="REFERRALS").name_en == "Referrals to services"
    result = load_structure(update=True)
    assert (
        result.updated == 1
        and StatisticalIndicator.objects.get(code="REFERRALS").name_en == "Referrals"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["indicators"][0]["dimensions"].append("NOPE"), "unknown dimension NOPE"),
        (
            lambda d: d["code_lists"][0]["codes"].append({"code": "F", "name_en": "x"}),
            "duplicate code F",
        ),
        (lambda d: d["rules"][0].update(left_side="valu"), "rules[0] left_side"),
        (lambda d: d["dimensions"][0].update(code_list="CL_NONE"), "unknown code list CL_NONE"),
    ],
)
def test_a_malformed_structure_file_names_the_entry(mutate, message):
    from matis.official_statistics.loader import read_structure

    data = read_structure()
    mutate(data)
    with pytest.raises(StructureError) as caught:
        validate_structure(data)
    assert message in str(caught.value)


@pytest.mark.django_db
def test_an_administrator_adds_an_indicator_and_a_code_without_code_changes():
    # What the admin site does: rows, no code.
    sex = Dimension.objects.get(code="SEX")
    Code.objects.create(code_list=sex.code_list, code="NONBINARY", name_en="Non-binary", order=9)
    places = CodeList.objects.create(code="CL_PLACE", name_en="Place of detection")
    Code.objects.create(
        code_list=places,
        code="BORDER",
        name_en="Border checkpoint",
        source_labels="At the border\nBorder",
    )
    place = Dimension.objects.create(code="PLACE", name_en="Place of detection", code_list=places)
    indicator = StatisticalIndicator.objects.create(
        code="SCAM_COMPOUND_RESCUES", name_en="Persons rescued from scam compounds"
    )
    IndicatorDimension.objects.create(indicator=indicator, dimension=sex)
    IndicatorDimension.objects.create(indicator=indicator, dimension=place)

    result = import_csv(
        [
            ["SCAM_COMPOUND_RESCUES", "THA", "2023", "NONBINARY", "border", "3"],
            ["SCAM_COMPOUND_RESCUES", "THA", "2023", "", "", "412"],
        ],
        header=("indicator", "country", "year", "sex", "place", "value"),
    )
    assert result.n_created == 2
    assert Observation.objects.filter(series_key="PLACE=BORDER|SEX=NONBINARY").exists()
    book = load_workbook(io.BytesIO(excel_template()))
    assert "place" in [c.value for c in book["Data"][1]]
    assert "SCAM_COMPOUND_RESCUES" in [c.value for c in book["Indicators"]["A"]]


@pytest.mark.django_db
def test_admin_pages_for_the_structure(client, make_user):
    admin = make_user(role="administrator", country=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in [
        "/admin/statistics/statisticalindicator/",
        "/admin/statistics/codelist/",
        f"/admin/statistics/codelist/{CodeList.objects.get(code='CL_SEX').pk}/change/",
        "/admin/statistics/validationrule/add/",
        "/admin/statistics/observation/",
        "/admin/statistics/submission/",
    ]:
        assert client.get(url).status_code == 200, url
