"""An election's settings as the services read them: one accessor each, so no service
rebuilds them from the columns by hand.

rulebook_of: the election's rulebook; box_keys: the identifier each ballot box has in
the published bundle.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import BallotBox, Election, PollingStation
from .rules.rulebook import Rulebook


def rulebook_of(election: Election) -> Rulebook:
    """The election's rulebook (its frozen rules once the roll is published)."""
    return Rulebook.from_dict(election.rulebook)


def box_keys(db: Session, election: Election) -> dict[int, str]:
    """Box id -> the identifier published in the bundle (its label; station/label when
    two stations use the same label)."""
    rows = db.execute(select(BallotBox.id, BallotBox.label, PollingStation.name)
                      .join(PollingStation, BallotBox.station_id == PollingStation.id)
                      .where(BallotBox.election_id == election.id)).all()
    labels = Counter(r.label for r in rows)
    return {r.id: (r.label if labels[r.label] == 1 else f"{r.name}/{r.label}") for r in rows}
