"""Counting staff and assisted writing (代写) of a round, checked against the candidates and
their near relatives (election/rules/staff.py). Both are recorded as events only: who was
appointed to what, and who wrote for whom — never anything of the paper's marks."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import events_of, record_event
from ..models import EXTENDED_RELATIONS, Candidate, Election, Relation, utcnow
from ..nomination.service import find_residents, label
from ..protocol import event_kinds as ek
from ..protocol.chain import hour_stamp
from ..rules.staff import STAFF_ROLES, barred, staff_problems


def _candidates_and_relatives(db: Session, election: Election) -> tuple[dict[str, str], dict[str, set[str]]]:
    cands = {str(c.resident_id): c.resident.name for c in db.scalars(select(Candidate).where(
        Candidate.election_id == election.id, Candidate.status.in_(("nominee", "formal"))))}
    rel: dict[str, set[str]] = {}
    for a, b, kind in db.execute(select(Relation.resident_id, Relation.relative_id, Relation.kind)
                                 .where(Relation.election_id == election.id)):
        if kind in EXTENDED_RELATIONS:
            continue
        rel.setdefault(str(a), set()).add(str(b))
        rel.setdefault(str(b), set()).add(str(a))
    return cands, rel


def appoint(db: Session, election: Election, round_number: int, role: str, entries: list[str], actor: str) -> list[str]:
    """Appoint the scrutineers, counters, readers or writers of a round (voter numbers or
    names); refused, naming each person and the rule, when one is a candidate or a
    candidate's near relative. Returns the names appointed."""
    if role not in STAFF_ROLES:
        raise UserError(f"职务“{role}”无效，可选：{'、'.join(STAFF_ROLES.values())}")
    found, missing = find_residents(db, election, entries)
    if missing:
        raise UserError(*[f"{STAFF_ROLES[role]}：{m}" for m in missing])
    if not found:
        raise UserError(f"请填写{STAFF_ROLES[role]}")
    cands, rel = _candidates_and_relatives(db, election)
    problems = staff_problems([(role, str(r.id), label(r)) for r in found], cands, rel)
    if problems:
        raise UserError(*problems)
    begin_write(db)
    names = [label(r) for r in found]
    record_event(db, election, ek.COUNTING_STAFF_APPOINTED, {"round": round_number, "role": role, "people": names}, actor)
    db.flush()
    return names


def record_assisted(db: Session, election: Election, round_number: int, voter: str, writer: str, actor: str) -> None:
    """Record that ``writer`` wrote the paper of ``voter`` (代写) at the voter's request: who
    for whom, never the marks; the writer may not be a candidate or a candidate's near relative."""
    found, missing = find_residents(db, election, [voter, writer])
    if missing or len(found) != 2:
        raise UserError(*(missing or ["代写须填写选民和代写人两名不同的居民"]))
    who, by = found
    if who.id == by.id:
        raise UserError("代写人不能是选民本人")
    cands, rel = _candidates_and_relatives(db, election)
    why = barred(str(by.id), cands, rel)
    if why:
        raise UserError(f"代写人{label(by)}{why}，不能代写（候选人及其近亲属不得代写选票）")
    begin_write(db)
    # The hour only, as for every act touching a voter on the day (PROTOCOL §3): the second a
    # named voter was helped is the second they were in the booth, next to their deposit.
    record_event(db, election, ek.POLLING_WRITING_ASSISTED, {"round": round_number, "voter": label(who), "writer": label(by)},
                 actor, at=hour_stamp(utcnow()))
    db.flush()


def assisted_count(db: Session, election: Election, round_number: int) -> int:
    """How many papers of the round were written for their voter (printed on the report)."""
    return sum(1 for e in events_of(db, election)
               if e.kind == ek.POLLING_WRITING_ASSISTED and e.payload.get("round") == round_number)
