"""``matis returns measures``: the return, reintegration and re-trafficking measures as JSON."""

from __future__ import annotations

from matis.common.cli import add_measures_command


def add_commands(subparsers, setup) -> None:
    add_measures_command(
        subparsers,
        setup,
        app="returns",
        help_text="returns and reintegration: measures",
        measures="matis.returns.measures.returns_measures",
    )
