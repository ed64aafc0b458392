"""`matis statistics import` prints progress and refuses bad files with their lines."""

from __future__ import annotations

import pytest
from stats_helpers import GLOTIP

from matis.cli import main
from matis.official_statistics.models import Observation


@pytest.mark.django_db
def test_cli_import_dry_run_then_real_then_again(capsys):
    assert main(["statistics", "import", str(GLOTIP), "--format", "glotip", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1595 created" in out and "nothing was written" in out and "reading and checking" in out
    assert not Observation.objects.exists()
    assert (
        main(["statistics", "import", str(GLOTIP), "--format", "glotip", "--country", "VNM"]) == 0
    )
    out = capsys.readouterr().out
    assert "50 rows: 50 created" in out and "1545 rows of other countries skipped" in out
    assert main(["statistics", "import", str(GLOTIP), "--format", "glotip"]) == 0
    assert "1545 created, 0 updated, 50 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_cli_import_of_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,country,year,value\nVICTIMS_DETECTED,THA,2021,12\nVICTIMS_DETECTED,THA,20x1,3\n"
    )
    assert main(["statistics", "import", str(bad), "--format", "csv"]) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "20x1" in err and "nothing was imported" in err
    assert not Observation.objects.exists()
    assert main(["statistics", "import", str(tmp_path / "missing.csv"), "--format", "csv"]) == 2


@pytest.mark.django_db
def test_cli_load_structure_is_idempotent(capsys):
    assert main(["statistics", "load-structure"]) == 0
    assert "already loaded, nothing changed" in capsys.readouterr().out
