"""sdmx1 reads the public SDMX structure and data; every series key fits the DSD."""

from __future__ import annotations

import io
import json

import sdmx

FLOW = "/sdmx/rest/data/MATIS,TIP_STATISTICS,1.0"


def test_sdmx1_reads_structure_and_data_and_they_fit(client, releases):
    response = client.get("/sdmx/rest/dataflow/MATIS/TIP_STATISTICS/1.0?references=all")
    assert response.status_code == 200
    structure = sdmx.read_sdmx(io.BytesIO(response.content))
    dsd = structure.structure["DSD_TIP_STATISTICS"]
    assert "TIP_STATISTICS" in structure.dataflow
    assert "CS_TIP_STATISTICS" in structure.concept_scheme

    data_response = client.get(f"{FLOW}/all")
    assert data_response.status_code == 200
    message = sdmx.read_sdmx(io.BytesIO(data_response.content), structure=dsd)
    dataset = message.data[0]
    assert dataset.series
    dims = {d.id: d for d in dsd.dimensions.components}
    n_obs = 0
    for key, observations in dataset.series.items():
        for dim_id, kv in key.values.items():
            codelist = dims[dim_id].local_representation.enumerated
            assert codelist is not None and kv.value in codelist, (dim_id, kv.value)
        n_obs += len(observations)
    assert n_obs == len(releases[0].snapshot["observations"])

    csv_response = client.get(f"{FLOW}/all?format=csv")
    assert csv_response["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    header = csv_response.content.decode().splitlines()[0].split(",")
    assert header[0] == "DATAFLOW" and header[1:3] == ["INDICATOR", "REF_AREA"]


def test_bad_key_is_a_clear_400(client, releases):
    response = client.get(f"{FLOW}/A.B")
    assert response.status_code == 400
    assert b"dimensions" in response.content


def test_dcat_catalogue_lists_the_published_release_only(client, releases):
    body = json.loads(client.get("/public/catalog.jsonld").content)
    assert [d["dct:identifier"] for d in body["dcat:dataset"]] == ["tip-statistics/v1"]


def test_sdmx1_reads_structure_specific_data(client, releases):
    structure = sdmx.read_sdmx(
        io.BytesIO(client.get("/sdmx/rest/dataflow/MATIS/TIP_STATISTICS/1.0").content)
    )
    dsd = structure.structure["DSD_TIP_STATISTICS"]
    by_param = client.get(f"{FLOW}/all?format=structurespecificdata")
    by_accept = client.get(
        f"{FLOW}/all",
        HTTP_ACCEPT="application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    )
    for response in (by_param, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.sdmx.structurespecificdata")
        message = sdmx.read_sdmx(io.BytesIO(response.content), structure=dsd)
        dataset = message.data[0]
        assert type(dataset).__name__ == "StructureSpecificDataSet"
        values = {}
        for key, observations in dataset.series.items():
            for obs in observations:
                full = {k: kv.value for k, kv in key.values.items()}
                full["TIME_PERIOD"] = obs.dimension.values["TIME_PERIOD"].value
                values[tuple(sorted(full.items()))] = (obs.value, obs.attached_attribute)
        assert len(values) == len(releases[0].snapshot["observations"])
        totals = [
            v
            for k, v in values.items()
            if dict(k)["REF_AREA"] == "THA"
            and all(
                val == "_T" or val == "_Z"
                for d, val in k
                if d not in ("INDICATOR", "REF_AREA", "TIME_PERIOD")
            )
        ]
        assert any(float(value) == 120 for value, _ in totals)
        confidential = [a["CONF_STATUS"].value for _, a in values.values()]
        assert "A" in confidential and "D" in confidential
        assert "987654" not in response.content.decode()
