"""当选证书: one certificate per elected member, A4 landscape, one page each."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ballots.drawing import wrap
from ballots.fonts import draw_text, font_name, require_glyphs

_RED = (0.62, 0.09, 0.09)
_GOLD = (0.72, 0.55, 0.2)


@dataclass(frozen=True)
class Certificate:
    """One member's certificate, e.g. 张伟 当选 幸福里社区居民委员会 副主任."""

    name: str
    body: str
    post: str
    election: str
    term: str
    date: str
    committee: str
    number: str
    held_on: str = ""
    """The voting day of the round that elected the member (printed in the body); ``date``
    is the day the committee signs (the result's publication)."""


def _frame(canvas: Canvas, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setStrokeColorRGB(*_RED)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setStrokeColorRGB(*_GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    # Small squares at the inner corners, a quiet traditional ornament.
    canvas.setFillColorRGB(*_GOLD)
    for x, y in ((16, 16), (16, None), (None, 16), (None, None)):
        cx = x * mm if x is not None else width - 16 * mm
        cy = y * mm if y is not None else height - 16 * mm
        canvas.rect(cx - 2 * mm, cy - 2 * mm, 4 * mm, 4 * mm, stroke=0, fill=1)
    canvas.restoreState()


def _draw(canvas: Canvas, cert: Certificate) -> None:
    width, height = landscape(A4)
    _frame(canvas, width, height)
    canvas.setFillColorRGB(*_RED)
    draw_text(canvas, width / 2, height - 50 * mm, "当 选 证 书", 40, "centre")
    canvas.setFillColorRGB(0, 0, 0)
    left, right = 40 * mm, width - 40 * mm
    draw_text(canvas, left, height - 78 * mm, f"{cert.name}同志：", 20)
    body = (
        f"　　在{cert.held_on or cert.date}举行的{cert.election}中，经选民依法投票选举，"
        f"您当选为{cert.body}{cert.post}（{cert.term}）。"
    )
    y = height - 92 * mm
    for line in wrap(body, 17, right - left):
        draw_text(canvas, left, y, line, 17)
        y -= 11 * mm
    draw_text(canvas, left, y - 2 * mm, "　　特发此证。", 17)
    draw_text(canvas, right, 52 * mm, cert.committee, 15, "right")
    draw_text(canvas, right, 42 * mm, cert.date, 15, "right")
    canvas.saveState()
    canvas.setFillColorRGB(0.45, 0.45, 0.45)
    draw_text(canvas, right - 60 * mm, 47 * mm, "（盖章）", 9, "right")
    draw_text(canvas, 24 * mm, 22 * mm, f"证书编号：{cert.number}", 8)
    canvas.restoreState()


def render_certificates(certificates: Iterable[Certificate], out: BinaryIO) -> int:
    """Write one landscape A4 page per certificate to ``out``; returns the number written."""
    font_name()
    certs = list(certificates)
    if not certs:
        raise ValueError("没有当选人，未打印当选证书。")
    for n, cert in enumerate(certs, start=1):
        for label, text in (("姓名", cert.name), ("组织", cert.body), ("职务", cert.post), ("选举名称", cert.election),
                            ("任期", cert.term), ("日期", cert.date), ("投票日期", cert.held_on), ("选举委员会名称", cert.committee), ("证书编号", cert.number)):
            require_glyphs(f"第 {n} 张当选证书的{label}", text)
    canvas = Canvas(out, pagesize=landscape(A4), pageCompression=1, invariant=1)
    canvas.setTitle("当选证书")
    canvas.setCreator("Juxuan 居选")
    for cert in certs:
        _draw(canvas, cert)
        canvas.showPage()
    canvas.save()
    return len(certs)
