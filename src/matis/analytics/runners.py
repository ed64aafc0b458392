"""Method runners: each takes a data frame and validated parameters, calls tipstats, and
returns plain JSON-ready numbers, tables and a Vega-Lite chart. No Django in here beyond
translations, so every runner can be tested on a small frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from matis.analytics.models import AnalysisKind
from matis.common.charts import SCHEMA

Progress = Callable[[float, str], None]


class ParameterError(ValueError):
    """A parameter is missing or wrong; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str = "column"  # column | columns | text | choice | float | int
    required: bool = True
    default: Any = None
    choices: tuple = ()


PARAMETERS: dict[str, list[Param]] = {
    AnalysisKind.MSE: [
        Param("count", _("Count column"), "column", False, "count"),
        Param(
            "method",
            _("Model selection"),
            "choice",
            False,
            "sparse_stepwise",
            ("sparse_stepwise", "aic_stepwise", "main_effects", "lcmcr", "logit_normal"),
        ),
        Param("threshold", _("Significance threshold"), "float", False, 0.02),
        Param(
            "interval",
            _("Interval (log-linear methods)"),
            "choice",
            False,
            "profile",
            ("profile", "bca"),
        ),
        Param("n_boot", _("Bootstrap resamples"), "int", False, 1000),
        Param("seed", _("Random seed"), "int", False, 20111),
    ],
    AnalysisKind.RISK: [
        Param("group", _("Group column"), "column"),
        Param("reference", _("Reference group"), "text"),
        Param("factors", _("Risk factor columns (comma-separated)"), "columns"),
    ],
    AnalysisKind.FLOWS: [
        Param("origin", _("Origin column"), "column"),
        Param("destination", _("Destination column"), "column"),
        Param("transit", _("Transit column"), "column", False, None),
    ],
    AnalysisKind.NETWORK: [
        Param("source_col", _("First actor column"), "column"),
        Param("target_col", _("Second actor column"), "column"),
        Param("evidence_col", _("Evidence source column"), "column"),
        Param("top", _("Central actors to list"), "int", False, 10),
    ],
    AnalysisKind.ITS: [
        Param("time", _("Time column"), "column"),
        Param("outcome", _("Outcome column"), "column"),
        Param("intervention_at", _("First period after the intervention"), "float"),
        Param("errors", _("Standard errors"), "choice", False, "ar1", ("ar1", "newey_west")),
    ],
    AnalysisKind.BEFORE_AFTER: [
        Param("group", _("Data source column (government / non-government)"), "column"),
        Param("period", _("Period column (before / after)"), "column"),
        Param("outcome", _("Outcome column"), "column"),
    ],
}


#: What people read for each choice code (never the raw code).
CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "method": {
        "sparse_stepwise": _("Sparse stepwise log-linear (SparseMSE)"),
        "aic_stepwise": _("AIC stepwise log-linear (UK Home Office 2014)"),
        "main_effects": _("Lists independent (main effects only)"),
        "lcmcr": _("Bayesian latent classes (LCMCR)"),
        "logit_normal": _("Logit-normal heterogeneity (Coull & Agresti 1999)"),
    },
    "interval": {
        "profile": _("Profile likelihood"),
        "bca": _("Bootstrap (BCa)"),
        "credible": _("Bayesian credible interval"),
    },
    "errors": {
        "ar1": _("AR(1) errors (Prais-Winsten)"),
        "newey_west": _("Newey-West"),
    },
}


def choice_label(param: str, code: str) -> str:
    return str(CHOICE_LABELS.get(param, {}).get(code, code))


def clean_parameters(kind: str, raw: dict, columns: list[str] | None = None) -> dict:
    """Validate parameters for ``kind``; columns are checked when the data's columns are known."""
    if kind not in PARAMETERS:
        raise ParameterError("kind", f"unknown method {kind!r}")
    cleaned: dict[str, Any] = {}
    for p in PARAMETERS[kind]:
        value = raw.get(p.name)
        if value in (None, ""):
            if p.required:
                raise ParameterError(p.name, str(_("this parameter is required")))
            cleaned[p.name] = p.default
            continue
        try:
            if p.kind == "float":
                value = float(value)
            elif p.kind == "int":
                value = int(value)
            elif p.kind == "columns":
                value = (
                    [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)
                )
                value = [v for v in value if v]
        except (TypeError, ValueError):
            raise ParameterError(p.name, f"{value!r} is not a valid {p.kind}") from None
        if p.kind == "choice" and value not in p.choices:
            raise ParameterError(p.name, f"{value!r} is not one of {', '.join(p.choices)}")
        if columns is not None and p.kind in {"column", "columns"}:
            for col in value if isinstance(value, list) else [value]:
                if col not in columns:
                    raise ParameterError(
                        p.name, f"column {col!r} is not in the data ({', '.join(columns)})"
                    )
        cleaned[p.name] = value
    return cleaned


def _finite(x: Any) -> Any:
    """JSON has no NaN or infinity: store them as None."""
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def frame_table(name: str, frame: pd.DataFrame, key: str = "") -> dict:
    """A stored table; ``key`` names it for the report, which labels it in the reader's
    language (``name`` is the label in the language of the run, for old results)."""
    frame = frame.reset_index(
        drop=frame.index.name is None and isinstance(frame.index, pd.RangeIndex)
    )
    if "index" in frame.columns and list(frame["index"]) == list(range(len(frame))):
        frame = frame.drop(columns=["index"])  # a bare row number is not a result
    return {
        "key": key,
        "name": name,
        "columns": [str(c) for c in frame.columns],
        "rows": [[_finite(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def run_mse(frame: pd.DataFrame, params: dict, progress: Progress) -> dict:
    from tipstats import mse

    progress(0.05, "fitting the model")
    n_boot = params["n_boot"]

    def boot_progress(done: int, total: int) -> None:
        progress(0.1 + 0.85 * done / max(total, 1), f"bootstrap {done}/{total}")

    result = mse.fit(
        frame,
        count=params["count"],
        method=params["method"],
        threshold=params["threshold"],
        interval=params["interval"],
        n_boot=n_boot,
        seed=params["seed"],
        progress=boot_progress,
    )
    progress(0.9, "comparing methods")
    comparison = _mse_comparison(frame, params, result)
    numbers = {
        "population_estimate": result.population_estimate,
        "ci_low": _finite(result.ci_low),
        "ci_high": _finite(result.ci_high),  # None: no upper limit (logit-normal)
        "interval": result.interval,
        "n_observed": result.n_observed,
        "n_unobserved_estimate": result.n_unobserved_estimate,
        "interactions": [list(pair) for pair in result.interactions],
        "lists": list(result.lists),
        "summary": result.summary(),
        # for the report, written in the reader's language from these
        "method": result.method,
        "alpha": _finite(result.alpha),
        "threshold": _finite(result.threshold),
        "empty_overlaps": [list(pair) for pair in result.empty_overlaps],
        "aic": _finite(result.aic),
        "deviance": _finite(result.deviance),
        "df_resid": _finite(result.df_resid),
        "converged": bool(result.converged),
        "n_boot": result.n_boot,
        "selection_path": [
            {"pair": list(step.pair), "p_value": _finite(step.p_value), "aic": _finite(step.aic)}
            for step in result.selection_path
        ],
        "mean_classes_used": _finite((result.lcmcr_settings or {}).get("mean_classes_used")),
        "comparison": [
            {k: _finite(v) for k, v in row.items()} for row in comparison.to_dict(orient="records")
        ],
    }
    chart = {
        "$schema": SCHEMA,
        "description": str(_("Known and estimated hidden victims")),
        "data": {
            "values": [
                {"part": str(_("Known to at least one list")), "n": result.n_observed},
                {"part": str(_("Estimated hidden")), "n": round(result.n_unobserved_estimate)},
            ]
        },
        "mark": "bar",
        "encoding": {
            "x": {"field": "n", "type": "quantitative", "stack": "zero", "title": str(_("People"))},
            "color": {"field": "part", "type": "nominal", "title": None},
        },
        "height": 60,
        "width": "container",
    }
    return {
        "result": numbers,
        "tables": [
            frame_table(str(_("Capture histories")), frame, "capture_histories"),
            frame_table(
                str(_("Sensitivity: every method side by side")), comparison, "sensitivity"
            ),
        ],
        "chart": chart,
    }


def _rounded(value: Any) -> int | None:
    """A whole number, or None when there is no finite value."""
    value = _finite(value)
    return None if value is None or pd.isna(value) else round(value)


def _mse_comparison(frame: pd.DataFrame, params: dict, result) -> pd.DataFrame:
    """Every MSE method's estimate and interval, with translated method names."""
    from tipstats import mse

    # An LCMCR result is not run twice: its row is the result itself.
    others = [m for m in mse.ALL_METHODS if not (m == "lcmcr" == result.method)]
    view = mse.compare(frame, count=params["count"], methods=others, seed=params["seed"])
    if result.method == "lcmcr":
        row = {
            "method": "lcmcr",
            "estimate": result.population_estimate,
            "ci_low": _finite(result.ci_low),
            "ci_high": _finite(result.ci_high),
            "interval": result.interval,
            "error": "",
        }
        view = pd.concat([view, pd.DataFrame([row])], ignore_index=True)
    # Codes and numbers: the report labels them in the reader's language (report.py).
    return pd.DataFrame(
        {
            "method": list(view["method"]),
            # None for a missing or infinite limit (logit-normal: no upper limit)
            "estimate": [_rounded(v) for v in view["estimate"]],
            "ci_low": [_rounded(v) for v in view["ci_low"]],
            "ci_high": [_rounded(v) for v in view["ci_high"]],
            "interval": list(view["interval"]),
            "chosen": [m == result.method for m in view["method"]],
            "error": [str(e) if e else "" for e in view["error"]],
        }
    )


def run_risk(frame: pd.DataFrame, params: dict, progress: Progress) -> dict:
    from tipstats import risk

    progress(0.2, "comparing groups")
    comparison = risk.compare_groups(
        frame, group=params["group"], reference=params["reference"], factors=params["factors"]
    )
    table = comparison.table
    points = [
        {k: _finite(v) for k, v in row.items()}
        for row in table[["group", "factor", "odds_ratio", "ci_low", "ci_high"]].to_dict(
            orient="records"
        )
    ]
    y = {"field": "label", "type": "nominal", "title": None}
    chart = {
        "$schema": SCHEMA,
        "data": {"values": points},
        "transform": [{"calculate": "datum.group + ' · ' + datum.factor", "as": "label"}],
        "layer": [
            {
                "mark": "rule",
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "ci_low",
                        "type": "quantitative",
                        "scale": {"type": "log"},
                        "title": str(_("Odds ratio (95% CI)")),
                    },
                    "x2": {"field": "ci_high"},
                },
            },
            {
                "mark": "point",
                "encoding": {"y": y, "x": {"field": "odds_ratio", "type": "quantitative"}},
            },
        ],
        "width": "container",
    }
    return {
        "result": {"n": len(frame), "summary": comparison.summary()},
        "tables": [frame_table(str(_("Odds ratios")), table, "odds_ratios")],
        "chart": chart,
    }


def run_flows(frame: pd.DataFrame, params: dict, progress: Progress) -> dict:
    from tipstats import flows

    progress(0.2, "counting routes")
    routes = flows.route_table(
        frame,
        origin=params["origin"],
        destination=params["destination"],
        transit=params.get("transit"),
    )
    matrix = flows.corridor_matrix(
        frame, origin=params["origin"], destination=params["destination"]
    )
    top = routes.head(15).copy()
    stages = [c for c in ("origin", "transit", "destination") if c in top]
    top["route"] = [
        " → ".join(str(v) for v in row if not pd.isna(v))
        for row in top[stages].itertuples(index=False)
    ]
    chart = {
        "$schema": SCHEMA,
        "data": {"values": top[["route", "n_cases"]].to_dict(orient="records")},
        "mark": "bar",
        "encoding": {
            "y": {"field": "route", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "n_cases", "type": "quantitative", "title": str(_("Cases"))},
        },
        "width": "container",
    }
    return {
        "result": {"n_routes": len(routes), "n_cases": int(routes["n_cases"].sum())},
        "tables": [
            frame_table(str(_("Routes")), routes, "routes"),
            frame_table(str(_("Corridor matrix")), matrix.reset_index(), "corridor_matrix"),
        ],
        "chart": chart,
    }


def run_network(frame: pd.DataFrame, params: dict, progress: Progress) -> dict:
    from tipstats import networks

    progress(0.2, "building the network")
    graph = networks.build_network(
        frame,
        source_col=params["source_col"],
        target_col=params["target_col"],
        evidence_col=params["evidence_col"],
    )
    progress(0.6, "centrality")
    actors = networks.central_actors(graph, top=params["top"])
    triangulation = networks.triangulation_table(graph)
    return {
        "result": {"n_actors": graph.number_of_nodes(), "n_links": graph.number_of_edges()},
        "tables": [
            frame_table(str(_("Central actors")), actors.reset_index(), "central_actors"),
            frame_table(
                str(_("Links by corroborating sources")),
                triangulation.reset_index(),
                "triangulation",
            ),
        ],
        "chart": {},
    }


def run_its(frame: pd.DataFrame, params: dict, progress: Progress) -> dict:
    from tipstats import effects

    progress(0.2, "segmented regression")
    res = effects.interrupted_time_series(
        frame,
        time=params["time"],
        outcome=params["outcome"],
        intervention_at=params["intervention_at"],
        errors=params["errors"],
    )
    series = res.series.reset_index()
    time_col = series.columns[0]
    long = series.melt(
        id_vars=[time_col],
        value_vars=[c for c in ("observed", "fitted", "counterfactual") if c in series],
        var_name="series",
        value_name="value",
    )
    chart = {
        "$schema": SCHEMA,
        "data": {
            "values": [
                {k: _finite(v) for k, v in r.items()} for r in long.to_dict(orient="records")
            ]
        },
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": str(time_col), "type": "quantitative", "title": str(_("Period"))},
            "y": {"field": "value", "type": "quantitative", "title": params["outcome"]},
            "color": {"field": "series", "type": "nominal", "title": None},
        },
        "width": "container",
    }
    numbers = {
        k: _finite(getattr(res, k))
        for k in (
            *(
                f"{effect}{part}"
                for effect in ("level_change", "slope_change", "pre_slope", "post_slope")
                for part in ("", "_ci_low", "_ci_high", "_p_value")
            ),
            "baseline_level",
            "n",
            "n_pre",
            "n_post",
            "durbin_watson",
            "r_squared",
            "alpha",
            "rho",
        )
    }
    return {
        "result": {
            **numbers,
            "errors": params["errors"],
            "errors_label": choice_label("errors", params["errors"]),
            "intervention_at": _finite(params["intervention_at"]),
            "outcome": params["outcome"],
            "summary": res.summary(),
        },
        "tables": [
            frame_table(str(_("Coefficients")), res.coefficients.reset_index(), "coefficients"),
            frame_table(str(_("Series")), series, "series"),
        ],
        "chart": chart,
    }


def run_before_after(frame: pd.DataFrame, params: dict, progress: Progress) -> dict:
    from tipstats import effects

    progress(0.2, "difference in differences")
    res = effects.before_after(
        frame, group=params["group"], period=params["period"], outcome=params["outcome"]
    )
    return {
        "result": {
            "difference_in_differences": _finite(res.difference_in_differences),
            "ci_low": _finite(res.ci_low),
            "ci_high": _finite(res.ci_high),
            "p_value": _finite(res.p_value),
            "std_err": _finite(res.std_err),
            "df": _finite(res.df),
            "alpha": _finite(res.alpha),
            "n_dropped": _finite(res.n_dropped),
            "outcome": params["outcome"],
            "summary": res.summary(),
        },
        "tables": [
            frame_table(str(_("Change by data source")), res.changes.reset_index(), "changes")
        ],
        "chart": {},
    }


RUNNERS: dict[str, Callable[[pd.DataFrame, dict, Progress], dict]] = {
    AnalysisKind.MSE: run_mse,
    AnalysisKind.RISK: run_risk,
    AnalysisKind.FLOWS: run_flows,
    AnalysisKind.NETWORK: run_network,
    AnalysisKind.ITS: run_its,
    AnalysisKind.BEFORE_AFTER: run_before_after,
}
