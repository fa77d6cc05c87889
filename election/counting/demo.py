"""A simulated count for demos and the ledger's tests: every deposited paper of a round is
recorded with random marks, the tally board agrees, and the result is published.

Call after the polling capability has printed the round and recorded the deposits.
"""
from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditCode, BallotBox, Election, Receipt, RoundResult
from ..polling.merge import merge_mobile_box, merged_into
from ..polling.turnout import close_hours
from .result import enter_board, publish_result, running_tally
from .service import ballot_of, record_paper


def random_marks(ballot, rng: random.Random) -> dict:
    """Marks of one paper: per post up to `seats` approvals, now and then an opposition."""
    marks = {}
    for spec, candidates in ballot.posts:
        people = [c.person for c in candidates]
        # Weighted towards the first candidates so that a demo usually elects someone.
        chosen = [p for k, p in enumerate(people) if rng.random() < 0.85 - 0.12 * k][: spec.seats]
        rest = [p for p in people if p not in chosen]
        marks[spec.key] = {"approve": chosen, "oppose": rest[:1] if rest and rng.random() < 0.1 else [],
                           "write_ins": [], "unreadable": rng.random() < 0.005}
    return marks


def count_demo_round(db: Session, election: Election, rng: random.Random, round_number: int = 1,
                     actor: str = "demo") -> RoundResult:
    """Record one paper per deposited stub in each box (D taken from the printed codes of
    the round), enter the board equal to the records and publish the round's result."""
    ballot = ballot_of(db, election, round_number)
    boxes = db.scalars(select(BallotBox).where(BallotBox.election_id == election.id).order_by(BallotBox.id)).all()
    stubs = dict(db.execute(select(Receipt.box_id, func.count()).where(
        Receipt.election_id == election.id, Receipt.round_number == round_number, Receipt.state == "deposited",
    ).group_by(Receipt.box_id)).all())
    printed = list(db.scalars(select(AuditCode.d_hash).where(
        AuditCode.election_id == election.id, AuditCode.round_number == round_number, AuditCode.state == "printed")))
    rng.shuffle(printed)
    # A mobile box is poured into the first fixed box and counted as its (polling.merge).
    fixed = [b for b in boxes if not b.mobile]
    for box in boxes:
        if box.mobile and fixed and box.id not in merged_into(db, election, round_number):
            close_hours(db, election, actor, final=True, round_number=round_number)  # its own hours first
            merge_mobile_box(db, election, round_number, box.id, fixed[0].id, "演示监票人", actor)
    for mobile, into in merged_into(db, election, round_number).items():
        stubs[into] = stubs.get(into, 0) + stubs.pop(mobile, 0)
    for box in boxes:
        if box.mobile:
            continue
        for _ in range(stubs.get(box.id, 0)):
            if not printed:
                break
            record_paper(db, election, box, printed.pop(), random_marks(ballot, rng), actor)
    db.commit()
    running = running_tally(db, election, round_number)
    enter_board(db, election, round_number,
                {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, actor)
    row = publish_result(db, election, round_number, actor)
    db.commit()
    return row
