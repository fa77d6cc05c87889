"""Voter cards (选民证): eight per A4 page (2 x 4) with crop marks, each with a QR of its card code.

The QR holds only the random card code given by the caller, never an ID number: the desk
scans it to find the voter on the roll.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ballots.drawing import crop_marks
from ballots.fonts import draw_text, fit_size, font_name, require_glyphs
from ballots.qr import draw_qr

COLUMNS, ROWS = 2, 4
CARD_W, CARD_H = 90 * mm, 62 * mm
PER_PAGE = COLUMNS * ROWS


@dataclass(frozen=True)
class VoterCard:
    """One voter's card. ``card_code`` is random (from the caller), never an ID number."""

    name: str
    group: str
    station: str
    voter_number: str
    card_code: str


@dataclass(frozen=True)
class CardHeader:
    """What every card of an election shows."""

    election: str
    committee: str
    date: str


def card_origin(index_on_page: int) -> tuple[float, float]:
    """Lower-left corner of the card at ``index_on_page`` (0..7, row by row from the top)."""
    row, col = divmod(index_on_page, COLUMNS)
    cell_w, cell_h = A4[0] / COLUMNS, A4[1] / ROWS
    x = col * cell_w + (cell_w - CARD_W) / 2
    y = A4[1] - (row + 1) * cell_h + (cell_h - CARD_H) / 2
    return x, y


def _draw_card(canvas: Canvas, header: CardHeader, card: VoterCard, x: float, y: float) -> None:
    canvas.setLineWidth(0.4)
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.rect(x, y, CARD_W, CARD_H)
    canvas.setStrokeColorRGB(0, 0, 0)
    crop_marks(canvas, x, y, CARD_W, CARD_H)
    top = y + CARD_H
    draw_text(canvas, x + CARD_W / 2, top - 10 * mm, "选 民 证", 16, "centre")
    draw_text(canvas, x + CARD_W / 2, top - 15 * mm, header.election, fit_size(header.election, 8, CARD_W - 8 * mm), "centre")
    qr = 24 * mm
    qr_x = x + CARD_W - qr - 5 * mm
    draw_qr(canvas, card.card_code, qr_x, y + 14 * mm, qr)
    fields = (("姓名", card.name, 13), ("居民小组", card.group, 10), ("投票站", card.station, 10), ("选民编号", card.voter_number, 10))
    line_y = top - 23 * mm
    label_x, value_x = x + 5 * mm, x + 21 * mm
    value_w = qr_x - 4 * mm - value_x  # keeps the QR's quiet zone clear
    for label, value, size in fields:
        draw_text(canvas, label_x, line_y, f"{label}：", 8.5)
        draw_text(canvas, value_x, line_y, value, fit_size(value, size, value_w))
        line_y -= 7 * mm
    draw_text(canvas, x + 5 * mm, y + 8 * mm, "凭此证到所属投票站领取选票，请妥善保管。", 7)
    draw_text(canvas, x + 5 * mm, y + 4 * mm, f"{header.committee}（盖章）", fit_size(header.committee + "（盖章）", 7, CARD_W - 40 * mm))
    draw_text(canvas, x + CARD_W - 5 * mm, y + 4 * mm, header.date, 7, "right")


def render_voter_cards(header: CardHeader, cards: Iterable[VoterCard], out: BinaryIO,
                       progress: Callable[[int, int], None] | None = None) -> int:
    """Write the cards, eight per A4 page, to ``out`` as a PDF and return the number of cards.

    Raises MissingGlyphError (naming the voter) before printing anything a font cannot draw.
    ``progress(done, total)`` is called after each page and once at the end.
    """
    font_name()
    cards = list(cards)
    for where, text in (("选举名称", header.election), ("选举委员会名称", header.committee), ("日期", header.date)):
        require_glyphs(where, text)
    for n, card in enumerate(cards, start=1):
        for label, text in (("姓名", card.name), ("居民小组", card.group), ("投票站", card.station), ("选民编号", card.voter_number)):
            require_glyphs(f"第 {n} 张选民证（选民编号 {card.voter_number}）的{label}", text)
        if not card.card_code:
            raise ValueError(f"第 {n} 张选民证（选民编号 {card.voter_number}）没有选民证码。")
    if not cards:
        raise ValueError("没有选民，未印制选民证。")
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"{header.election} 选民证")
    canvas.setCreator("Juxuan 居选")
    for n, card in enumerate(cards):
        slot = n % PER_PAGE
        if n and slot == 0:
            canvas.showPage()
            if progress is not None:
                progress(n, len(cards))
        _draw_card(canvas, header, card, *card_origin(slot))
    canvas.showPage()
    canvas.save()
    if progress is not None:
        progress(len(cards), len(cards))
    return len(cards)
