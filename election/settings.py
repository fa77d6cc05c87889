"""An election's settings as the services read them: one accessor each, so no service
rebuilds them from the columns by hand.

rulebook_of: the election's rulebook; bodies_of: the seats of its two bodies; posts_of:
its posts on the paper with seats, higher post first; seat_posts_of: every post with seats; post_specs_of: the tally's posts with their
thresholds; box_of: one of its ballot boxes; box_keys: the identifier each ballot box has
in the published bundle.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import of_election
from .errors import UserError
from .models import BallotBox, Election, PollingStation
from .rules.bodies import BodiesConfig, Post
from .rules.rulebook import Rulebook
from .rules.tally_types import PostSpec


def rulebook_of(election: Election) -> Rulebook:
    """The election's rulebook (its frozen rules once the roll is published)."""
    return Rulebook.from_dict(election.rulebook)


def bodies_of(election: Election) -> BodiesConfig:
    """The seats of the 居委会 and the 监督委员会, checked against the election's rulebook
    (as they were when the election was created and at every change of its rulebook)."""
    return BodiesConfig.build(election.jwh_deputies, election.jwh_members, election.jdw_deputies, election.jdw_members,
                              rulebook_of(election))


def posts_of(election: Election) -> list[Post]:
    """The posts the voters elect on the paper, with seats, higher post first: the
    监督委员会's are left out where a meeting chooses it (jdw_chosen_by)."""
    book = rulebook_of(election)
    return [p for p in bodies_of(election).posts() if book.on_paper(p.body)]


def seat_posts_of(election: Election) -> list[Post]:
    """Every post with seats, higher post first, however it is filled (the composition)."""
    return bodies_of(election).posts()


def post_specs_of(election: Election) -> list[PostSpec]:
    """The tally's posts (those on the paper), each with its threshold from the rulebook."""
    book = rulebook_of(election)
    return [p for p in bodies_of(election).post_specs(book) if book.on_paper(p.body)]


def box_of(db: Session, election: Election, box_id: int) -> BallotBox:
    """One of the election's ballot boxes; another election's box or none is refused."""
    return of_election(db, BallotBox, box_id, election.id, UserError(f"票箱编号 {box_id} 不属于本次选举"))


def box_keys(db: Session, election: Election) -> dict[int, str]:
    """Box id -> the identifier published in the bundle (its label; station/label when
    two stations use the same label)."""
    rows = db.execute(select(BallotBox.id, BallotBox.label, PollingStation.name)
                      .join(PollingStation, BallotBox.station_id == PollingStation.id)
                      .where(BallotBox.election_id == election.id)).all()
    labels = Counter(r.label for r in rows)
    return {r.id: (r.label if labels[r.label] == 1 else f"{r.name}/{r.label}") for r in rows}
