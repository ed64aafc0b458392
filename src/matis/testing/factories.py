"""Factories for country-owned objects, used by the authorisation tests.

Every model that a country-scoped URL exposes needs a factory here (apps
register theirs with :func:`factory_for`), so the URL-enumerating tests can
create one row in each country and check that only the own one is visible.
Each object carries a unique marker string that shows wherever it is listed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

_counter = itertools.count(1)
_FACTORIES: dict[type, Callable[[str, str], object]] = {}
_MARKERS: dict[tuple[type, object], str] = {}


def factory_for(model: type):
    def decorate(func: Callable[[str, str], object]):
        _FACTORIES[model] = func
        return func

    return decorate


def make_scoped_object(model: type, country: str):
    import matis.testing.app_factories  # noqa: F401 - registers the factories

    if model not in _FACTORIES:
        raise LookupError(f"no test factory for {model.__name__}: add one with @factory_for")
    marker = f"MARKER-{country}-{next(_counter)}"
    obj = _FACTORIES[model](country, marker)
    _MARKERS[(model, obj.pk)] = marker
    return obj


def marker_of(obj) -> str:
    return _MARKERS[(type(obj), obj.pk)]
