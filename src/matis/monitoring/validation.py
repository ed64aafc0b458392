"""Field checks shared by the web forms, the Excel import and the services.

Each check takes a raw value and returns the clean value or raises
``FieldError`` with a message that names what is wrong with the value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from matis.monitoring.models import BudgetKind, OutputKind, PartnerType, ProgressStatus
from matis.monitoring.money import is_currency

MAX_AMOUNT = Decimal("99999999999999.99")
MAX_COUNT = 10**9
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class FieldError(ValueError):
    """A value that cannot be accepted; the message says why."""


def _choice(value, choices, what: str) -> str:
    text = "" if value is None else str(value).strip()
    if text not in choices:
        raise FieldError(
            _("%(what)s “%(value)s” is not one of %(allowed)s")
            % {"what": what, "value": text, "allowed": ", ".join(choices)}
        )
    return text


def labels_in_every_language(choices: list[tuple[str, object]]) -> dict[str, str]:
    """``{label casefolded: code}`` for the labels of ``choices`` in all seven languages,
    so a workbook filled in Thai and uploaded by an English reader still reads."""
    found = {}
    for language in LANGUAGE_CODES:
        with translation.override(language):
            for code, label in choices:
                found.setdefault(str(label).strip().casefold(), code)
    return found


def _labelled_choice(value, choices: list[tuple[str, object]], what: str) -> str:
    """A code given as itself or as its label in any of the seven languages (the workbook
    shows labels, never codes); the error lists the labels in the reader's language."""
    text = "" if value is None else str(value).strip()
    codes = [code for code, _label in choices]
    if text in codes:
        return text
    code = labels_in_every_language(choices).get(text.casefold())
    if code is not None:
        return code
    raise FieldError(
        _("%(what)s “%(value)s” is not one of %(allowed)s")
        % {"what": what, "value": text, "allowed": ", ".join(str(lb) for _c, lb in choices)}
    )


def check_progress(value) -> str:
    return _labelled_choice(value, ProgressStatus.choices, _("status"))


def check_language(value, *, required: bool) -> str:
    text = "" if value is None else str(value).strip().lower()
    if not text and not required:
        return ""
    return _choice(text, LANGUAGE_CODES, _("language"))


def check_output_kind(value) -> str:
    return _choice(value, OutputKind.values, _("output"))


def check_partner_type(value) -> str:
    return _labelled_choice(value, PartnerType.choices, _("partner type"))


def check_budget_kind(value) -> str:
    return _labelled_choice(value, BudgetKind.choices, _("budget line"))


def check_count(value) -> int | None:
    """A count of outputs: a whole number from 0, or empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(_("“%(value)s” is not a whole number") % {"value": value})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldError(_("“%(value)s” is not a whole number") % {"value": value}) from None
    if number != number.to_integral_value() or number < 0 or number > MAX_COUNT:
        raise FieldError(_("“%(value)s” is not a whole number from 0") % {"value": value})
    return int(number)


def check_amount(value, *, required: bool = True) -> Decimal | None:
    """A money amount: from 0, at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("an amount is required"))
        return None
    if isinstance(value, bool):
        raise FieldError(_("“%(value)s” is not an amount") % {"value": value})
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise FieldError(_("“%(value)s” is not an amount") % {"value": value}) from None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise FieldError(_("“%(value)s” is not an amount from 0") % {"value": value})
    if number != number.quantize(Decimal("0.01")):
        raise FieldError(_("“%(value)s” has more than two decimals") % {"value": value})
    return number.quantize(Decimal("0.01"))


def check_value(value) -> Decimal | None:
    """An indicator value, or empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(_("“%(value)s” is not a number") % {"value": value})
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise FieldError(_("“%(value)s” is not a number") % {"value": value}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise FieldError(_("“%(value)s” is not a number") % {"value": value})
    return number.quantize(Decimal("0.0001"))


def check_currency(value) -> str:
    text = "" if value is None else str(value).strip().upper()
    if not is_currency(text):
        raise FieldError(_("“%(value)s” is not an ISO 4217 currency code") % {"value": text})
    return text


def check_text(value, *, max_length: int, required: bool = False, what: str = "") -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise FieldError(_("%(what)s is required") % {"what": what or _("a value")})
    if len(text) > max_length:
        raise FieldError(_("is longer than %(n)s characters") % {"n": max_length})
    return text
