"""Template helpers of the monitoring pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def plain_number(value, empty: str = ""):
    """A decimal without trailing zeros or exponent: Decimal('100.0000') -> '100'."""
    if value is None or value == "":
        return empty
    try:
        text = format(Decimal(value), "f")
    except (InvalidOperation, TypeError, ValueError):
        return empty
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
