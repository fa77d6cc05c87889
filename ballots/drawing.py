"""Small drawing helpers shared by the printed pieces: wrapping, cut lines, scissors, crop marks."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ballots.fonts import text_width


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (Chinese breaks between any two characters)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if line and text_width(line + ch, size) > width:
                # Keep closing punctuation off the start of a line (禁则).
                if ch in "，。、；：？！）》」』”" and len(line) > 1:
                    lines.append(line[:-1])
                    line = line[-1]
                else:
                    lines.append(line)
                    line = ""
            line += ch
        lines.append(line)
    return lines


def dashed_line(canvas: Canvas, x1: float, y1: float, x2: float, y2: float, width: float = 0.6) -> None:
    """A dashed line, for perforations and cut lines."""
    canvas.saveState()
    canvas.setLineWidth(width)
    canvas.setDash(4, 3)
    canvas.line(x1, y1, x2, y2)
    canvas.restoreState()


def scissors(canvas: Canvas, x: float, y: float, size: float = 4 * mm) -> None:
    """A scissors mark centred on (x, y), blades pointing right (drawn: the fonts have no ✂)."""
    r = size * 0.22
    canvas.saveState()
    canvas.setLineWidth(0.7)
    canvas.setFillColorRGB(1, 1, 1)
    # Two blades crossing at the pivot, two ring handles on the left.
    canvas.line(x - size * 0.25, y + size * 0.28, x + size * 0.55, y - size * 0.08)
    canvas.line(x - size * 0.25, y - size * 0.28, x + size * 0.55, y + size * 0.08)
    canvas.circle(x - size * 0.25 - r, y + size * 0.28, r, stroke=1, fill=1)
    canvas.circle(x - size * 0.25 - r, y - size * 0.28, r, stroke=1, fill=1)
    canvas.restoreState()


def crop_marks(canvas: Canvas, x: float, y: float, w: float, h: float, length: float = 3 * mm) -> None:
    """Short corner marks just outside the rectangle (x, y, w, h) that show where to cut."""
    gap = 1 * mm
    canvas.saveState()
    canvas.setLineWidth(0.4)
    for cx, sx in ((x, -1), (x + w, 1)):
        for cy, sy in ((y, -1), (y + h, 1)):
            canvas.line(cx + sx * gap, cy, cx + sx * (gap + length), cy)
            canvas.line(cx, cy + sy * gap, cx, cy + sy * (gap + length))
    canvas.restoreState()

