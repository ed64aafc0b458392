"""An analysis result as a short report, written in the reader's language when it is read.

The runners store numbers and codes (``runners.py``); everything people read is made
here, at view time, so a Thai reader gets Thai words and Thai numbers whatever language
the analysis ran in: the headline figures, the estimate and its interval as a figure (an
inline SVG, drawn on the server so that the PDF has it too), the selected model in
words, diagnostics, the comparison of methods, the tables and the provenance.

``protect=True`` (the PDF, which leaves the system) passes every table of counts through
:func:`matis.analytics.disclosure.protect_table` and shows small counts in the text as
``<11``: the same disclosure control as publishing.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from matis.analytics.models import Analysis, AnalysisKind
from matis.analytics.runners import PARAMETERS, choice_label
from matis.common.calendars import display_date
from matis.common.charts import FONT, SCHEMA
from matis.common.l10n import format_number

#: Column codes of the stored tables, as people read them.
COLUMN_LABELS = {
    "count": pgettext_lazy("table column", "Count"),
    "n_cases": pgettext_lazy("table column", "Cases"),
    "share": pgettext_lazy("table column", "Share"),
    "origin": pgettext_lazy("table column", "Origin"),
    "transit": pgettext_lazy("table column", "Transit"),
    "destination": pgettext_lazy("table column", "Destination"),
    "group": pgettext_lazy("table column", "Group"),
    "reference": pgettext_lazy("table column", "Reference group"),
    "factor": pgettext_lazy("table column", "Factor"),
    "level": pgettext_lazy("table column", "Level"),
    "exposed_in_group": pgettext_lazy("table column", "With the factor, in the group"),
    "n_group": pgettext_lazy("table column", "In the group"),
    "exposed_in_reference": pgettext_lazy(
        "table column", "With the factor, in the reference group"
    ),
    "n_reference": pgettext_lazy("table column", "In the reference group"),
    "odds_ratio": pgettext_lazy("table column", "Odds ratio"),
    "ci_low": pgettext_lazy("table column", "Interval from"),
    "ci_high": pgettext_lazy("table column", "Interval to"),
    "p_value": pgettext_lazy("table column", "p-value"),
    "haldane_corrected": pgettext_lazy("table column", "Zero cell corrected"),
    "n_dropped": pgettext_lazy("table column", "Rows left out"),
    "method": pgettext_lazy("table column", "Method"),
    "estimate": pgettext_lazy("table column", "Estimate"),
    "interval": pgettext_lazy("table column", "Interval"),
    "chosen": pgettext_lazy("table column", "Chosen for this analysis"),
    "error": pgettext_lazy("table column", "Note"),
    "term": pgettext_lazy("table column", "Term"),
    "std_err": pgettext_lazy("table column", "Standard error"),
    "time": pgettext_lazy("table column", "Period"),
    "t": pgettext_lazy("table column", "Periods since the start"),
    "post": pgettext_lazy("table column", "After the intervention"),
    "observed": pgettext_lazy("table column", "Observed"),
    "fitted": pgettext_lazy("table column", "Fitted"),
    "counterfactual": pgettext_lazy("table column", "Without the intervention"),
    "effect": pgettext_lazy("table column", "Effect"),
    "effect_ci_low": pgettext_lazy("table column", "Effect, interval from"),
    "effect_ci_high": pgettext_lazy("table column", "Effect, interval to"),
    "relative_effect": pgettext_lazy("table column", "Relative effect"),
    "actor": pgettext_lazy("table column", "Actor"),
    "degree": pgettext_lazy("table column", "Links"),
    "degree_centrality": pgettext_lazy("table column", "Degree centrality"),
    "weighted_degree": pgettext_lazy("table column", "Weighted links"),
    "betweenness": pgettext_lazy("table column", "Betweenness"),
    "weighted_betweenness": pgettext_lazy("table column", "Weighted betweenness"),
    "eigenvector": pgettext_lazy("table column", "Eigenvector centrality"),
    "weighted_eigenvector": pgettext_lazy("table column", "Weighted eigenvector centrality"),
    "n_reports": pgettext_lazy("table column", "Reports"),
    "sources": pgettext_lazy("table column", "Sources"),
    "n_sources": pgettext_lazy("table column", "Number of sources"),
    "n_links": pgettext_lazy("table column", "Links"),
    "share_of_links": pgettext_lazy("table column", "Share of links"),
    "mean_reliability": pgettext_lazy("table column", "Mean reliability"),
}

#: Table keys (``runners.frame_table``) as people read them.
TABLE_LABELS = {
    "capture_histories": gettext_lazy("Capture histories"),
    "sensitivity": gettext_lazy("Sensitivity: every method side by side"),
    "odds_ratios": gettext_lazy("Odds ratios"),
    "routes": gettext_lazy("Routes"),
    "corridor_matrix": gettext_lazy("Corridor matrix"),
    "central_actors": gettext_lazy("Central actors"),
    "triangulation": gettext_lazy("Links by corroborating sources"),
    "coefficients": gettext_lazy("Coefficients"),
    "series": gettext_lazy("Series"),
    "changes": gettext_lazy("Change by data source"),
}

#: ITS coefficient terms.
TERM_LABELS = {
    "baseline_level": gettext_lazy("Level at the start"),
    "pre_slope": gettext_lazy("Trend before"),
    "level_change": gettext_lazy("Level change"),
    "slope_change": gettext_lazy("Trend change"),
    "post_slope": gettext_lazy("Trend after"),
}


def column_label(code: str) -> str:
    return str(COLUMN_LABELS.get(code, code))


def table_label(table: dict) -> str:
    label = TABLE_LABELS.get(table.get("key", ""))
    return str(label) if label is not None else str(table.get("name", ""))


def number(value: Any, places: int | None = None) -> str:
    """A number in the reader's format; '—' when there is none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if places is None and isinstance(value, float):
        value = float(f"{value:.4g}") if abs(value) < 1000 else round(value)
    return format_number(value, places)


def p_value(value: Any, *, named: bool = False) -> str:
    """A p-value: '< 0.001' below a thousandth, three decimals otherwise; ``named`` puts
    'p' before it ('p = 0.017', 'p < 0.001')."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if value < 0.001:
        return f"{'p ' if named else ''}< {format_number(0.001, 3)}"
    return f"{'p = ' if named else ''}{format_number(value, 3)}"


def period(value: Any) -> str:
    """A period as written in the data (a year is not grouped: 2013, not 2,013)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) else number(value)


#: The first cell of the margin row :mod:`matis.analytics.disclosure` adds to a table.
TOTAL_MARKER = "Total"


def cell(column: str, value: Any) -> str:
    """One stored cell as the reader sees it: codes labelled, numbers formatted."""
    if value is None or value == "":
        return "—" if value is None else ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column == "method":
        return choice_label("method", value)
    if column == "interval":
        return choice_label("interval", value)
    if column == "error":
        return _("no estimate: the model cannot be fitted to these data")
    if column == "p_value" and isinstance(value, (int, float)):
        return p_value(value)
    if column == "time" and isinstance(value, (int, float)):
        return period(value)
    if column == "term":
        return str(TERM_LABELS.get(value, value))
    if isinstance(value, (int, float)):
        return number(value)
    return str(value)


def localise_table(table: dict) -> dict:
    """A stored table with its name, column headers and cells in the reader's language."""
    columns = list(table["columns"])
    return {
        "name": table_label(table),
        "columns": [column_label(c) for c in columns],
        "rows": [
            _total_row(row, [cell(c, v) for c, v in zip(columns, row, strict=False)])
            for row in table["rows"]
        ],
    }


def _total_row(stored: list, shown: list[str]) -> list[str]:
    """The margin row that disclosure protection adds is stored as "Total" (language-free,
    like the codes): it is read in the reader's language."""
    if stored and stored[0] == TOTAL_MARKER:
        shown = [str(_("Total")), *shown[1:]]
    return shown


# --- the estimate figure ------------------------------------------------------------------


@dataclass
class Interval:
    label: str
    estimate: float | None
    low: float | None
    high: float | None
    highlight: bool = False


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        ticks = [10.0**e * m for e in range(first, last + 1) for m in (1, 2, 5)]
        return [t for t in ticks if lo <= t <= hi] or [lo, hi]
    span = hi - lo
    step = 10 ** math.floor(math.log10(span / 4)) if span > 0 else 1
    for m in (1, 2, 5, 10):
        if span / (step * m) <= 5:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) // step) + 1)]


def interval_figure(
    rows: list[Interval], *, caption: str, reference: float | None = None, log: bool = False
) -> SafeString:
    """Estimates with their intervals: a row each, the label in HTML (so every script is
    shaped by the browser or WeasyPrint) and a dot and a line in a small SVG on one scale.

    ``reference`` draws the line of no effect (0, or 1 for odds ratios); ``log`` a log axis.
    """
    width, pad, row_h = 420, 12, 26

    def ok(v: Any) -> bool:
        return v is not None and math.isfinite(v) and (not log or v > 0)

    values = [v for r in rows if ok(r.estimate) for v in (r.estimate, r.low, r.high) if ok(v)]
    if reference is not None:
        values.append(reference)
    if not values:
        return format_html('<p class="muted" data-estimate-figure-empty>{}</p>', caption)
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = (lo / 2, hi * 2) if log else (lo - 1, hi + 1)
    if not log:
        lo, hi = lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05

    def x(v: float) -> str:
        if log:
            at = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        else:
            at = (v - lo) / (hi - lo)
        return f"{pad + at * (width - 2 * pad):.1f}"

    ticks = _ticks(lo, hi, log)

    def strip(content: str, height: int = row_h) -> str:
        grid = "".join(
            str(
                format_html(
                    '<line x1="{0}" x2="{0}" y1="0" y2="{1}" stroke="#e3e7eb"/>', x(t), height
                )
            )
            for t in ticks
        )
        if reference is not None:
            grid += str(
                format_html(
                    '<line x1="{0}" x2="{0}" y1="0" y2="{1}" stroke="#566270" '
                    'stroke-dasharray="4 3"/>',
                    x(reference),
                    height,
                )
            )
        return str(
            format_html(
                '<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" '
                'viewBox="0 0 {0} {1}" aria-hidden="true">{2}{3}</svg>',
                width,
                height,
                mark_safe(grid),  # noqa: S308 - built with format_html above
                mark_safe(content),  # noqa: S308 - built with format_html by the caller
            )
        )

    body = []
    for r in rows:
        colour = "#0b4f71" if r.highlight else "#5b7083"
        if not ok(r.estimate):
            marks = format_html('<text x="{}" y="17" fill="#566270" font-size="12">—</text>', pad)
            value = _("no estimate")
        else:
            marks = ""
            if ok(r.low) and ok(r.high):
                marks += str(
                    format_html(
                        '<line data-interval x1="{}" x2="{}" y1="13" y2="13" stroke="{}" '
                        'stroke-width="3" stroke-linecap="round"/>',
                        x(max(r.low, lo)),
                        x(min(r.high, hi)),
                        colour,
                    )
                )
            marks += str(
                format_html(
                    '<circle data-estimate cx="{}" cy="13" r="{}" fill="{}"/>',
                    x(r.estimate),
                    6 if r.highlight else 5,
                    colour,
                )
            )
            value = _("%(estimate)s (%(low)s to %(high)s)") % {
                "estimate": number(r.estimate),
                "low": number(r.low),
                "high": number(r.high),
            }
        body.append(
            format_html(
                '<tr{}><td class="label">{}</td><td class="marks">{}</td>'
                '<td class="value">{}</td></tr>',
                mark_safe(' class="chosen"') if r.highlight else "",
                r.label,
                mark_safe(strip(str(marks))),  # noqa: S308 - built with format_html above
                value,
            )
        )
    labels = "".join(
        str(
            format_html(
                '<text x="{}" y="14" text-anchor="middle" fill="#566270" font-size="11">{}</text>',
                x(t),
                number(t),
            )
        )
        for t in ticks
    )
    axis = strip(labels, 20)
    return format_html(
        '<table class="estimate-figure" data-estimate-figure role="img" aria-label="{}">'
        '<tbody>{}</tbody><tfoot><tr><td></td><td class="marks">{}</td><td></td></tr></tfoot>'
        "</table>",
        caption,
        mark_safe("".join(str(b) for b in body)),  # noqa: S308 - built with format_html above
        mark_safe(axis),  # noqa: S308 - built with format_html above
    )


# --- the report ---------------------------------------------------------------------------


@dataclass
class Report:
    kind: str
    headline: list[tuple[str, str]] = field(default_factory=list)
    figure: SafeString | None = None
    figure_caption: str = ""
    explanation: list[str] = field(default_factory=list)
    diagnostics: list[tuple[str, str]] = field(default_factory=list)
    comparison: dict | None = None  # {"table": ..., "figure": ..., "note": ...}
    chart: dict | None = None  # a Vega-Lite spec for the page (not the PDF)
    chart_caption: str = ""
    tables: list[dict] = field(default_factory=list)
    parameters: list[tuple[str, str]] = field(default_factory=list)
    provenance: list[tuple[str, str]] = field(default_factory=list)
    protected: bool = False


def _level(alpha: Any) -> str:
    try:
        return number(100 * (1 - float(alpha)))
    except (TypeError, ValueError):
        return "95"


def _pairs(pairs: list) -> str:
    return ", ".join(f"{a} × {b}" for a, b in pairs)


def _table(analysis: Analysis, key: str) -> dict | None:
    return next((t for t in analysis.tables if t.get("key") == key), None)


class _Counts:
    """Counts of people or cases in the text: below the threshold shown as '<11' if protected."""

    def __init__(self, protect: bool):
        from matis.analytics.disclosure import min_cell

        self.protect, self.threshold = protect, min_cell()

    def __call__(self, value: Any) -> str:
        if self.protect and isinstance(value, (int, float)) and value < self.threshold:
            return f"<{self.threshold}"
        return number(value, 0) if isinstance(value, (int, float)) else number(value)


def _mse(analysis: Analysis, report: Report) -> None:
    r = analysis.result
    level = _level(r.get("alpha", 0.05))
    method = r.get("method") or analysis.parameters.get("method", "")
    interval = r.get("interval", "")
    report.headline = [
        (_("Estimated number of victims"), number(r.get("population_estimate"), 0)),
        (
            _("%(level)s%% interval") % {"level": level},
            _("%(low)s to %(high)s")
            % {"low": number(r.get("ci_low"), 0), "high": number(r.get("ci_high"), 0)}
            if r.get("ci_high") is not None or r.get("ci_low") is None
            else _("%(low)s or more (no upper limit)") % {"low": number(r.get("ci_low"), 0)},
        ),
        (_("Known to at least one list"), number(r.get("n_observed"), 0)),
        (_("Estimated hidden"), number(r.get("n_unobserved_estimate"), 0)),
    ]
    report.figure_caption = _("Estimated total with its %(level)s%% interval, by method") % {
        "level": level
    }
    lists = r.get("lists", [])
    words = [
        _(
            "The estimate comes from %(method)s, fitted to %(n_lists)s lists (%(lists)s) "
            "that together know %(observed)s people."
        )
        % {
            "method": choice_label("method", method),
            "n_lists": number(len(lists)),
            "lists": ", ".join(lists),
            "observed": number(r.get("n_observed"), 0),
        }
    ]
    if method == "lcmcr":
        words.append(
            _(
                "The latent-class model lets people differ in how likely each list is to "
                "record them; on average %(k)s classes were used."
            )
            % {"k": number(r.get("mean_classes_used"), 1)}
        )
    elif method == "logit_normal":
        words.append(
            _(
                "The logit-normal model lets each person's chance of being recorded vary "
                "continuously, the same way on every list; it cannot tell a few distinct "
                "groups of people from such a spread, and may then find no finite estimate."
            )
        )
    elif r.get("interactions"):
        words.append(
            _(
                "The selected model lets these pairs of lists share more (or fewer) people "
                "than chance would give: %(pairs)s."
            )
            % {"pairs": _pairs(r["interactions"])}
        )
    else:
        words.append(
            _("The selected model has no interaction: it treats the lists as independent.")
        )
    words.append(
        _(
            "An estimated %(hidden)s people were on no list, so the total is %(total)s; "
            "the %(level)s%% interval (%(interval)s) runs from %(low)s to %(high)s."
        )
        % {
            "hidden": number(r.get("n_unobserved_estimate"), 0),
            "total": number(r.get("population_estimate"), 0),
            "level": level,
            "interval": choice_label("interval", interval),
            "low": number(r.get("ci_low"), 0),
            "high": number(r.get("ci_high"), 0),
        }
    )
    comparison = r.get("comparison")
    if comparison is None:  # an analysis stored before the comparison was kept in the result
        table = _table(analysis, "sensitivity")
        comparison = (
            [dict(zip(table["columns"], row, strict=False)) for row in table["rows"]]
            if table
            else []
        )
    estimates = [c["estimate"] for c in comparison if c.get("estimate") is not None]
    if len(estimates) > 1:
        words.append(
            _(
                "The other methods give totals from %(low)s to %(high)s. MSE rests on "
                "assumptions the data cannot test; when the methods disagree, the spread is "
                "part of the uncertainty and should be reported with the figure."
            )
            % {"low": number(min(estimates), 0), "high": number(max(estimates), 0)}
        )
    report.explanation = words
    diagnostics = []
    if r.get("threshold") is not None and method in ("sparse_stepwise", "aic_stepwise"):
        diagnostics.append((_("Significance threshold"), number(r["threshold"])))
    if method != "lcmcr" and r.get("aic") is not None:
        diagnostics += [
            (_("AIC"), number(r.get("aic"), 2)),
            (
                _("Deviance"),
                _("%(deviance)s on %(df)s degrees of freedom")
                % {"deviance": number(r.get("deviance"), 2), "df": number(r.get("df_resid"))},
            ),
            (_("The model converged"), _("yes") if r.get("converged") else _("no")),
        ]
    for i, step in enumerate(r.get("selection_path") or [], 1):
        diagnostics.append(
            (
                _("Selection step %(n)s") % {"n": number(i)},
                _("%(pair)s added (%(p)s, AIC %(aic)s)")
                % {
                    "pair": _pairs([step["pair"]]),
                    "p": p_value(step.get("p_value"), named=True),
                    "aic": number(step.get("aic"), 2),
                },
            )
        )
    if r.get("empty_overlaps"):
        diagnostics.append((_("Lists with no one in common"), _pairs(r["empty_overlaps"])))
    if interval == "bca" and r.get("n_boot"):
        diagnostics.append((_("Bootstrap resamples"), number(r["n_boot"])))
    report.diagnostics = diagnostics
    rows = [
        Interval(
            choice_label("method", c["method"]),
            c.get("estimate"),
            c.get("ci_low"),
            c.get("ci_high"),
            c["method"] == method,
        )
        for c in comparison
    ]
    if not any(row.highlight for row in rows):
        rows.insert(
            0,
            Interval(
                choice_label("method", method),
                r.get("population_estimate"),
                r.get("ci_low"),
                r.get("ci_high"),
                True,
            ),
        )
    report.figure = interval_figure(rows, caption=report.figure_caption)
    if comparison:
        columns = ["method", "estimate", "ci_low", "ci_high", "interval", "chosen", "error"]
        report.comparison = {
            "table": localise_table(
                {
                    "key": "sensitivity",
                    "columns": columns,
                    "rows": [
                        [
                            c.get(col, c["method"] == method if col == "chosen" else None)
                            for col in columns
                        ]
                        for c in comparison
                    ],
                }
            ),
        }


def _its(analysis: Analysis, report: Report) -> None:
    r = analysis.result
    level = _level(r.get("alpha", 0.05))
    outcome = r.get("outcome") or analysis.parameters.get("outcome", "")
    report.headline = [
        (_("Level change"), number(r.get("level_change"))),
        (
            _("%(level)s%% interval") % {"level": level},
            _("%(low)s to %(high)s")
            % {
                "low": number(r.get("level_change_ci_low")),
                "high": number(r.get("level_change_ci_high")),
            },
        ),
        (_("Trend change per period"), number(r.get("slope_change"))),
    ]
    report.figure_caption = _("Effects with their %(level)s%% intervals (0: no effect)") % {
        "level": level
    }
    effects = ("pre_slope", "level_change", "slope_change", "post_slope")
    report.figure = interval_figure(
        [
            Interval(
                str(TERM_LABELS[e]),
                r.get(e),
                r.get(f"{e}_ci_low"),
                r.get(f"{e}_ci_high"),
                e == "level_change",
            )
            for e in effects
            if e in r
        ],
        caption=report.figure_caption,
        reference=0,
    )
    words = []
    if r.get("n") is not None:
        words.append(
            _(
                "A segmented regression of %(outcome)s over %(n)s periods, %(pre)s before and "
                "%(post)s from the intervention at %(at)s, with %(errors)s."
            )
            % {
                "outcome": outcome,
                "n": number(r.get("n")),
                "pre": number(r.get("n_pre")),
                "post": number(r.get("n_post")),
                "at": period(r.get("intervention_at", analysis.parameters.get("intervention_at"))),
                "errors": choice_label("errors", r.get("errors", "")),
            }
        )
    words.append(
        _(
            "At the intervention the level changed by %(change)s (%(level)s%% interval %(low)s "
            "to %(high)s, %(p)s); the trend changed by %(slope)s a period."
        )
        % {
            "change": number(r.get("level_change")),
            "level": level,
            "low": number(r.get("level_change_ci_low")),
            "high": number(r.get("level_change_ci_high")),
            "p": p_value(r.get("level_change_p_value"), named=True),
            "slope": number(r.get("slope_change")),
        }
    )
    report.explanation = words
    diagnostics = [(_("Standard errors"), choice_label("errors", r.get("errors", "")))]
    if r.get("durbin_watson") is not None:
        diagnostics.append((_("Durbin-Watson statistic"), number(r["durbin_watson"], 2)))
    if r.get("r_squared") is not None:
        diagnostics.append((_("R-squared"), number(r["r_squared"], 3)))
    if r.get("rho") is not None:
        diagnostics.append((_("Autocorrelation (rho)"), number(r["rho"], 3)))
    report.diagnostics = diagnostics
    series = _table(analysis, "series")
    if series:
        columns = series["columns"]
        time_col = "time" if "time" in columns else columns[0]
        names = {c: column_label(c) for c in ("observed", "fitted", "counterfactual")}
        values = [
            {
                "period": row[columns.index(time_col)],
                "series": names[c],
                "value": row[columns.index(c)],
            }
            for row in series["rows"]
            for c in names
            if c in columns
        ]
        report.chart = _spec(
            values,
            mark={"type": "line", "point": True},
            encoding={
                "x": {
                    "field": "period",
                    "type": "quantitative",
                    "title": _("Period"),
                    "axis": {"format": "d"},
                },
                "y": {"field": "value", "type": "quantitative", "title": outcome},
                "color": {"field": "series", "type": "nominal", "title": None},
            },
        )
        report.chart_caption = _("Observed, fitted and without the intervention")


def _before_after(analysis: Analysis, report: Report) -> None:
    r = analysis.result
    level = _level(r.get("alpha", 0.05))
    report.headline = [
        (_("Difference in differences"), number(r.get("difference_in_differences"))),
        (
            _("%(level)s%% interval") % {"level": level},
            _("%(low)s to %(high)s")
            % {"low": number(r.get("ci_low")), "high": number(r.get("ci_high"))},
        ),
        (_("p-value"), p_value(r.get("p_value"))),
    ]
    report.figure_caption = _("Difference in differences with its %(level)s%% interval") % {
        "level": level
    }
    report.figure = interval_figure(
        [
            Interval(
                _("Difference in differences"),
                r.get("difference_in_differences"),
                r.get("ci_low"),
                r.get("ci_high"),
                True,
            )
        ],
        caption=report.figure_caption,
        reference=0,
    )
    report.explanation = [
        _(
            "The change in %(outcome)s from before to after among government sources, "
            "less the change among non-government sources, is %(did)s (%(level)s%% interval "
            "%(low)s to %(high)s, %(p)s)."
        )
        % {
            "outcome": r.get("outcome") or analysis.parameters.get("outcome", ""),
            "did": number(r.get("difference_in_differences")),
            "level": level,
            "low": number(r.get("ci_low")),
            "high": number(r.get("ci_high")),
            "p": p_value(r.get("p_value"), named=True),
        }
    ]
    report.diagnostics = [
        (label, number(r[key]))
        for key, label in (
            ("std_err", _("Standard error")),
            ("df", _("Degrees of freedom")),
            ("n_dropped", _("Rows left out")),
        )
        if r.get(key) is not None
    ]


def _risk(analysis: Analysis, report: Report) -> None:
    table = _table(analysis, "odds_ratios") or (analysis.tables[0] if analysis.tables else None)
    rows = (
        [dict(zip(table["columns"], row, strict=False)) for row in table["rows"]] if table else []
    )
    clear = [
        row
        for row in rows
        if row.get("ci_low") is not None
        and row.get("ci_high") is not None
        and (row["ci_low"] > 1 or row["ci_high"] < 1)
    ]
    report.headline = [
        (_("People compared"), number(analysis.result.get("n"), 0)),
        (_("Factors compared"), number(len(rows))),
        (_("Factors whose interval excludes 1"), number(len(clear))),
    ]
    report.figure_caption = _("Odds ratios with their %(level)s intervals (1: no difference)") % {
        "level": "95%"
    }
    report.figure = interval_figure(
        [
            Interval(
                " · ".join(str(row[k]) for k in ("group", "factor", "level") if row.get(k)),
                row.get("odds_ratio"),
                row.get("ci_low"),
                row.get("ci_high"),
                row in clear,
            )
            for row in rows
        ],
        caption=report.figure_caption,
        reference=1,
        log=True,
    )
    reference = analysis.parameters.get("reference", "")
    words = [
        _(
            "Each odds ratio compares how common a factor is in a group with how common it is "
            "in the reference group (%(reference)s): above 1, the factor is more common in "
            "the group; below 1, less common."
        )
        % {"reference": reference}
    ]
    for row in clear:
        words.append(
            _("%(factor)s in %(group)s: odds ratio %(or)s (95%% interval %(low)s to %(high)s).")
            % {
                "factor": row.get("factor"),
                "group": row.get("group"),
                "or": number(row.get("odds_ratio")),
                "low": number(row.get("ci_low")),
                "high": number(row.get("ci_high")),
            }
        )
    report.explanation = words
    corrected = sum(1 for row in rows if row.get("haldane_corrected"))
    dropped = max((row.get("n_dropped") or 0 for row in rows), default=0)
    report.diagnostics = [
        (_("Comparisons with a zero cell, corrected"), number(corrected)),
        (_("Rows left out"), number(dropped)),
    ]
    if analysis.chart:
        spec = dict(analysis.chart)
        layers = [dict(layer) for layer in spec.get("layer", [])]
        if layers:
            encoding = dict(layers[0]["encoding"])
            encoding["x"] = {**encoding["x"], "title": _("Odds ratio (95% CI)")}
            layers[0] = {**layers[0], "encoding": encoding}
            spec["layer"] = layers
        report.chart = {**spec, "config": {"font": FONT}}
        report.chart_caption = report.figure_caption


def _flows(analysis: Analysis, report: Report, counts: _Counts) -> None:
    r = analysis.result
    report.headline = [
        (_("Cases"), counts(r.get("n_cases"))),
        (_("Distinct routes"), number(r.get("n_routes"))),
    ]
    table = _table(analysis, "routes")
    if table and table["rows"]:
        top = dict(zip(table["columns"], table["rows"][0], strict=False))
        route = " → ".join(
            str(top[k]) for k in ("origin", "transit", "destination") if top.get(k) is not None
        )
        report.explanation = [
            _(
                "The %(cases)s cases followed %(routes)s distinct routes; the most common is "
                "%(route)s, with %(n)s cases."
            )
            % {
                "cases": counts(r.get("n_cases")),
                "routes": number(r.get("n_routes")),
                "route": route,
                "n": counts(top.get("n_cases")),
            }
        ]
    if analysis.chart and not report.protected:
        encoding = dict(analysis.chart.get("encoding", {}))
        if "x" in encoding:
            encoding["x"] = {**encoding["x"], "title": _("Cases")}
        report.chart = {**analysis.chart, "encoding": encoding, "config": {"font": FONT}}
        report.chart_caption = _("The most common routes")


def _network(analysis: Analysis, report: Report) -> None:
    r = analysis.result
    report.headline = [
        (_("Actors"), number(r.get("n_actors"))),
        (_("Links"), number(r.get("n_links"))),
    ]
    table = _table(analysis, "central_actors")
    if table and table["rows"] and "actor" in table["columns"]:
        top = table["rows"][0][table["columns"].index("actor")]
        report.explanation = [
            _(
                "%(actors)s actors are linked by %(links)s reported links; the most central "
                "actor is %(top)s. Links reported by several independent sources are the "
                "best corroborated."
            )
            % {
                "actors": number(r.get("n_actors")),
                "links": number(r.get("n_links")),
                "top": top,
            }
        ]


def _spec(values: list[dict], **extra: Any) -> dict:
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "config": {"font": FONT, "view": {"stroke": None}},
        **extra,
    }


def build_report(analysis: Analysis, *, protect: bool = False) -> Report:
    """The report of a finished analysis, in the active language."""
    from matis.analytics.disclosure import protect_table

    report = Report(kind=analysis.kind, protected=protect)
    counts = _Counts(protect)
    if analysis.kind == AnalysisKind.MSE:
        _mse(analysis, report)
    elif analysis.kind == AnalysisKind.ITS:
        _its(analysis, report)
    elif analysis.kind == AnalysisKind.BEFORE_AFTER:
        _before_after(analysis, report)
    elif analysis.kind == AnalysisKind.RISK:
        _risk(analysis, report)
    elif analysis.kind == AnalysisKind.FLOWS:
        _flows(analysis, report, counts)
    elif analysis.kind == AnalysisKind.NETWORK:
        _network(analysis, report)
    tables = analysis.tables
    if protect:
        tables = [{**protect_table(t, kind=analysis.kind), "key": t.get("key", "")} for t in tables]
    report.tables = [
        localise_table(t)
        for t in tables
        if not (report.comparison and t.get("key") == "sensitivity")
    ]
    params = {p.name: p for p in PARAMETERS.get(analysis.kind, [])}
    report.parameters = [
        (
            str(params[k].label) if k in params else k,
            choice_label(k, v)
            if k in params and params[k].kind == "choice"
            else (
                ", ".join(map(str, v)) if isinstance(v, list) else ("—" if v is None else str(v))
            ),
        )
        for k, v in (analysis.parameters or {}).items()
    ]
    prov = analysis.provenance or {}
    run_at = prov.get("run_at")
    if run_at:
        import datetime as dt

        with contextlib.suppress(ValueError):
            run_at = display_date(dt.datetime.fromisoformat(run_at), "DATETIME_FORMAT")
    report.provenance = [
        (label, value)
        for label, value in (
            (_("Data"), prov.get("label")),
            (_("Source"), prov.get("citation")),
            (_("Rows"), number(prov["n_rows"]) if prov.get("n_rows") is not None else None),
            (_("Columns"), ", ".join(prov.get("columns") or [])),
            (_("Fingerprint of the data (SHA-256)"), prov.get("sha256")),
            (_("tipstats version"), prov.get("tipstats_version")),
            (_("Run on"), run_at),
        )
        if value
    ]
    return report
