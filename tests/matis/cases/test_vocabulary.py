"""The HTCDS vocabulary: the generated choices equal the standard's CSV; exports use its names."""

from __future__ import annotations

import csv
import hashlib

import pytest
from django.utils import translation

from matis.cases import htcds, vocab
from matis.cases.screening import InstrumentError, instruments, parse


def test_bundled_csv_is_the_verbatim_copy_named_in_source_md():
    data = vocab.csv_path().read_bytes()
    source = (vocab.csv_path().parent / "SOURCE.md").read_text()
    assert hashlib.sha256(data).hexdigest() in source
    assert "f8b9919ea618589194515661065353080e7cb82d" in source and "CC BY 4.0" in source


def test_every_generated_choice_matches_the_csv():
    rows = {}
    with vocab.csv_path().open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) > 10 and row[6] in vocab.CHOICE_FIELDS:
                values = [v.strip() for v in row[9].split("\n") if v.strip()]
                labels = [v.strip() for v in row[10].split("\n") if v.strip()]
                rows[row[6]] = list(zip(values, labels, strict=True))
    assert set(rows) == set(vocab.CHOICE_FIELDS)
    with translation.override("en"):
        for full_name, choices in htcds.FIELD_CHOICES.items():
            assert [(v, str(label)) for v, label in choices.choices] == rows[full_name], full_name


def test_generated_module_is_up_to_date():
    """Regenerating from the CSV gives the same classes (the file itself is ruff-formatted)."""
    namespace: dict = {}
    exec(compile(vocab.render_choices_module(), "htcds_generated", "exec"), namespace)  # noqa: S102
    for name, cls in namespace["FIELD_CHOICES"].items():
        assert cls.choices == htcds.FIELD_CHOICES[name].choices


def test_known_fields_and_values():
    fields = vocab.load_fields()
    assert fields["vic_TraffickingStatus"].values == (
        "PossibleVictimOfTrafficking",
        "ActualVictimOfTrafficking",
        "NotAVictimOfTrafficking",
    )
    assert fields["prs_Gender"].core and fields["prs_Gender"].section == "Person"
    assert "" not in fields["spl_Type"].values


@pytest.mark.django_db
def test_htcds_export_uses_only_standard_field_names(world, register_case):
    from matis.cases.export import EXTENSION_PREFIX, case_to_htcds

    case = register_case(
        world.worker,
        languages=["my", "th"],
        documents=[{"doc_type": "passport", "number": "MA0001112"}],
    )
    record = case_to_htcds(case)
    names = vocab.field_names()
    unknown = [k for k in record if k not in names and not k.startswith(EXTENSION_PREFIX)]
    assert not unknown
    assert record["prs_PrimaryLanguage"] == "my" and record["prs_SecondaryLanguage"] == "th"
    assert record["prs_IdentityNumber"] == "MA0001112"
    for key in ("prs_Gender", "vic_TraffickingStatus", "cas_Status"):
        field = vocab.load_fields()[key]
        assert record[key] in (*field.values, None), key


def test_screening_file_errors_name_the_item():
    good = {
        "format": 1,
        "instruments": [
            {
                "slug": "a",
                "thresholds": {"possible": 1, "strong": 2},
                "indicators": [{"code": "x", "weight": 1, "en": "X?"}],
            }
        ],
    }
    assert "a" in parse(good)[0]
    bad = {
        **good,
        "instruments": [
            {**good["instruments"][0], "indicators": [{"code": "x", "weight": 11, "en": "X?"}]}
        ],
    }
    with pytest.raises(InstrumentError, match=r"instrument 1 \(a\), indicator x"):
        parse(bad)
    bad = {
        **good,
        "instruments": [{**good["instruments"][0], "indicators": [{"code": "x", "weight": 1}]}],
    }
    with pytest.raises(InstrumentError, match="English text"):
        parse(bad)
    with pytest.raises(InstrumentError, match="format"):
        parse({"format": 2})


def test_bundled_instruments_load():
    tools = instruments()
    assert {"general", "child", "forced-criminality"} <= set(tools)
    assert any(i.decisive for i in tools["child"].indicators)
    with pytest.raises(InstrumentError):
        tools["general"].score({"no_such_indicator": True})
