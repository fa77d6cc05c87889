"""Rounds of voting (轮次): the first vote, re-votes and run-offs. Which round the desks
work on, the day it is voted, and whether it is still open for printing, issuing,
depositing and counting. Polling and counting both read rounds, so they live here,
below both."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from . import clock
from .errors import UserError
from .models import ROUND_KINDS, Candidate, Election, MeetingVote, Resident, Round
from .rules.phrase import phrase
from .rules.tally_types import MOTION_KEY, motion_person
from .settings import rulebook_of

# A round's kind in words (pages pass it through _(); tools/translate.py reads the table).
# A "main" round after round 1 is the election held again after a void round (重新选举).
ROUND_LABELS = {**ROUND_KINDS, "reheld": "重新选举"}


def round_label(kind: str, number: int) -> str:
    """The one name of a round's kind on every page: "重新选举" for a main round held again."""
    return ROUND_LABELS["reheld"] if kind == "main" and number > 1 else ROUND_LABELS.get(kind, kind)


def round_of(db: Session, election: Election, number: int) -> Round:
    row = db.scalar(select(Round).where(Round.election_id == election.id, Round.number == number))
    if row is None:
        raise UserError(f"第 {number} 轮投票不存在（选票尚未印制）")
    return row


def latest_round(db: Session, election: Election) -> Round | None:
    """The election's round with the highest number, or None before round 1 is printed."""
    return db.scalar(select(Round).where(Round.election_id == election.id).order_by(Round.number.desc()).limit(1))


def current_round(db: Session, election: Election) -> Round:
    """The round the polling pages work on: the latest one (a later round exists only once
    the previous result is published). Before round 1 is first printed there is no row: a
    transient round 1, never added to the session, stands for it."""
    row = latest_round(db, election)
    return row if row is not None else Round(election_id=election.id, number=1, kind="main", posts={}, status="open")


def day_of(election: Election, rnd: Round | None) -> date:
    """The day a round is voted: its own date (a later round), else the election day."""
    return rnd.held_on if rnd is not None and rnd.held_on is not None else election.election_day


def term_ends(election: Election) -> date:
    """The current term's end: the election day plus the rulebook's term. A by-election
    (补选) is held before it and its members serve until then (RULES.md "by-election")."""
    years = rulebook_of(election).term_years
    day = election.election_day
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def rounds_of(db: Session, election: Election) -> list[Round]:
    return list(db.scalars(select(Round).where(Round.election_id == election.id).order_by(Round.number)))


def check_open(db: Session, election: Election, number: int, known: Round | None = None) -> None:
    """Refuse issuing, depositing, printing or counting for a round whose result is
    published, or for a later round that publishing the previous result did not create.
    ``known``: the round already loaded by the caller (current_round), saving a query."""
    row = known if known is not None and known.number == number else \
        db.scalar(select(Round).where(Round.election_id == election.id, Round.number == number))
    if (row is None or row.id is None) and number != 1:
        raise UserError(f"第 {number} 轮投票不存在：只有公布上一轮结果后需要再次投票或另行选举时，才有下一轮")
    if row is not None and row.status == "published":
        raise UserError(f"第 {number} 轮投票结果已公布，不能再印制、发放、投入或录入该轮选票")
    if row is not None and row.status == "nominating":
        raise UserError(f"第 {number} 轮另行选举的候选人尚待选举委员会提名补足并公布，公布后才能印制、发放、投入或录入选票")


# What a desk or a box may no longer do once the round's poll is closed (the refusal names it).
ISSUE, HAND_OUT, DEPOSIT, SPOIL = "发放选票", "发出选票", "投入票箱", "写错换票"


def poll_closed_refusal(number: int, at: datetime, act: str) -> UserError:
    """The refusal of a paper issued, handed out or deposited after the round's close of poll:
    the round, the moment (local time) and the act."""
    when = f"{clock.local(at):%Y-%m-%d %H:%M}"
    if act == HAND_OUT:
        return UserError(phrase("第 %(n)s 轮投票已于 %(at)s 截止（已闭票），不能再发出选票", n=number, at=when))
    if act == SPOIL:
        return UserError(phrase("第 %(n)s 轮投票已于 %(at)s 截止（已闭票），不能再写错换票", n=number, at=when))
    if act == DEPOSIT:
        return UserError(phrase("第 %(n)s 轮投票已于 %(at)s 截止（已闭票），不能再投入票箱", n=number, at=when))
    return UserError(phrase("第 %(n)s 轮投票已于 %(at)s 截止（已闭票），不能再发放选票", n=number, at=when))


def poll_closed_column(election_id: Any, number: Any) -> ScalarSelect[Any]:
    """The round's close of poll (Round.poll_closed_at, NULL while open or with no row yet) as a
    scalar subquery that share-locks the round's row (PostgreSQL; SQLite holds the write lock).
    A desk's or box's statement reads it: a close of poll (`mark_poll_closed`, an UPDATE of
    the row) then waits for the papers already under way to commit, and a paper under way
    after it waits for the close and reads the round closed (docs/ARCHITECTURE.md)."""
    return select(Round.poll_closed_at).where(Round.election_id == election_id, Round.number == number) \
        .with_for_update(read=True).scalar_subquery()


def check_poll_open(db: Session, election_id: int, number: int, act: str) -> None:
    """Refuse ``act`` (ISSUE, HAND_OUT, DEPOSIT, SPOIL) for a round whose poll is closed; the read
    share-locks the round's row as `poll_closed_column` does."""
    at = db.scalar(select(poll_closed_column(election_id, number)))
    if at is not None:
        raise poll_closed_refusal(number, at, act)


def mark_poll_closed(db: Session, election: Election, number: int, at: datetime) -> None:
    """Record on the round's row that its poll closed at ``at`` (once). Taken before the chain
    head (rows first): it waits for every check-in and deposit under way, which share-lock the
    row. Round 1 before printing has no row: printing carries the close over
    (polling.printing). The caller commits."""
    db.execute(update(Round).where(Round.election_id == election.id, Round.number == number,
                                   Round.poll_closed_at.is_(None)).values(poll_closed_at=at))


@dataclass(frozen=True)
class Line:
    """One line of a round's paper as printing, counting and the tally see it: a candidate
    (``id`` the Candidate's, ``person`` the resident's id), or a meeting's motion voted on
    paper (``id`` the MeetingVote's, ``person`` rules.tally_types.motion_person, ``name``
    the motion, no sex)."""

    id: int
    person: str
    name: str
    sex: str


def lines_of(db: Session, election: Election, rnd: Round) -> dict[str, list[Line]]:
    """Each section of a stored round (post key -> its lines in ballot order), read in one
    statement; a motion round's one section is its motion."""
    if rnd.kind == "motion":
        vote = meeting_vote(db, election, rnd.number)
        return {MOTION_KEY: [Line(vote.id, motion_person(vote.id), vote.motion, "")] if vote is not None else []}
    wanted = {int(i) for info in rnd.posts.values() for i in info.get("candidates", [])}
    rows = {cid: Line(cid, str(rid), name, sex) for cid, rid, name, sex in db.execute(
        select(Candidate.id, Candidate.resident_id, Resident.name, Resident.sex)
        .join(Resident, Resident.id == Candidate.resident_id).where(Candidate.id.in_(wanted)))} if wanted else {}
    return {key: [rows[int(i)] for i in info.get("candidates", []) if int(i) in rows] for key, info in rnd.posts.items()}


def meeting_vote(db: Session, election: Election, number: int) -> MeetingVote | None:
    """The meeting's motion a round of kind "motion" votes on, or None for any other round."""
    return db.scalar(select(MeetingVote).where(MeetingVote.election_id == election.id,
                                               MeetingVote.round_number == number))
