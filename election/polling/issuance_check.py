"""A resident's own check, with the code on their voter card, of whether a paper was
issued against their name (so papers issued to absentees and stuffed become visible):
per round, yes or no and the station, nothing else — no time, no desk, no clerk. An
unknown card code answers exactly like a card with no issuance."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Election, Issuance, PollingStation, Resident


@dataclass(frozen=True)
class IssuanceSeen:
    election: str  # title
    round_number: int
    station: str


def issuance_by_card(db: Session, card_code: str) -> list[IssuanceSeen]:
    """Every round in which a paper was recorded as issued to the card's holder."""
    code = "".join(card_code.split()).upper()
    if not code or len(code) > 32:
        return []
    rows = db.execute(
        select(Election.title, Issuance.round_number, PollingStation.name)
        .join(Resident, Resident.id == Issuance.voter_id)
        .join(Election, Election.id == Issuance.election_id)
        .join(PollingStation, PollingStation.id == Issuance.station_id)
        .where(Resident.card_code == code)
        .order_by(Election.id, Issuance.round_number)
    ).all()
    return [IssuanceSeen(r[0], r[1], r[2]) for r in rows]
