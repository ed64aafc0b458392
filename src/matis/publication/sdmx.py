"""SDMX 2.1 from a release's snapshot: the structure (SDMX-ML), the data (SDMX-ML Generic
data and SDMX-CSV 1.0). Nothing here reads a working table.

The data structure definition is generated from the structure MATIS holds as
data (``official_statistics.models.structure``), frozen with each release:
one dimension per indicator, country (REF_AREA) and MATIS dimension, then
TIME_PERIOD. A breakdown a series does not take is ``_Z``; the total over a
breakdown is ``_T``. A withheld or censored figure has ``OBS_VALUE`` NaN and
says why in ``CONF_STATUS`` (``A`` small count, ``D`` withheld to protect
one), with ``CENSORED_BELOW`` the threshold.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from django.utils import timezone

from matis.common import tables
from matis.official_statistics.keys import parse_key
from matis.publication.models import Release
from matis.publication.snapshot import OBS_FIELDS

AGENCY = "MATIS"
FLOW = "TIP_STATISTICS"
VERSION = "1.0"
DSD = "DSD_TIP_STATISTICS"
SCHEME = "CS_TIP_STATISTICS"
DATAFLOW_CSV = f"{AGENCY}:{FLOW}({VERSION})"

NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
    "gen": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic",
    "ss": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

STRUCTURE_TYPE = "application/vnd.sdmx.structure+xml; version=2.1"
GENERIC_TYPE = "application/vnd.sdmx.genericdata+xml; version=2.1"
STRUCTURE_SPECIFIC_TYPE = "application/vnd.sdmx.structurespecificdata+xml; version=2.1"
# The namespace of the structure-specific schema for this dataflow, observations by TIME_PERIOD.
SS_NAMESPACE = (
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow="
    f"{AGENCY}:{FLOW}({VERSION}):ObsLevelDim:TIME_PERIOD"
)
CSV_TYPE = "application/vnd.sdmx.data+csv; version=1.0.0"

UNITS = {"count": "COUNT", "rate": "RATE", "percent": "PERCENT", "days": "DAYS"}
OBS_STATUS = [("A", "Normal value"), ("E", "Estimated value"), ("P", "Provisional value"),
              ("M", "Missing value")]  # fmt: skip
CONF_STATUS = [("F", "Free"), ("A", "Primary confidentiality due to small counts"),
               ("D", "Secondary confidentiality set by the sender")]  # fmt: skip
ATTRIBUTES = ("OBS_STATUS", "CONF_STATUS", "UNIT_MEASURE", "CENSORED_BELOW")


def _q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def _sub(parent, prefix: str, tag: str, **attrs) -> ET.Element:
    return ET.SubElement(parent, _q(prefix, tag), {k: str(v) for k, v in attrs.items()})


def _name(parent, text: str, lang: str = "en", prefix: str = "com") -> None:
    element = _sub(parent, prefix, "Name")
    element.set(XML_LANG, lang)
    element.text = text


def _ref(parent, **attrs) -> ET.Element:
    return ET.SubElement(parent, "Ref", {k: str(v) for k, v in attrs.items()})


def _header(root, message_id: str) -> ET.Element:
    header = _sub(root, "mes", "Header")
    _sub(header, "mes", "ID").text = message_id
    _sub(header, "mes", "Test").text = "false"
    _sub(header, "mes", "Prepared").text = timezone.now().replace(microsecond=0).isoformat()
    _sub(header, "mes", "Sender", id=AGENCY)
    return header


def _sdmx_id(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_@$\-]", "_", code)


def codelist_id(code: str) -> str:
    return code if code.startswith("CL_") else f"CL_{code}"


def dimension_ids(snapshot: dict) -> list[str]:
    """The series key dimensions in key order (TIME_PERIOD, the time dimension, comes last)."""
    return ["INDICATOR", "REF_AREA", *[d["code"] for d in snapshot["dimensions"]]]


def _codelists(snapshot: dict) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Codelist id -> (name, [(code, name)])."""
    lists = {
        "CL_INDICATOR": ("Indicator", [(i["code"], i["name_en"]) for i in snapshot["indicators"]]),
        "CL_AREA": ("Reference area", [(c["iso3"], c["name"]) for c in snapshot["countries"]]),
        "CL_OBS_STATUS": ("Observation status", OBS_STATUS),
        "CL_CONF_STATUS": ("Confidentiality status", CONF_STATUS),
        "CL_UNIT_MEASURE": ("Unit of measure", [(v, k.title()) for k, v in UNITS.items()]),
    }
    for cl in snapshot["code_lists"]:
        codes = [(_sdmx_id(c["code"]), c["name_en"]) for c in cl["codes"]]
        codes += [("_T", "Total"), ("_Z", "Not applicable")]
        lists[codelist_id(cl["code"])] = (cl["name_en"], codes)
    return lists


def structure_xml(release: Release) -> bytes:
    """SDMX-ML 2.1 Structure: dataflow, codelists, concept scheme and DSD (references=all)."""
    snap = release.snapshot
    root = ET.Element(_q("mes", "Structure"))
    _header(root, f"MATIS_STRUCTURE_{release.dataset}_v{release.version}".replace("-", "_"))
    structures = _sub(root, "mes", "Structures")

    flows = _sub(structures, "str", "Dataflows")
    flow = _sub(flows, "str", "Dataflow", id=FLOW, agencyID=AGENCY, version=VERSION, isFinal="true")
    _name(flow, release.title)
    _ref(
        _sub(flow, "str", "Structure"),
        id=DSD, agencyID=AGENCY, version=VERSION, **{"class": "DataStructure"},
        package="datastructure",
    )  # fmt: skip

    lists = _codelists(snap)
    codelists = _sub(structures, "str", "Codelists")
    for cl_id, (cl_name, codes) in lists.items():
        element = _sub(codelists, "str", "Codelist", id=cl_id, agencyID=AGENCY, version=VERSION,
                       isFinal="true")  # fmt: skip
        _name(element, cl_name)
        for code, code_name in codes:
            _name(_sub(element, "str", "Code", id=code), code_name or code)

    dim_codelists = {d["code"]: codelist_id(d["code_list"]) for d in snap["dimensions"]}
    dim_names = {d["code"]: d["name_en"] for d in snap["dimensions"]}
    concepts = {
        "INDICATOR": "Indicator",
        "REF_AREA": "Reference area",
        **dim_names,
        "TIME_PERIOD": "Time period",
        "OBS_VALUE": "Observation value",
        "OBS_STATUS": "Observation status",
        "CONF_STATUS": "Confidentiality status",
        "UNIT_MEASURE": "Unit of measure",
        "CENSORED_BELOW": "Published only as below this threshold",
    }
    scheme = _sub(_sub(structures, "str", "Concepts"), "str", "ConceptScheme", id=SCHEME,
                  agencyID=AGENCY, version=VERSION, isFinal="true")  # fmt: skip
    _name(scheme, "MATIS TIP statistics concepts")
    for concept_id, concept_name in concepts.items():
        _name(_sub(scheme, "str", "Concept", id=concept_id), concept_name)

    def identity(parent, concept_id: str) -> None:
        _ref(
            _sub(parent, "str", "ConceptIdentity"),
            id=concept_id, maintainableParentID=SCHEME, maintainableParentVersion=VERSION,
            agencyID=AGENCY, **{"class": "Concept"}, package="conceptscheme",
        )  # fmt: skip

    def enumeration(parent, cl_id: str) -> None:
        rep = _sub(parent, "str", "LocalRepresentation")
        _ref(_sub(rep, "str", "Enumeration"), id=cl_id, agencyID=AGENCY, version=VERSION,
             **{"class": "Codelist"}, package="codelist")  # fmt: skip

    dsd = _sub(_sub(structures, "str", "DataStructures"), "str", "DataStructure", id=DSD,
               agencyID=AGENCY, version=VERSION, isFinal="true")  # fmt: skip
    _name(dsd, "MATIS TIP statistics")
    components = _sub(dsd, "str", "DataStructureComponents")
    dim_list = _sub(components, "str", "DimensionList", id="DimensionDescriptor")
    dims = dimension_ids(snap)
    for position, dim in enumerate(dims, 1):
        element = _sub(dim_list, "str", "Dimension", id=dim, position=position)
        identity(element, dim)
        cl_id = {"INDICATOR": "CL_INDICATOR", "REF_AREA": "CL_AREA"}.get(dim) or dim_codelists[dim]
        enumeration(element, cl_id)
    time = _sub(dim_list, "str", "TimeDimension", id="TIME_PERIOD", position=len(dims) + 1)
    identity(time, "TIME_PERIOD")
    _sub(_sub(time, "str", "LocalRepresentation"), "str", "TextFormat",
         textType="ObservationalTimePeriod")  # fmt: skip

    attr_list = _sub(components, "str", "AttributeList", id="AttributeDescriptor")
    for attr in ATTRIBUTES:
        element = _sub(attr_list, "str", "Attribute", id=attr, assignmentStatus="Conditional")
        identity(element, attr)
        if attr == "CENSORED_BELOW":
            rep = _sub(element, "str", "LocalRepresentation")
            _sub(rep, "str", "TextFormat", textType="Integer")
        else:
            enumeration(element, f"CL_{attr}")
        relation = _sub(element, "str", "AttributeRelationship")
        _ref(_sub(relation, "str", "PrimaryMeasure"), id="OBS_VALUE")
    measures = _sub(components, "str", "MeasureList", id="MeasureDescriptor")
    identity(_sub(measures, "str", "PrimaryMeasure", id="OBS_VALUE"), "OBS_VALUE")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- data ------------------------------------------------------------------------------


class KeyError_(ValueError):
    """A data query key that does not fit the structure (a 400 naming the problem)."""


def parse_query_key(snapshot: dict, key: str) -> list[set[str] | None]:
    """``A.B+C..`` -> one set of wanted codes (or None for any) per dimension."""
    dims = dimension_ids(snapshot)
    if key in ("", "all", "ALL"):
        return [None] * len(dims)
    parts = key.split(".")
    if len(parts) != len(dims):
        raise KeyError_(
            f"the key has {len(parts)} parts; this dataflow has {len(dims)} dimensions "
            f"({'.'.join(dims)})"
        )
    return [set(p.split("+")) if p else None for p in parts]


def series(snapshot: dict, wanted: list[set[str] | None], start=None, end=None):
    """(series key values, [obs dict]) in key order, filtered by the query."""
    dims = [d["code"] for d in snapshot["dimensions"]]
    allowed = {i["code"]: set(i["dimensions"]) for i in snapshot["indicators"]}
    units = {i["code"]: i["unit"] for i in snapshot["indicators"]}
    out: dict[tuple, list[dict]] = {}
    for values in snapshot["observations"]:
        obs = dict(zip(OBS_FIELDS, values, strict=True))
        if (start is not None and obs["year"] < start) or (end is not None and obs["year"] > end):
            continue
        parsed = parse_key(obs["key"])
        ind_dims = allowed.get(obs["indicator"], set())
        key = (
            obs["indicator"],
            obs["country"],
            *[
                _sdmx_id(parsed[d]) if d in parsed else ("_T" if d in ind_dims else "_Z")
                for d in dims
            ],
        )
        if any(w is not None and k not in w for k, w in zip(key, wanted, strict=True)):
            continue
        obs["unit"] = UNITS.get(units.get(obs["indicator"], ""), "")
        out.setdefault(key, []).append(obs)
    return sorted(out.items())


def obs_value(obs: dict) -> str:
    if obs["value"] is None:
        return "NaN"
    value = float(obs["value"])
    return str(int(value)) if value.is_integer() else repr(value)


def obs_attributes(obs: dict) -> dict[str, str]:
    status = (
        "M"
        if obs["missing"]
        else ("E" if obs["estimated"] else ("P" if obs["provisional"] else "A"))
    )
    attrs = {"OBS_STATUS": status}
    if obs["censored_below"] is not None:
        attrs["CONF_STATUS"] = "A"
        attrs["CENSORED_BELOW"] = str(obs["censored_below"])
    elif obs["withheld"]:
        attrs["CONF_STATUS"] = "D"
    else:
        attrs["CONF_STATUS"] = "F"
    if obs["unit"]:
        attrs["UNIT_MEASURE"] = obs["unit"]
    return attrs


def generic_data_xml(release: Release, selected) -> bytes:
    snap = release.snapshot
    dims = dimension_ids(snap)
    root = ET.Element(_q("mes", "GenericData"))
    header = _header(root, f"MATIS_DATA_{release.dataset}_v{release.version}".replace("-", "_"))
    structure_ref = f"{AGENCY}_{FLOW}_{VERSION.replace('.', '_')}"
    structure = _sub(header, "mes", "Structure", structureID=structure_ref,
                     dimensionAtObservation="TIME_PERIOD")  # fmt: skip
    _ref(_sub(structure, "com", "StructureUsage"), agencyID=AGENCY, id=FLOW, version=VERSION)
    dataset = _sub(root, "mes", "DataSet", structureRef=structure_ref)
    for key, observations in selected:
        element = _sub(dataset, "gen", "Series")
        series_key = _sub(element, "gen", "SeriesKey")
        for dim, code in zip(dims, key, strict=True):
            _sub(series_key, "gen", "Value", id=dim, value=code)
        for obs in observations:
            obs_element = _sub(element, "gen", "Obs")
            _sub(obs_element, "gen", "ObsDimension", value=obs["year"])
            _sub(obs_element, "gen", "ObsValue", value=obs_value(obs))
            attributes = _sub(obs_element, "gen", "Attributes")
            for attr, value in obs_attributes(obs).items():
                _sub(attributes, "gen", "Value", id=attr, value=value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def structure_specific_data_xml(release: Release, selected) -> bytes:
    """SDMX-ML 2.1 StructureSpecific data: each series and observation as XML attributes."""
    snap = release.snapshot
    dims = dimension_ids(snap)
    root = ET.Element(_q("mes", "StructureSpecificData"))
    header = _header(root, f"MATIS_DATA_{release.dataset}_v{release.version}".replace("-", "_"))
    structure_ref = f"{AGENCY}_{FLOW}_{VERSION.replace('.', '_')}"
    structure = _sub(header, "mes", "Structure", structureID=structure_ref,
                     namespace=SS_NAMESPACE, dimensionAtObservation="TIME_PERIOD")  # fmt: skip
    _ref(_sub(structure, "com", "StructureUsage"), agencyID=AGENCY, id=FLOW, version=VERSION)
    dataset = _sub(root, "mes", "DataSet")
    dataset.set(_q("ss", "structureRef"), structure_ref)
    dataset.set(_q("ss", "dataScope"), "DataStructure")
    dataset.set(_q("xsi", "type"), "flow:DataSetType")
    # the xsi:type value names the prefix: declare it on the root even though no tag uses it
    root.set("xmlns:flow", SS_NAMESPACE)
    for key, observations in selected:
        element = ET.SubElement(dataset, "Series", dict(zip(dims, key, strict=True)))
        for obs in observations:
            attrs = {"TIME_PERIOD": str(obs["year"]), "OBS_VALUE": obs_value(obs)}
            attrs.update(obs_attributes(obs))
            ET.SubElement(element, "Obs", attrs)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def data_csv_lines(release: Release, selected) -> Iterator[str]:
    """SDMX-CSV 1.0: DATAFLOW, the dimensions, TIME_PERIOD, OBS_VALUE, the attributes."""
    dims = dimension_ids(release.snapshot)
    header = ["DATAFLOW", *dims, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES]

    def rows():
        for key, observations in selected:
            for obs in observations:
                attrs = obs_attributes(obs)
                value = obs_value(obs)
                yield [
                    DATAFLOW_CSV,
                    *key,
                    obs["year"],
                    "" if value == "NaN" else value,
                    *[attrs.get(a, "") for a in ATTRIBUTES],
                ]

    return tables.csv_lines(header, rows(), bom=False)
