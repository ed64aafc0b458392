"""Make ``cantonese.tsv`` from the Unicode Han Database (Unihan).

Usage: ``python make_cantonese_table.py /usr/share/unicode > cantonese.tsv``
(Debian's ``unicode-data`` package installs Unihan there). For each CJK
Unified Ideograph (U+4E00..U+9FFF) the first ``kCantonese`` reading
(Jyutping) as Unihan gives it; a character without one (most simplified
forms) takes the reading of its ``kTraditionalVariant``, and its third
column names that variant. Values are copied, never edited.
"""

import bz2
import sys
from pathlib import Path


def _fields(path: Path, wanted: str) -> dict[str, str]:
    out = {}
    with bz2.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            code, field, value = line.rstrip("\n").split("\t", 2)
            if field == wanted:
                out[chr(int(code[2:], 16))] = value
    return out


def main(folder: str) -> None:
    root = Path(folder)
    readings = _fields(root / "Unihan_Readings.txt.bz2", "kCantonese")
    traditional = _fields(root / "Unihan_Variants.txt.bz2", "kTraditionalVariant")
    print("char\tjyutping\tvia")
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        if ch in readings:
            print(f"{ch}\t{readings[ch].split()[0]}\t")
            continue
        for variant in traditional.get(ch, "").split():
            trad = chr(int(variant[2:], 16))
            if trad in readings:
                print(f"{ch}\t{readings[trad].split()[0]}\t{trad}")
                break


if __name__ == "__main__":
    main(sys.argv[1])
