"""MATIS_LINKAGE_BACKEND=spark runs the hub's batch matching on Spark (local mode)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (the optional Spark backend)")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH: Spark needs Java 17+", allow_module_level=True)

pytestmark = pytest.mark.slow


@pytest.mark.django_db
def test_batch_rematch_on_spark_finds_what_duckdb_finds(
    person_case, consent, local_transports, settings
):
    from matis.exchange.hub import _backend, rematch_all
    from matis.exchange.models import HubAlert
    from matis.exchange.services import outbox_push

    dob = dt.date(1999, 2, 4)  # synthetic people
    pairs = [("Sokha", "Chan", "សុខា", "ចាន់"), ("Mai", "Lin", "ម៉ៃ", "លីន")]
    for latin_given, latin_family, khmer_given, khmer_family in pairs:
        tha = person_case("THA", given=latin_given, family=latin_family, dob=dob)
        khm = person_case("KHM", given=khmer_given, family=khmer_family, dob=dob)
        consent(tha, "cross_border", "KHM")
        consent(khm, "cross_border", "THA")
    outbox_push(transport_factory=local_transports)
    found_at_receipt = set(HubAlert.objects.values_list("newer_token", "earlier_token"))
    assert len(found_at_receipt) == 2
    HubAlert.objects.all().delete()

    settings.MATIS_LINKAGE_BACKEND = "spark"
    backend = _backend()
    assert type(backend).__name__ == "SparkBackend"
    try:
        assert rematch_all() == 2
    finally:
        backend.spark.stop()
    assert set(HubAlert.objects.values_list("newer_token", "earlier_token")) == found_at_receipt
