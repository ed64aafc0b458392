"""Charts drawn on the server as SVG, for the annual report (HTML and PDF alike).

WeasyPrint runs no JavaScript, so the report cannot use the Vega-Lite charts of
the dashboards. These small builders draw the same kinds of charts as plain
SVG: presentation attributes only (no inline styles, so the pages' content
security policy holds), text in the system fonts that shape every COMMIT script.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

FONT = (
    "Noto Sans, Noto Sans Thai, Noto Sans Khmer, Noto Sans Lao, Noto Sans Myanmar, "
    "Noto Sans CJK SC, sans-serif"
)
PALETTE = ["#0b4f71", "#137a7f", "#e0a23b", "#b5471b", "#6b5b95", "#2e7d32", "#8c6d31"]
INK, MUTED, GRID = "#1d2630", "#566270", "#d5dbe1"


def _num(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else None


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    """The finished chart; every text in ``body`` went through ``_text`` (escaped)."""
    return mark_safe(  # noqa: S308 - all text escaped by _text/escape/quoteattr
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(title)} font-family={quoteattr(FONT)} font-size="11" '
        f'fill="{INK}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 11,
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}">{escape(str(text))}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"/>'


def _blend(share: float, low=(0xEE, 0xF5, 0xEE), high=(0x1B, 0x5E, 0x20)) -> str:
    """A colour between ``low`` (0) and ``high`` (1)."""
    return "#" + "".join(
        f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True)
    )


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out, cursor = [], x
    for label, colour in items:
        out.append(_rect(cursor, y - 9, 10, 10, colour))
        out.append(_text(cursor + 14, y, label, size=10))
        cursor += 24 + 6.5 * len(str(label))
    return out


def hbar_chart(
    items: Sequence[tuple[str, object]],
    *,
    title: str,
    max_value: float = 100,
    unit: str = "%",
    width: int = 640,
) -> str:
    """Horizontal bars, one per item: (label, value or None)."""
    label_width, bar_height, gap, top = 150, 16, 6, 10
    height = top + len(items) * (bar_height + gap) + 24
    scale_width = width - label_width - 60
    body = []
    for tick in range(0, 101, 25):
        x = label_width + scale_width * tick / 100
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" '
            f'y2="{height - 20}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            _text(x, height - 6, f"{max_value * tick / 100:g}", anchor="middle", size=9, fill=MUTED)
        )
    for index, (label, value) in enumerate(items):
        y = top + index * (bar_height + gap)
        body.append(_text(label_width - 8, y + bar_height - 4, label, anchor="end"))
        number = _num(value)
        if number is None:
            body.append(_text(label_width + 4, y + bar_height - 4, "–", fill=MUTED))
            continue
        body.append(
            _rect(
                label_width,
                y,
                scale_width * min(number, max_value) / max_value,
                bar_height,
                PALETTE[0],
            )
        )
        body.append(
            _text(
                label_width + scale_width * min(number, max_value) / max_value + 4,
                y + bar_height - 4,
                f"{number:.0f}{unit}",
                size=10,
            )
        )
    return _svg(width, height, title, body)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[object]],
    *,
    title: str,
    width: int = 640,
) -> str:
    """A grid of cells shaded by value (0-100), with the value written in each cell."""
    label_width, top, cell_height = 150, 22, 22
    cell_width = (width - label_width) / max(1, len(columns))
    height = top + len(rows) * cell_height + 6
    body = [
        _text(
            label_width + cell_width * (i + 0.5),
            top - 8,
            c,
            anchor="middle",
            size=10,
            weight="bold",
        )
        for i, c in enumerate(columns)
    ]
    for r, label in enumerate(rows):
        y = top + r * cell_height
        body.append(_text(label_width - 8, y + cell_height - 7, label, anchor="end"))
        for c, value in enumerate(values[r]):
            x = label_width + c * cell_width
            number = _num(value)
            if number is None:
                body.append(_rect(x + 1, y + 1, cell_width - 2, cell_height - 2, "#f0f0f0"))
                body.append(
                    _text(x + cell_width / 2, y + cell_height - 7, "–", anchor="middle", fill=MUTED)
                )
                continue
            colour = _blend(min(max(number, 0), 100) / 100)
            body.append(_rect(x + 1, y + 1, cell_width - 2, cell_height - 2, colour))
            body.append(
                _text(
                    x + cell_width / 2,
                    y + cell_height - 7,
                    f"{number:.0f}%",
                    anchor="middle",
                    fill="#fff" if number > 55 else INK,
                )
            )
    return _svg(width, int(height), title, body)


def stacked_columns(
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[object]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
) -> str:
    """Columns per category, stacked by series; values[category][series]."""
    left, bottom, top = 70, 46, 12
    plot_height = height - top - bottom
    totals = [sum(_num(v) or 0 for v in row) for row in values]
    peak = max(totals or [0]) or 1
    column_width = (width - left - 20) / max(1, len(categories))
    body = []
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_height * (1 - tick / 4)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 3, f"{value:,.0f}", anchor="end", size=9, fill=MUTED))
    for i, category in enumerate(categories):
        x = left + i * column_width + column_width * 0.2
        y = top + plot_height
        for s, value in enumerate(values[i]):
            h = plot_height * (_num(value) or 0) / peak
            y -= h
            body.append(_rect(x, y, column_width * 0.6, h, PALETTE[s % len(PALETTE)]))
        body.append(
            _text(x + column_width * 0.3, top + plot_height + 14, category, anchor="middle")
        )
    body += _legend(
        [(s, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)], left, height - 8
    )
    return _svg(width, height, title, body)


def grouped_columns(
    groups: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[object]],
    *,
    title: str,
    max_value: float = 100,
    unit: str = "%",
    width: int = 640,
    height: int = 240,
) -> str:
    """Columns per group, side by side by series; values[group][series]."""
    left, bottom, top = 40, 46, 12
    plot_height = height - top - bottom
    group_width = (width - left - 10) / max(1, len(groups))
    bar_width = group_width * 0.8 / max(1, len(series))
    body = []
    for tick in range(0, 101, 25):
        y = top + plot_height * (1 - tick / 100)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            _text(
                left - 6,
                y + 3,
                f"{max_value * tick / 100:g}{unit}",
                anchor="end",
                size=9,
                fill=MUTED,
            )
        )
    for g, group in enumerate(groups):
        x0 = left + g * group_width + group_width * 0.1
        for s, value in enumerate(values[g]):
            number = _num(value)
            if number is None:
                continue
            h = plot_height * min(number, max_value) / max_value
            body.append(
                _rect(
                    x0 + s * bar_width,
                    top + plot_height - h,
                    bar_width * 0.92,
                    h,
                    PALETTE[s % len(PALETTE)],
                )
            )
        body.append(
            _text(x0 + group_width * 0.4, top + plot_height + 14, group, anchor="middle", size=10)
        )
    body += _legend(
        [(s, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)], left, height - 8
    )
    return _svg(width, height, title, body)
