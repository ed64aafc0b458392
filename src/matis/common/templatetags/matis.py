"""Template helpers loaded everywhere (registered as a builtin in settings)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from matis.common.calendars import display_date, display_year, display_year_range
from matis.common.countries import country_name
from matis.common.i18n import local_text
from matis.common.l10n import language_name as cldr_language_name
from matis.common.tables import format_cell

register = template.Library()


@register.filter
def mdate(value, fmt="DATE_FORMAT"):
    """``{{ d|mdate }}``: a date in the active language, Buddhist Era for Thai."""
    return display_date(value, fmt)


@register.filter
def myear(value):
    """``{{ 2011|myear }}`` -> 2011, or 2554 for Thai readers."""
    return display_year(value)


@register.filter
def mnumber(value):
    """``{{ amount|mnumber }}``: 11,634,984 or 57.1 - grouped, no trailing zeros, in the
    active language's number format (the tables' "number" cells, :func:`format_cell`)."""
    return format_cell(value, "number", blank="—")


@register.filter
def country(code):
    """``{{ "DEU"|country }}`` -> 'Germany', 'เยอรมนี' (CLDR; COMMIT members as the MOU names
    them). An unknown code is shown as it is."""
    if not code:
        return ""
    return country_name(str(getattr(code, "pk", code)), default=str(code))


@register.filter
def language_name(code):
    """``{{ "lo"|language_name }}`` -> 'Lao', 'ລາວ' in the reader's language (CLDR)."""
    return cldr_language_name(str(code)) if code else ""


@register.simple_tag
def myears(start, end):
    return display_year_range(start, end)


@register.simple_tag
def ltext(obj, field):
    """Show ``obj.<field>_<lang>``; a fallback to English carries a visible marker."""
    text = local_text(obj, field)
    if not text.is_fallback:
        return format_html('<span lang="{}">{}</span>', text.language, text.text)
    return format_html(
        '<span lang="en">{}</span> <abbr class="fallback" title="{}">EN</abbr>',
        text.text,
        _("Not yet translated: shown in English"),
    )


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def chart_empty(spec) -> bool:
    """True when a chart spec carries no data at all (its own values and every layer's are
    empty): the page says so instead of drawing axes with an infinite extent."""
    if not isinstance(spec, dict):
        return False
    values = (spec.get("data") or {}).get("values")
    layers = spec.get("layer") or []
    if values is None:
        layer_values = [(layer.get("data") or {}).get("values") for layer in layers]
        return bool(layer_values) and all(v == [] for v in layer_values)
    return values == [] and all(not (layer.get("data") or {}).get("values") for layer in layers)


@register.simple_tag
def vega_spec(spec, target_id):
    """Embed a Vega-Lite spec as inert JSON for ``static/matis/js/charts.js`` to draw."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    payload = json.dumps(spec, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html(
        '<script type="application/json" class="vega-spec" data-target="{}">{}</script>',
        target_id,
        mark_safe(payload),  # noqa: S308 - JSON escaped above for a script element
    )
