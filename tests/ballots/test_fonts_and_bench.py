"""Glyph coverage (NOTES.md "Chinese text in PDFs": never print a blank) and the print benchmark."""
from __future__ import annotations

from ballots.bench import bench_ballots
from ballots.fonts import FALLBACK, PRIMARY, font_maps, missing_glyphs, runs
from ballots.glyphs import NO_GLYPH_NEEDED, coverage, printable, ranges_of


def test_missing_glyphs_reports_only_characters_outside_both_fonts() -> None:
    assert missing_glyphs("王建国 Li 2027-03") == set()
    assert missing_glyphs("刘䶮") == set()  # CJK Extension A, from the fallback font
    assert missing_glyphs("𠮷野家") == {"𠮷"}  # CJK Extension B, in neither font
    assert missing_glyphs("\U000f0000") == {"\U000f0000"}  # private use plane


def test_runs_pick_the_fallback_only_where_needed() -> None:
    assert runs("刘䶮A1") == [(PRIMARY, "刘"), (FALLBACK, "䶮"), (PRIMARY, "A1")]


def test_bench_reports_rates_and_ratio() -> None:
    result = bench_ballots(20)
    assert result["papers"] == 20
    assert result["ballots_per_cpu_second"] > 0 and result["floor_pages_per_cpu_second"] > 0
    expected = result["ballots_per_cpu_second"] / result["floor_pages_per_cpu_second"]
    assert abs(result["ratio"] - expected) < 0.05 * expected


def test_the_coverage_file_is_what_the_fonts_map() -> None:
    """ballots/fonts/coverage.txt (read by the glyph checks without loading the fonts) lists
    exactly the code points of each font's cmap; `python -m ballots.glyphs` rewrites it."""
    maps = font_maps()
    assert {name: ranges_of(points) for name, points in maps.items()} == coverage()
    every = maps[PRIMARY] | maps[FALLBACK]
    for c in [*range(0x20, 0x3000), *range(0x3400, 0x4E00, 7), *range(0x4E00, 0xA000, 3), 0x20BB7, 0xF0000]:
        assert printable(chr(c)) == (c in every or chr(c) in NO_GLYPH_NEEDED), hex(c)
