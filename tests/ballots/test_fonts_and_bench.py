"""Glyph coverage (NOTES.md "Chinese text in PDFs": never print a blank) and the print benchmark."""
from __future__ import annotations

from ballots.bench import bench_ballots
from ballots.fonts import FALLBACK, PRIMARY, missing_glyphs, runs


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
