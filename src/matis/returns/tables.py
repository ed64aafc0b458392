"""The tables and charts of the measures page (the downloads are the same tables)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.charts import bar_chart, line_chart
from matis.common.tables import Column, Table, percent
from matis.returns import measures
from matis.returns.choices import STEP_ORDER, Step


def measure_tables(data: dict, *, country, years: list[int]) -> dict[str, Table]:
    labels = dict(Step.choices)
    corridors = Table(
        "corridors",
        _("Days from identification to return, by corridor"),
        [
            Column("corridor", _("Corridor")),
            Column("year", _("Year"), "year"),
            Column("returned", _("Returned"), "int"),
            Column("median_days", _("Median days"), "number"),
            Column("mean_days", _("Mean days"), "number"),
            Column("max_days", _("Longest (days)"), "int"),
            *[Column(f"step_{s}", str(labels[s]), "number") for s in STEP_ORDER],
        ],
        [
            {**row, **{f"step_{k}": v for k, v in row["step_median_days"].items()}}
            for row in data["repatriation"]["by_corridor"]
        ],
        note=_("Step columns: median days from the start to the completion of the step."),
    )
    reception = Table(
        "reception",
        _("Days from request to reception, by corridor"),
        [
            Column("corridor", _("Corridor")),
            Column("year", _("Year"), "year"),
            Column("received", _("Received"), "int"),
            Column("median_days", _("Median days"), "number"),
            Column("mean_days", _("Mean days"), "number"),
        ],
        data["repatriation"].get("reception_by_corridor", []),
        note=_(
            "From the sending government's request date to the home government's "
            "reception date: each government's own record of its step."
        ),
    )
    outcomes = Table(
        "reintegration",
        _("Reintegration outcomes by months since the plan was made"),
        [
            Column("months", _("Months")),
            Column("visits", _("Visits"), "int"),
            Column("psychosocial", _("Psychosocial score (0-100)"), "number"),
            Column("economic", _("Economic score (0-100)"), "number"),
        ],
        data["reintegration"]["outcomes_by_months"],
    )
    rows = []
    for y in sorted(years):
        r = measures.retrafficking(country, y)
        rows.append(
            {
                "year": y,
                "cohort": r["cohort"],
                "retrafficked": r["retrafficked"],
                "rate": percent(r["rate"]),
                "offenders": r["offenders"],
            }
        )
    retrafficking = Table(
        "retrafficking",
        _("Re-trafficking rate"),
        [
            Column("year", _("Year"), "year"),
            Column("cohort", _("Cases closed or returned"), "int"),
            Column("retrafficked", _("Trafficked again"), "int"),
            Column("rate", _("Rate (%)"), "number"),
            Column("offenders", _("Later acting as broker or trafficker"), "int"),
        ],
        rows,
    )
    feedback = Table(
        "feedback",
        _("Victim feedback: mean rating (1-5) by SPA III goal"),
        [Column("goal", _("Goal")), Column("rating", _("Mean rating"), "number")],
        [{"goal": g, "rating": v} for g, v in data["feedback"]["by_goal"].items()],
    )
    return {t.name: t for t in (corridors, reception, outcomes, retrafficking, feedback)}


def measure_charts(built: dict[str, Table]) -> dict[str, dict]:
    corridor_values = [
        {
            "corridor": r["corridor"],
            "year": display_year(r["year"]),
            "days": float(r["median_days"]),
        }
        for r in built["corridors"].rows
        if r["median_days"] is not None
    ]
    outcome_values = []
    for r in built["reintegration"].rows:
        for key, label in (("psychosocial", _("Psychosocial")), ("economic", _("Economic"))):
            if r[key] is not None:
                outcome_values.append({"months": r["months"], "domain": label, "score": r[key]})
    rate_values = [
        {"year": display_year(r["year"]), "rate": r["rate"]}
        for r in built["retrafficking"].rows
        if r["rate"] is not None
    ]
    return {
        "corridors": bar_chart(
            built["corridors"].title,
            corridor_values,
            encoding={
                "y": {"field": "corridor", "type": "nominal", "title": None},
                "x": {"field": "days", "type": "quantitative", "title": _("Median days")},
                "color": {"field": "year", "type": "nominal", "title": _("Year")},
            },
        ),
        "reintegration": line_chart(
            built["reintegration"].title,
            outcome_values,
            encoding={
                "x": {
                    "field": "months",
                    "type": "ordinal",
                    "sort": None,
                    "title": _("Months since the plan was made"),
                },
                "y": {
                    "field": "score",
                    "type": "quantitative",
                    "title": _("Mean score (0-100)"),
                    "scale": {"domain": [0, 100]},
                },
                "color": {"field": "domain", "type": "nominal", "title": None},
            },
        ),
        "retrafficking": bar_chart(
            built["retrafficking"].title,
            rate_values,
            encoding={
                "x": {"field": "year", "type": "ordinal", "title": _("Year"), "sort": None},
                "y": {"field": "rate", "type": "quantitative", "title": _("Rate (%)")},
            },
        ),
    }
