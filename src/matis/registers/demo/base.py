"""What every demo module shares: the seed, the places, synthetic names, idempotent rows."""

from __future__ import annotations

import datetime as dt
import random

SEED = 20110125
YEARS = (2011, 2012, 2013)
SYN = "(synthetic)"
LANGUAGE = {"KHM": "km", "CHN": "zh", "LAO": "lo", "MMR": "my", "THA": "th", "VNM": "vi"}
CAPITAL = {
    "KHM": "Phnom Penh",
    "CHN": "Beijing",
    "LAO": "Vientiane",
    "MMR": "Nay Pyi Taw",
    "THA": "Bangkok",
    "VNM": "Ha Noi",
}
NEIGHBOUR = {"KHM": "THA", "CHN": "VNM", "LAO": "THA", "MMR": "THA", "THA": "MMR", "VNM": "KHM"}
BORDER = {
    "KHM": "Poipet",
    "CHN": "Hekou",
    "LAO": "Savannakhet",
    "MMR": "Myawaddy",
    "THA": "Mae Sot",
    "VNM": "Lao Cai",
}
# Syllables for synthetic trainer names: made up by code, not anyone's name.
SYLLABLES = [
    "an",
    "bo",
    "chan",
    "da",
    "em",
    "ha",
    "kim",
    "la",
    "mai",
    "na",
    "ou",
    "pha",
    "ri",
    "sa",
    "ta",
    "va",
    "wen",
    "xi",
    "yu",
    "zan",
]


def synthetic_name(rng: random.Random) -> str:
    given = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
    family = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2)))).capitalize()
    return f"{given} {family} {SYN}"


def day_in(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))


def make(model, ref: str, country: str | None, **fields):
    """Create a synthetic row unless its demo reference exists; return (row, created)."""
    existing = model.objects.filter(ref=ref, country_id=country).first()
    if existing is not None:
        return existing, False
    obj = model(ref=ref, country_id=country, **fields)
    obj.synthetic = True
    obj.full_clean()
    obj.save()
    return obj, True
