"""Demo data: each app may name a ``demo_loader`` on its AppConfig; they run in ``demo_order``.

Every loader is idempotent (a second run changes nothing) and generates its
synthetic data by code, with a fixed random seed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.apps import apps


def demo_loaders() -> list[tuple[str, Callable]]:
    configs = [c for c in apps.get_app_configs() if getattr(c, "demo_loader", None)]
    configs.sort(key=lambda c: getattr(c, "demo_order", 100))
    loaders = []
    for config in configs:
        module_name, func_name = config.demo_loader.rsplit(".", 1)
        loaders.append((config.label, getattr(import_module(module_name), func_name)))
    return loaders


def run_demo_loaders(*, progress: Callable[[str], None] = print) -> None:
    for label, loader in demo_loaders():
        progress(f"  {label}: {loader()}")
