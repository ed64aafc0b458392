"""The tables and charts of the justice measures page (the downloads are the same tables)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.charts import bar_chart
from matis.common.tables import Column, Table, percent
from matis.justice import measures
from matis.justice.choices import ClaimKind, Law, VerdictOutcome


def measure_tables(*, country, years: list[int], data: dict) -> dict[str, Table]:
    timing_rows = []
    for y in sorted(years):
        t = measures.verdict_timing(country, y)
        share = t["share_reaching_verdict"]
        timing_rows.append(
            {
                "year": y,
                "opened": t["cases_opened"],
                "reached": t["reached_verdict"],
                "share": percent(share),
                "median_days": t["median_days_to_verdict"],
            }
        )
    timing = Table(
        "verdicts",
        _("Criminal cases reaching a verdict, by year the investigation opened"),
        [
            Column("year", _("Year opened"), "year"),
            Column("opened", _("Cases opened"), "int"),
            Column("reached", _("Reached a verdict"), "int"),
            Column("share", _("Share (%)"), "number"),
            Column("median_days", _("Median days to verdict"), "number"),
        ],
        timing_rows,
        note=_("Recent years are incomplete: many of their cases are still under way."),
    )
    laws = dict(Law.choices)
    charges = Table(
        "charges",
        _("Charges decided in the year, by law"),
        [
            Column("law", _("Law")),
            *[Column(o, str(label), "int") for o, label in VerdictOutcome.choices],
        ],
        [{"law": str(laws[law]), **counts} for law, counts in data["charges_decided"].items()],
    )
    kinds = dict(ClaimKind.choices)
    compensation = Table(
        "compensation",
        _("Compensation decided in the year: awarded and paid"),
        [
            Column("currency", _("Currency")),
            Column("kind", _("Claim")),
            Column("claims", _("Claims"), "int"),
            Column("claimed", _("Claimed"), "number"),
            Column("awarded", _("Awarded"), "number"),
            Column("paid", _("Paid so far"), "number"),
            Column("paid_pct", _("Paid (%)"), "number"),
        ],
        [
            {
                **row,
                "kind": str(kinds[row["kind"]]),
                "paid_pct": percent(row["paid_share"]),
            }
            for row in data["compensation"]
        ],
        note=_("Amounts in each currency as awarded; currencies are not converted."),
    )
    assets = Table(
        "assets",
        _("Assets confiscated in the year"),
        [Column("currency", _("Currency")), Column("value", _("Value"), "number")],
        [{"currency": c, "value": v} for c, v in data["assets"].items()],
    )
    return {t.name: t for t in (timing, charges, compensation, assets)}


def measure_charts(built: dict[str, Table]) -> dict[str, dict]:
    share_values = [
        {"year": display_year(r["year"]), "share": r["share"]}
        for r in built["verdicts"].rows
        if r["share"] is not None
    ]
    money = []
    for r in built["compensation"].rows:
        money.append(
            {
                "group": f"{r['currency']} · {r['kind']}",
                "what": _("Awarded"),
                "amount": float(r["awarded"]),
            }
        )
        money.append(
            {
                "group": f"{r['currency']} · {r['kind']}",
                "what": _("Paid so far"),
                "amount": float(r["paid"]),
            }
        )
    return {
        "verdicts": bar_chart(
            built["verdicts"].title,
            share_values,
            encoding={
                "x": {"field": "year", "type": "ordinal", "title": _("Year opened"), "sort": None},
                "y": {
                    "field": "share",
                    "type": "quantitative",
                    "title": _("Share (%)"),
                    "scale": {"domain": [0, 100]},
                },
            },
        ),
        "compensation": bar_chart(
            built["compensation"].title,
            money,
            encoding={
                "y": {"field": "group", "type": "nominal", "title": None},
                "yOffset": {"field": "what"},
                "x": {"field": "amount", "type": "quantitative", "title": _("Amount")},
                "color": {"field": "what", "type": "nominal", "title": None},
            },
        ),
    }
