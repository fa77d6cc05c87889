"""The round a bundle or an audit is of, and the post table of a round's papers
({post: seats, rank, body, candidate ids}). Read by the audit and by publication, so it
lives in counting, below both."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Election, Round, RoundResult
from .service import ballot_of


def bundle_round(db: Session, election: Election, number: int | None = None) -> int:
    """The round a bundle is for: the one asked (it must exist), else the last round whose
    result is published, else round 1."""
    if number is None:
        last = db.scalar(select(func.max(RoundResult.round_number)).where(RoundResult.election_id == election.id))
        return int(last or 1)
    if number != 1 and db.scalar(select(Round.id).where(Round.election_id == election.id, Round.number == number)) is None:
        raise UserError(f"第 {number} 轮投票不存在，没有它的公示包")
    return number


def result_rounds(db: Session, election: Election) -> list[int]:
    """The rounds whose result is published, in order."""
    return sorted(db.scalars(select(RoundResult.round_number).where(RoundResult.election_id == election.id)))


def post_table(db: Session, election: Election, round_number: int = 1) -> dict[str, dict[str, Any]]:
    """{post: {seats, rank, body, candidates: [person ids]}} of a round's papers."""
    if db.scalar(select(Round.id).where(Round.election_id == election.id, Round.number == round_number)) is None:
        return {}
    ballot = ballot_of(db, election, round_number)
    return {spec.key: {"seats": spec.seats, "rank": spec.rank, "body": spec.body,
                       "candidates": [c.person for c in cands]}
            for spec, cands in ballot.posts}
