"""The embedded CJK fonts of every Juxuan PDF, glyph-coverage checks and mixed-font text runs.

Two TrueType fonts are vendored in ballots/fonts/ (see SOURCES.txt): WenQuanYi Micro Hei as
the primary font (it has Latin, digits, ○ × and the GBK hanzi) and Droid Sans Fallback for
the rarer hanzi (CJK Extension A) it lacks. Droid Sans Fallback alone has no digits or Latin
letters, and reportlab's STSong-Light embeds nothing, so neither is enough on its own.
Text is split into runs per font; a character in neither font is refused before printing.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ballots.glyphs import missing_glyphs, printable

FONT_DIR = Path(__file__).with_name("fonts")
PRIMARY = "JuxuanSans"
FALLBACK = "JuxuanSansExt"
_FILES = {PRIMARY: FONT_DIR / "WenQuanYiMicroHei.ttf", FALLBACK: FONT_DIR / "DroidSansFallbackFull.ttf"}

__all__ = ["FALLBACK", "PRIMARY", "MissingGlyphError", "draw_text", "fit_size", "font_maps", "font_name", "markup",
           "missing_glyphs", "printable", "require_glyphs", "runs", "text_width"]


@dataclass(frozen=True)
class _Loaded:
    primary: frozenset[int]
    fallback: frozenset[int]


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _load() -> _Loaded:
    # Parsing the two CJK fonts costs ~0.3 s and ~44 MB: once per process, whichever thread
    # asks, and only to print (which characters print is known without them: ballots.glyphs).
    global _loaded
    with _lock:
        if _loaded is None:
            maps = {}
            for name, path in _FILES.items():
                font = TTFont(name, str(path))
                pdfmetrics.registerFont(font)
                maps[name] = frozenset(font.face.charToGlyph)
            _loaded = _Loaded(maps[PRIMARY], maps[FALLBACK])
        return _loaded


def font_maps() -> dict[str, frozenset[int]]:
    """Font name -> the code points its cmap maps, read from the font files (registering them)."""
    fonts = _load()
    return {PRIMARY: fonts.primary, FALLBACK: fonts.fallback}


def font_name() -> str:
    """Register the embedded fonts (once per process) and return the primary font's name."""
    _load()
    return PRIMARY


class MissingGlyphError(ValueError):
    """A text to be printed holds characters the embedded fonts cannot draw."""

    def __init__(self, where: str, text: str, chars: set[str]) -> None:
        self.where = where
        self.text = text
        self.chars = chars
        listed = "、".join(f"“{c}”(U+{ord(c):04X})" for c in sorted(chars))
        super().__init__(
            f"{where}“{text}”中的字 {listed} 在内嵌字体中没有字形，印出来会是空白，已停止打印；"
            f"请核对该字的写法，或补充含该字的字体后再打印。"
        )


def require_glyphs(where: str, text: str) -> None:
    """Raise :class:`MissingGlyphError` (its message names ``where``) if ``text`` cannot print."""
    missing = missing_glyphs(text)
    if missing:
        raise MissingGlyphError(where, text, missing)


def runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into (font name, substring) runs: primary font unless only the fallback has it."""
    fonts = _load()
    out: list[tuple[str, str]] = []
    for ch in text:
        name = FALLBACK if ord(ch) not in fonts.primary and ord(ch) in fonts.fallback else PRIMARY
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` set in the embedded fonts at ``size``."""
    return sum(pdfmetrics.stringWidth(part, name, size) for name, part in runs(text))


def draw_text(canvas: Canvas, x: float, y: float, text: str, size: float, align: str = "left") -> float:
    """Draw ``text`` with per-run fonts; ``align`` is left, centre or right of x. Returns the width."""
    parts = runs(text)
    width = sum(pdfmetrics.stringWidth(part, name, size) for name, part in parts)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    # One text object for all runs, so text extraction reads a mixed-font name as one word.
    text_object = canvas.beginText(x, y)
    for name, part in parts:
        text_object.setFont(name, size)
        text_object.textOut(part)
    canvas.drawText(text_object)
    return width


def fit_size(text: str, size: float, max_width: float, min_size: float = 6.0) -> float:
    """The largest size <= ``size`` (down to ``min_size``) at which ``text`` fits ``max_width``."""
    width = text_width(text, size)
    if width <= max_width or width == 0:
        return size
    return max(min_size, size * max_width / width)


def markup(text: str) -> str:
    """``text`` escaped for a platypus Paragraph, with <font> tags around fallback-font runs."""
    from xml.sax.saxutils import escape

    return "".join(
        escape(part) if name == PRIMARY else f'<font face="{FALLBACK}">{escape(part)}</font>'
        for name, part in runs(text)
    )
