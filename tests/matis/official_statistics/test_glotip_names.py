"""GLOTIP files name one country in many forms; every form the alias table knows is stored.

The test file is the real UNODC export (``data/glotip_COMMIT6.csv``, a byte copy
of ``/work/shared/data/ext/data_glotip_COMMIT6.csv``): its citizenship rows are
copied and only the way the country is written changes. The expected code of
each form is written out here by hand, not taken from the alias data.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from stats_helpers import glotip_rows

from matis.common.importing import ImportRejected
from matis.official_statistics.models import Observation
from matis.official_statistics.services import observations_import

# How the published file writes the COMMIT citizenships (read off the file).
PUBLISHED_FORMS = {
    "Myanmar": "MMR",
    "Burmese": "MMR",
    "Myanmar Nation": "MMR",
    "Cambodian": "KHM",
    "Cambodia": "KHM",
    "Laotian": "LAO",
    "Lao People's Democratic Republic": "LAO",
    "Vietnamese": "VNM",
    "Viet Nam": "VNM",
    "Thailand": "THA",
    "Thai": "THA",
    "China": "CHN",
    "Chinese": "CHN",
}
# Other ways UN and national documents write them: UN short names, demonyms,
# historical names, French/Spanish/Russian/Chinese/Arabic and national names.
OTHER_FORMS = {
    "VNM": [
        "Viet Nam",
        "Vietnam",
        "Vietnamese",
        "Việt Nam",
        "Viêt Nam",
        "越南",
        "Вьетнам",
        "VIET-NAM",
    ],
    "MMR": ["Burma", "Myanmar", "Burmese", "Birmanie", "缅甸", "Мьянма", "မြန်မာ"],
    "KHM": ["Cambodia", "Cambodian", "Kampuchea", "Cambodge", "Camboya", "柬埔寨", "កម្ពុជា"],
    "LAO": ["Lao People’s Democratic Republic", "Laos", "Lao", "Laotian", "Lao PDR", "ລາວ"],
    "THA": ["Thailand", "Thai", "Siam", "Thaïlande", "Tailandia", "泰国", "ไทย"],
    "CHN": ["China", "Chinese", "Chine", "中国", "Китай", "الصين"],
}
COUNTRY_FORMS = {
    "VNM": ["Viet Nam", "Vietnam", "Việt Nam"],
    "LAO": ["Lao People's Democratic Republic", "Laos", "Lao PDR"],
    "MMR": ["Myanmar", "Burma"],
    "KHM": ["Cambodia", "Kampuchea"],
    "THA": ["Thailand", "Siam"],
    "CHN": ["China", "People's Republic of China"],
}


def _citizenship_rows() -> list[dict]:
    return [
        r
        for r in glotip_rows()
        if r["Dimension"] == "by citizenship" and r["Category"] in PUBLISHED_FORMS
    ]


def _file(rows: list[dict]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def _varied_rows() -> tuple[list[dict], Counter]:
    rows, expected, seen = [], Counter(), Counter()
    for row in _citizenship_rows():
        iso3 = PUBLISHED_FORMS[row["Category"]]
        forms = OTHER_FORMS[iso3]
        names = COUNTRY_FORMS[row["Iso3_code"]]
        i, j = seen[iso3], seen[row["Iso3_code"], "country"]
        seen[iso3] += 1
        seen[row["Iso3_code"], "country"] += 1
        rows.append({**row, "Category": forms[i % len(forms)], "Country": names[j % len(names)]})
        expected[(row["Iso3_code"], iso3)] += 1
    return rows, expected


@pytest.mark.django_db
def test_every_form_of_a_citizenship_is_stored():
    rows, expected = _varied_rows()
    assert len(rows) >= 90  # the export's COMMIT citizenship rows
    used = {r["Category"] for r in rows}
    assert {"Viet Nam", "Vietnam", "Vietnamese", "Việt Nam", "Burma", "Kampuchea"} <= used

    result = observations_import(actor=None, source=_file(rows), fmt="glotip")

    assert result.n_created == len(rows)
    stored = Observation.objects.filter(series_key__contains="CITIZENSHIP=")
    assert stored.count() == len(rows)
    by_code = Counter(
        (o.country_id, dict(p.split("=") for p in o.series_key.split("|"))["CITIZENSHIP"])
        for o in stored
    )
    assert by_code == expected


@pytest.mark.django_db
def test_the_varied_file_stores_what_the_published_one_does():
    """Same cells, same values: the form of a name changes nothing."""
    published = _citizenship_rows()
    observations_import(actor=None, source=_file(published), fmt="glotip")
    first = sorted(
        Observation.objects.values_list(
            "indicator_id", "country_id", "period", "series_key", "value", "censored_below"
        )
    )
    Observation.objects.all().delete()
    rows, _expected = _varied_rows()
    observations_import(actor=None, source=_file(rows), fmt="glotip")
    second = sorted(
        Observation.objects.values_list(
            "indicator_id", "country_id", "period", "series_key", "value", "censored_below"
        )
    )
    assert second == first


@pytest.mark.django_db
def test_an_unknown_name_rejects_the_file_with_its_line_and_a_suggestion():
    rows, _expected = _varied_rows()
    rows[6] = {**rows[6], "Category": "Vietnamm"}  # line 8 of the file (header is line 1)
    rows[9] = {**rows[9], "Category": "Atlantis"}
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=_file(rows), fmt="glotip")
    problems = {p.line: p for p in caught.value.errors}
    assert set(problems) == {8, 11}
    assert problems[8].column == "Category"
    assert "Vietnamm" in problems[8].message
    assert "(VNM)" in problems[8].message  # the nearest known names, with their code
    assert "Atlantis" in problems[11].message
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_a_country_name_that_contradicts_the_code_is_refused():
    rows, _expected = _varied_rows()
    rows[0] = {**rows[0], "Country": "Laos" if rows[0]["Iso3_code"] != "LAO" else "Siam"}
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=_file(rows), fmt="glotip")
    (problem,) = caught.value.errors
    assert (problem.line, problem.column) == (2, "Country")
    assert rows[0]["Iso3_code"] in problem.message
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_a_deactivated_alias_no_longer_matches():
    from matis.common.aliases import alias_key
    from matis.common.models import CountryAlias

    CountryAlias.objects.filter(key=alias_key("Burma")).update(is_active=False)
    rows, _expected = _varied_rows()
    burma_lines = [i + 2 for i, r in enumerate(rows) if r["Category"] == "Burma"]
    assert burma_lines
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=_file(rows), fmt="glotip")
    assert {p.line for p in caught.value.errors} >= set(burma_lines)
