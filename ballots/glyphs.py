"""Which characters the vendored fonts can print, without loading the fonts.

The code points each font maps (its cmap, as reportlab reads it) are kept as ranges in
fonts/coverage.txt, written by ``python -m ballots.glyphs`` from the fonts themselves; a
test reads the fonts again and compares. Checking a roll's names for 生僻字 then costs one
regular expression of a few hundred ranges (tens of KB), where parsing the two CJK fonts
took ~0.3 s and ~44 MB in every process that imported a roll, printing or not.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

COVERAGE_FILE = Path(__file__).with_name("fonts") / "coverage.txt"

# Characters that print as nothing or as layout and therefore need no glyph.
NO_GLYPH_NEEDED = frozenset(" \t\r\n\u00a0\u200b\ufeff")


def ranges_of(code_points: set[int] | frozenset[int]) -> list[tuple[int, int]]:
    """Sorted code points as (first, last) runs."""
    out: list[tuple[int, int]] = []
    for c in sorted(code_points):
        if out and out[-1][1] == c - 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


@cache
def coverage() -> dict[str, list[tuple[int, int]]]:
    """Font name -> the ranges of code points it maps, as coverage.txt lists them."""
    out: dict[str, list[tuple[int, int]]] = {}
    for line in COVERAGE_FILE.read_text(encoding="ascii").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, *spans = line.split()
        out[name] = [(int(a, 16), int(b or a, 16)) for a, _, b in (s.partition("-") for s in spans)]
    return out


@cache
def _unprintable() -> re.Pattern[str]:
    """One character that no font maps and that needs a glyph."""
    spans = sorted([r for ranges in coverage().values() for r in ranges] + [(ord(c), ord(c)) for c in NO_GLYPH_NEEDED])
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in merged) + "]")


def printable(text: str) -> bool:
    """Whether a vendored font draws every character of ``text`` (missing_glyphs is empty),
    one regular-expression search in C: the roll import asks it of every name and address."""
    return _unprintable().search(text) is None


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that neither vendored font can draw.

    Printing must refuse (or at least warn the committee) when this is not empty: a name
    with a 生僻字 outside the fonts would otherwise print as a blank or a box.
    """
    return set(_unprintable().findall(text))


def write_coverage(maps: Mapping[str, set[int] | frozenset[int]], path: Path = COVERAGE_FILE) -> None:
    lines = ["# Code points each vendored font maps (its cmap as reportlab reads it), as hex ranges.",
             "# Written by `python -m ballots.glyphs` from the fonts; tests/ballots/test_fonts_and_bench.py",
             "# reads the fonts again and compares."]
    for name, points in maps.items():
        lines.append(" ".join([name] + [f"{a:X}" if a == b else f"{a:X}-{b:X}" for a, b in ranges_of(points)]))
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


if __name__ == "__main__":
    from ballots.fonts import font_maps

    write_coverage(font_maps())
    print(f"wrote {COVERAGE_FILE}", file=sys.stderr)
