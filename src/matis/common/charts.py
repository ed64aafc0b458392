"""Vega-Lite chart specs: one base and small builders, drawn by ``static/matis/js/charts.js``.

Every chart in MATIS starts from :func:`base_spec`: the same schema version
(the vendored vega-lite, see ``static/vendor/README.md``), the page's width,
and a font list that shapes every COMMIT script. The builders below add the
mark; the apps give the encodings, which say what their data means.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.safestring import SafeString, mark_safe

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = (
    "system-ui, 'Noto Sans', 'Noto Sans Thai', 'Noto Sans Khmer', 'Noto Sans Lao', "
    "'Noto Sans Myanmar', 'Noto Sans CJK SC', sans-serif"
)
# No tooltip handler: vega-tooltip injects a <style> element, which the CSP blocks.
NO_TOOLTIP_HANDLER = {"embedOptions": {"tooltip": False}}


def base_spec(
    title: str | None = None,
    values: list[dict] | None = None,
    *,
    height: int = 240,
    config: dict | None = None,
    **extra: Any,
) -> dict:
    """The base of every chart: schema, optional title, full width, data values and config.

    ``extra`` (mark, encoding, layer, ...) is added last and may replace any key.
    """
    spec: dict[str, Any] = {"$schema": SCHEMA}
    if title is not None:
        spec["title"] = title
    spec["width"] = "container"
    spec["height"] = height
    if values is not None:
        spec["data"] = {"values": values}
    spec["config"] = {"font": FONT, "view": {"stroke": None}} if config is None else config
    spec.update(extra)
    return spec


def axis(field: str, kind: str, title: Any = None, **more: Any) -> dict:
    """One encoding channel: ``{"field", "type", "title", ...}`` (a None title hides it)."""
    return {"field": field, "type": kind, "title": title, **more}


def bar_chart(
    title: str | None, values: list[dict], *, encoding: dict, tooltip: bool = True, **extra: Any
) -> dict:
    """Bars (stacked when a colour channel splits them); ``tooltip`` shows the values on hover."""
    mark: Any = {"type": "bar", "tooltip": True} if tooltip else "bar"
    return base_spec(title, values, mark=mark, encoding=encoding, **extra)


def line_chart(
    title: str | None, values: list[dict], *, encoding: dict, tooltip: bool = True, **extra: Any
) -> dict:
    """A line with a point at each value."""
    mark = {"type": "line", "point": True}
    if tooltip:
        mark["tooltip"] = True
    return base_spec(title, values, mark=mark, encoding=encoding, **extra)


def heatmap(title: str | None, values: list[dict], *, encoding: dict, **extra: Any) -> dict:
    """Coloured rectangles with white borders (rows x columns)."""
    return base_spec(
        title, values, mark={"type": "rect", "stroke": "#fff"}, encoding=encoding, **extra
    )


FONT_DIRECTORIES = ("/usr/share/fonts", "/usr/local/share/fonts")
# The Vega-Lite version vl-convert compiles with: the newest v6 it bundles (the
# browser's is the vendored one, static/vendor/README.md; both read schema v6).
VL_VERSION = "6.4"


@lru_cache(maxsize=1)
def _vl_convert():
    import vl_convert

    for directory in FONT_DIRECTORIES:
        if Path(directory).is_dir():
            vl_convert.register_font_directory(directory)
    return vl_convert


# The reader's script first: WeasyPrint, drawing an SVG's text, takes each
# character from the first font of the list that has it, so a Thai, Khmer, Lao or
# Burmese word must not start in a font without its marks.
SCRIPT_FONTS = {
    "th": "Noto Sans Thai",
    "km": "Noto Sans Khmer",
    "lo": "Noto Sans Lao",
    "my": "Noto Sans Myanmar",
    "zh-hans": "Noto Sans CJK SC",
}


def render_svg(spec: dict, *, width: int = 640, language: str | None = None) -> SafeString:
    """The same Vega-Lite spec the browser draws, rendered to SVG on the server (vl-convert).

    For pages without JavaScript (the PDF reports): a ``"container"`` width
    becomes ``width`` pixels. The SVG is vl-convert's (Vega's own renderer);
    every text in it was escaped by Vega.
    """
    from django.utils.translation import get_language

    spec = dict(spec)
    script_font = SCRIPT_FONTS.get((language or get_language() or "").lower())
    if script_font:
        config = dict(spec.get("config") or {})
        config["font"] = f"'{script_font}', {config.get('font') or FONT}"
        spec["config"] = config
    if spec.get("width") == "container":
        spec["width"] = width
    spec.pop("usermeta", None)
    svg = _vl_convert().vegalite_to_svg(spec, vl_version=VL_VERSION)
    return mark_safe(svg.replace('class="marks"', 'class="marks chart-svg"', 1))  # noqa: S308


def render_img(spec: dict, *, width: int = 640, scale: float = 2.5):
    """The spec drawn by vl-convert as a PNG, in an ``<img>`` (data URI), for the PDF reports.

    WeasyPrint draws an SVG's text letter by letter, which breaks the stacked
    vowels and tone marks of Thai, Khmer, Lao and Burmese; vl-convert's own
    renderer shapes them (with the spec's own font list, as in the browser).
    ``scale`` 2.5 gives about 190 dpi at the report's width. The chart's title
    is the image's text alternative.
    """
    from django.utils.html import format_html

    spec = dict(spec)
    if spec.get("width") == "container":
        spec["width"] = width
    spec.pop("usermeta", None)
    png = _vl_convert().vegalite_to_png(spec, vl_version=VL_VERSION, scale=scale)
    return format_html(
        '<img class="chart-img" src="data:image/png;base64,{}" alt="{}">',
        base64.b64encode(png).decode("ascii"),
        spec.get("title") or "",
    )
