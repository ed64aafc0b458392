"""Template helpers of the register pages."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def reg_url(spec, action, pk=None):
    """``{% reg_url spec "detail" obj.pk %}``: the URL of a register page."""
    return reverse(spec.url_name(action), kwargs={"pk": pk} if pk is not None else None)


@register.filter
def field_of(form, name):
    return form[name]


@register.filter
def get_item(mapping, key):
    """``{{ request.GET|get_item:name }}``"""
    return mapping.get(key, "")


@register.filter
def verbose_plural(model):
    return model._meta.verbose_name_plural


@register.filter
def review_overdue(agreement, today):
    return agreement.review_overdue(today, agreement.last_review_on)


@register.filter
def percent(value):
    """0.4512 -> '45.1 %'"""
    from django.utils import formats

    return f"{formats.number_format(100 * value, 1)} %"


@register.filter
def points(value):
    """A difference of proportions in percentage points, signed: 0.15 -> '+15.0'."""
    from django.utils import formats

    text = formats.number_format(abs(100 * value), 1)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)
