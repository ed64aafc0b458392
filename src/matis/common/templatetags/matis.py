"""Template helpers loaded everywhere (registered as a builtin in settings)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from matis.common.calendars import display_date, display_year, display_year_range
from matis.common.i18n import local_text

register = template.Library()


@register.filter
def mdate(value, fmt="DATE_FORMAT"):
    """``{{ d|mdate }}``: a date in the active language, Buddhist Era for Thai."""
    return display_date(value, fmt)


@register.filter
def myear(value):
    """``{{ 2011|myear }}`` -> 2011, or 2554 for Thai readers."""
    return display_year(value)


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
