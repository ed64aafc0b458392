"""Text that people type: remove what would let a value disguise itself on screen."""

from __future__ import annotations

import re

# Unicode's explicit directional formatting characters (UAX #9: embeddings,
# overrides and isolates) and the implicit marks. None of MATIS's seven
# languages needs them in a name, and an override such as U+202E makes a
# stored value display as something else ("display spoofing").
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def strip_bidi_controls(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return _BIDI.sub("", text)


def has_bidi_controls(text: str) -> bool:
    return bool(_BIDI.search(text))
