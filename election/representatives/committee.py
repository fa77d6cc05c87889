"""The election committee (居民选举委员会): recording its selection result (the whole
original list, in vote order, including those not seated), its chair, and 依次递补 when a
member becomes a candidate (election.rules.succession decides; this module stores it and
writes every step to the event log).

`member_becomes_candidate` is the entry point for nomination: call it, in the same
transaction, when a nominee is registered.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..decisions import Cited, adopted_decisions, cited_decision
from ..errors import UserError
from ..ledger.events import events_of, record_event, write_at_head
from ..models import COMMITTEE_BODIES, CommitteeEntry, Election, ElectionEvent
from ..protocol import event_kinds as ek
from ..rules import succession
from ..settings import rulebook_of
from .people import label_of, parse_name, parse_vote_lines, residents_of, resolve_votes

EVENT_KINDS = {
    "withdrew": ek.COMMITTEE_MEMBER_WITHDREW,
    "seated": ek.COMMITTEE_MEMBER_SEATED,
    "vacant": ek.COMMITTEE_SEAT_LEFT_VACANT,
    "chair_needed": ek.COMMITTEE_CHAIR_FOUND_MISSING,
}


@dataclass(frozen=True)
class CommitteeMember:
    resident_id: int
    name: str
    votes: int
    is_chair: bool
    by_succession: bool


def entries(db: Session, election: Election) -> list[CommitteeEntry]:
    return list(db.scalars(
        select(CommitteeEntry).where(CommitteeEntry.election_id == election.id).order_by(CommitteeEntry.rank)
    ))


def _as_rule(rows: list[CommitteeEntry]) -> succession.Committee:
    chair = next((e.label for e in rows if e.is_chair), None)
    return succession.Committee(
        ranking=tuple((e.label, e.votes) for e in rows),
        members=tuple(e.label for e in rows if e.seated),
        chair=chair,
        withdrawn=tuple(e.label for e in rows if e.withdrawn),
    )


# The kind of meeting (election.rules.meetings.MEETING_KINDS) whose decision chooses the
# committee, per way of choosing it ([V art.12]).
CHOSEN_BY_MEETING = {"residents_meeting": "residents", "representatives_meeting": "representatives", "groups": "group"}


def choosing_decisions(db: Session, election: Election, chosen_by: str) -> list[Cited]:
    """The adopted decisions of this election's meetings of the kind that chooses the committee."""
    return adopted_decisions(db, election, (CHOSEN_BY_MEETING.get(chosen_by, ""),))


def _choosing_decision(db: Session, election: Election, chosen_by: str, decision_id: int | None) -> Cited | None:
    """The meeting's decision the result relies on: checked when cited; required (refused
    until one exists and is cited) where committee_meeting_decision_required."""
    if decision_id is None and not rulebook_of(election).committee_meeting_decision_required:
        return None
    meeting = COMMITTEE_BODIES[chosen_by]
    return cited_decision(db, election, {CHOSEN_BY_MEETING.get(chosen_by, ""): meeting}, decision_id,
                          requirement=f"选举委员会由{meeting}推选产生", rule_field="committee_meeting_decision_required",
                          purpose="推选选举委员会")


def record_result(db: Session, election: Election, chosen_by: str, votes_text: str, size: int,
                  chair: str, actor: str, decision_id: int | None = None) -> list[CommitteeEntry]:
    """Store the full selection result and seat the `size` people with most votes; the
    meeting's decision that chose them is cited (``decision_id``) and named in the event."""
    write_at_head(db, election)
    if chosen_by not in COMMITTEE_BODIES:
        raise UserError(f"推选方式“{chosen_by}”无效，可选：{'、'.join(COMMITTEE_BODIES.values())}")
    if entries(db, election):
        raise UserError("选举委员会的推选结果已经记录；成员变动按依次递补处理")
    cited = _choosing_decision(db, election, chosen_by, decision_id)
    pool = residents_of(db, election)
    if not pool:
        raise UserError("须先导入居民名单：选举委员会成员按居民名单核对，请先在“选民登记”导入居民名单，再录入推选结果")
    pairs = resolve_votes(pool, parse_vote_lines(votes_text), "本社区")
    names = [r.name for r, _ in pairs]
    labelled = [(label_of(r, names.count(r.name) > 1), r, v) for r, v in pairs]
    chair_name, chair_tail = parse_name(chair)
    chair_labels = [lb for lb, r, _ in labelled if r.name == chair_name and (not chair_tail or r.id_masked.upper().endswith(chair_tail))]
    rules = rulebook_of(election)
    try:
        formed = succession.form(
            [(lb, v) for lb, _, v in labelled], size, chair_labels[0] if len(chair_labels) == 1 else chair,
            rules.committee_size_min, rules.committee_size_max, rules.committee_size_odd,
        )
    except succession.CommitteeError as error:
        raise UserError(str(error)) from None
    by_label = {lb: (r, v) for lb, r, v in labelled}
    rows = []
    for rank, (label, votes) in enumerate(formed.ranking, start=1):
        person, _ = by_label[label]
        rows.append(CommitteeEntry(
            election_id=election.id, resident_id=person.id, label=label, rank=rank, votes=votes,
            chosen_by=chosen_by, seated=label in formed.members, is_chair=label == formed.chair,
        ))
    db.add_all(rows)
    db.flush()
    record_event(
        db, election, ek.COMMITTEE_RESULT_RECORDED,
        {"chosen_by": chosen_by, "size": size, "result": [[e.label, e.votes] for e in rows],
         "members": list(formed.members), "chair": formed.chair,
         **({"decision": {"meeting": cited[1].id, "number": cited[0].number}} if cited else {})},
        actor,
    )
    return rows


def choose_chair(db: Session, election: Election, chair: str, actor: str) -> CommitteeEntry:
    write_at_head(db, election)
    rows = entries(db, election)
    if not rows:
        raise UserError("还没有记录选举委员会的推选结果")
    name, tail = parse_name(chair)
    seated = [e for e in rows if e.seated and (e.label == chair.strip() or (
        e.label.split("（")[0] == name and (not tail or e.label.endswith(f"（{tail}）"))))]
    if len(seated) != 1:
        raise UserError(f"“{chair}”不是选举委员会现任成员，不能担任主任" if not seated
                        else f"现任成员中有多人叫“{name}”，请写“{name} 身份证后4位”")
    try:
        succession.choose_chair(_as_rule(rows), seated[0].label)
    except succession.CommitteeError as error:
        raise UserError(str(error)) from None
    for e in rows:
        e.is_chair = e is seated[0]
    db.flush()
    record_event(db, election, ek.COMMITTEE_CHAIR_CHOSEN, {"chair": seated[0].label}, actor)
    return seated[0]


def member_becomes_candidate(db: Session, election: Election, resident_id: int, actor: str) -> list[str]:
    """A sitting member became a candidate: withdraw them and seat the next of the original
    result (依次递补). Returns Chinese messages; empty when the person is not a member."""
    rows = entries(db, election)
    member = next((e for e in rows if e.resident_id == resident_id and e.seated), None)
    if member is None:
        return []
    if not rulebook_of(election).committee_member_withdraws_when_candidate:
        return [f"{member.label}是选举委员会成员；本选举规则未要求成为候选人的成员退出"]
    return _withdraw(db, election, rows, member, "被提名为候选人", actor)


def relatives_of_candidate_withdraw(db: Session, election: Election, resident_id: int, actor: str) -> list[str]:
    """[P:ZJ] committee_relative_withdraws: a sitting member whose near relative became a
    candidate withdraws like a member who became one (依次递补). Empty when the rulebook does
    not ask it or no member is a near relative of this person."""
    if not rulebook_of(election).committee_relative_withdraws:
        return []
    from ..models import EXTENDED_RELATIONS, Relation

    relatives = {b if a == resident_id else a for a, b, kind in db.execute(
        select(Relation.resident_id, Relation.relative_id, Relation.kind).where(
            Relation.election_id == election.id,
            (Relation.resident_id == resident_id) | (Relation.relative_id == resident_id))).all()
        if kind not in EXTENDED_RELATIONS}
    out: list[str] = []
    for member_id in [e.resident_id for e in entries(db, election) if e.seated and e.resident_id in relatives]:
        rows = entries(db, election)
        member = next(e for e in rows if e.resident_id == member_id)
        out += _withdraw(db, election, rows, member, "近亲属被提名为候选人", actor)
    return out


def committee_members(db: Session, election: Election) -> list[CommitteeMember]:
    """The sitting members in the order of the original result, the chair flagged."""
    return [
        CommitteeMember(e.resident_id, e.label, e.votes, e.is_chair, e.seated_by_succession)
        for e in entries(db, election) if e.seated
    ]


def history(db: Session, election: Election) -> list[ElectionEvent]:
    return [ev for ev in events_of(db, election) if ek.area_of(ev.kind) == ek.area_of(ek.COMMITTEE_RESULT_RECORDED)]


def _withdraw(db: Session, election: Election, rows: list[CommitteeEntry], member: CommitteeEntry,
              reason: str, actor: str) -> list[str]:
    """``member`` leaves the committee for ``reason`` and the next of the original result takes
    the seat (依次递补): the rows updated, one event per step; returns the steps' messages."""
    _, steps = succession.withdraw(_as_rule(rows), member.label, reason)
    by_label = {e.label: e for e in rows}
    member.seated, member.withdrawn, member.withdrawn_reason = False, True, reason
    member.is_chair = False
    for step in steps:
        if step.kind == "seated" and step.person is not None:
            by_label[step.person].seated = True
            by_label[step.person].seated_by_succession = True
    db.flush()
    for step in steps:
        payload: dict[str, object] = {"person": step.person, "message": step.message}
        if step.kind == "seated" and step.person is not None:
            payload["votes"] = by_label[step.person].votes
        record_event(db, election, EVENT_KINDS[step.kind], payload, actor,
                     reason if step.kind == "withdrew" else "依次递补")
    return [step.message for step in steps]
