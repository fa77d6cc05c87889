"""Voter cards: eight per page, Chinese fields read back, QR holds the card code (never an ID)."""
from __future__ import annotations

import io
import secrets

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from ballots.fonts import MissingGlyphError
from ballots.voter_cards import CARD_H, CARD_W, CardHeader, VoterCard, card_origin, render_voter_cards
from tests.ballots.pdfcheck import crop_points, qr_payloads, render_page

HEADER = CardHeader("幸福里社区第十二届居民委员会换届选举", "幸福里社区居民选举委员会", "2027年3月1日")


def cards(n: int) -> list[VoterCard]:
    return [VoterCard(f"选民{i:02d}", "第三居民小组", "活动中心投票站", f"03-{i:04d}", secrets.token_urlsafe(12)) for i in range(n)]


def test_eight_cards_per_page_each_qr_decodes_to_its_own_code() -> None:
    deck = cards(10)
    buf = io.BytesIO()
    assert render_voter_cards(HEADER, deck, buf) == 10
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert [c.name for c in deck[:8]] == [name for name in (c.name for c in deck) if name in first]
    assert "选民08" in reader.pages[1].extract_text()
    image = render_page(buf.getvalue(), 0)
    for slot in (0, 5, 7):
        x, y = card_origin(slot)
        assert qr_payloads(crop_points(image, A4[1], x, y, x + CARD_W, y + CARD_H)) == [deck[slot].card_code]
    for card in deck[:8]:
        assert card.card_code not in first  # only in the QR


def test_rare_character_in_a_name_is_refused_naming_the_card() -> None:
    deck = cards(2)
    deck[1] = VoterCard("𠮷祥", "第三居民小组", "活动中心投票站", "03-0099", "x1")
    with pytest.raises(MissingGlyphError, match="选民编号 03-0099"):
        render_voter_cards(HEADER, deck, io.BytesIO())
