"""``matis justice measures``: the criminal-justice measures (investigations to compensation) as JSON."""

from __future__ import annotations

from matis.common.cli import add_measures_command


def add_commands(subparsers, setup) -> None:
    add_measures_command(
        subparsers,
        setup,
        app="justice",
        help_text="criminal cases: measures",
        measures="matis.justice.measures.justice_measures",
    )
