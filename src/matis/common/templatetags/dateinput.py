"""Template helpers for hand-written date boxes: ``{% load dateinput %}``.

``{{ value|input_date }}`` writes a stored date as the user types it (BE for
Thai); ``{% date_placeholder %}`` is the expected format. Prefer a form's
:class:`matis.common.dateinput.LocalDateField`, which does both.
"""

from __future__ import annotations

from django import template

from matis.common.dateinput import date_placeholder as _placeholder
from matis.common.dateinput import format_input_date

register = template.Library()


@register.filter
def input_date(value):
    return format_input_date(value)


@register.simple_tag
def date_placeholder():
    return _placeholder()
