"""Recording selection meetings (推选会议): an area's meeting for its 居民代表, a 居民小组's
meeting for its 组长. Validity and winners come from election.rules.meetings: MORE than
half of those entitled must take part (exactly half is refused, nothing is stored), most
votes wins, a tie is recorded and flagged for a re-vote."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..ledger.events import record_event, write_at_head
from ..models import Election, GroupLeader, Household, RepArea, Representative, Resident, SelectionMeeting
from ..protocol import event_kinds as ek
from ..rules import meetings as rules_meetings
from ..settings import rulebook_of
from ..wording import group_key
from .areas import area_of
from .people import label_of, parse_vote_lines, residents_of, resolve_votes


def _labels(pairs: list[tuple[Resident, int]]) -> dict[str, tuple[Resident, int]]:
    names = [r.name for r, _ in pairs]
    return {label_of(r, names.count(r.name) > 1): (r, v) for r, v in pairs}


def record_area_meeting(db: Session, election: Election, area_id: int, present: int, votes_text: str,
                        held_on: date, actor: str) -> SelectionMeeting:
    """Store the meeting of one area and, when it stands, its representative(s)."""
    write_at_head(db, election)
    area = area_of(db, election, area_id)
    where = area.group_name or f"第{area.number}片区"
    sitting = db.scalar(select(func.count(Representative.id)).where(
        Representative.area_id == area.id, Representative.status == "serving")) or 0
    if sitting >= area.seats:
        raise UserError(f"{where}已推选出居民代表；辞去或出缺请用“补选”")
    entitled = len(area.members)
    pool = residents_of(db, election, household_ids=[m.household_id for m in area.members])
    labelled = _labels(resolve_votes(pool, parse_vote_lines(votes_text), where))
    if present < 0:
        raise UserError(f"{where}参加户数为{present}，须为非负整数")
    turnout = rulebook_of(election).rep_election_turnout
    result = rules_meetings.select(
        what=f"{where}推选居民代表", entitled=entitled, present=present,
        votes={k: v for k, (_, v) in labelled.items()}, seats=area.seats - sitting,
        quorum=turnout,
    )
    if not result.valid:
        raise UserError(*result.messages)
    ranked = sorted(labelled.items(), key=lambda kv: -kv[1][1])
    meeting = SelectionMeeting(
        election_id=election.id, kind="representative", area_id=area.id, group_name=area.group_name,
        held_on=held_on, entitled=entitled, present=present, basis="households",
        votes=[[r.id, label, v] for label, (r, v) in ranked], revote_needed=result.revote_needed,
        message="；".join(result.messages),
    )
    db.add(meeting)
    db.flush()
    for label in result.winners:
        person, votes = labelled[label]
        db.add(Representative(election_id=election.id, area_id=area.id, resident_id=person.id,
                              meeting_id=meeting.id, votes=votes, since=held_on))
    db.flush()
    record_event(
        db, election, ek.REPRESENTATIVES_MEETING_RECORDED,
        {"area": area.number, "group": area.group_name, "entitled": entitled, "present": present,
         "votes": [[label, v] for label, (_, v) in ranked], "winners": result.winners, "tied": result.tied,
         "revote_needed": result.revote_needed, "held_on": held_on.isoformat()},
        actor,
    )
    return meeting


def meetings_of(db: Session, election: Election, kind: str) -> list[SelectionMeeting]:
    return list(db.scalars(
        select(SelectionMeeting).where(SelectionMeeting.election_id == election.id, SelectionMeeting.kind == kind)
        .order_by(SelectionMeeting.id)
    ))


def group_names(db: Session, election: Election) -> list[str]:
    names = set(db.scalars(select(Household.group_name).where(Household.election_id == election.id)))
    names |= set(db.scalars(select(Resident.group_name).where(Resident.election_id == election.id)))
    return sorted((n for n in names if n and n.strip()), key=group_key)  # 第一, 第二, … 第十


def group_entitled(db: Session, election: Election, group_name: str, basis: str) -> int:
    """Voters of the group, or its households when household representatives take part."""
    people = residents_of(db, election, group_name=group_name)
    if basis == "households":
        return len({r.household_id for r in people} | set(db.scalars(
            select(Household.id).where(Household.election_id == election.id, Household.group_name == group_name))))
    return sum(1 for r in people if r.is_voter)


def record_group_leader(db: Session, election: Election, group_name: str, basis: str, present: int,
                        votes_text: str, held_on: date, actor: str) -> SelectionMeeting:
    """The 居民小组长 of one group: valid when more than half take part; most votes wins."""
    write_at_head(db, election)
    if group_name not in group_names(db, election):
        raise UserError(f"居民小组“{group_name}”不在户册中")
    if basis not in ("voters", "households"):
        raise UserError("参加者须为“本组选民”或“本组户代表”")
    if db.scalar(select(GroupLeader.id).where(GroupLeader.election_id == election.id, GroupLeader.group_name == group_name)):
        raise UserError(f"{group_name}已推选出居民小组长")
    entitled = group_entitled(db, election, group_name, basis)
    if entitled == 0:
        raise UserError(f"{group_name}没有已登记的{'选民' if basis == 'voters' else '户'}，无法推选组长")
    pool = residents_of(db, election, group_name=group_name)
    labelled = _labels(resolve_votes(pool, parse_vote_lines(votes_text), group_name))
    turnout = rulebook_of(election).group_leader_turnout
    result = rules_meetings.select(
        what=f"{group_name}推选居民小组长", entitled=entitled, present=present,
        votes={k: v for k, (_, v) in labelled.items()}, quorum=turnout,
    )
    if not result.valid:
        raise UserError(*result.messages)
    ranked = sorted(labelled.items(), key=lambda kv: -kv[1][1])
    meeting = SelectionMeeting(
        election_id=election.id, kind="group_leader", group_name=group_name, held_on=held_on,
        entitled=entitled, present=present, basis=basis, votes=[[r.id, label, v] for label, (r, v) in ranked],
        revote_needed=result.revote_needed, message="；".join(result.messages),
    )
    db.add(meeting)
    db.flush()
    if result.winners and not result.revote_needed:
        person, votes = labelled[result.winners[0]]
        db.add(GroupLeader(election_id=election.id, group_name=group_name, resident_id=person.id,
                           meeting_id=meeting.id, votes=votes))
        db.flush()
    record_event(
        db, election, ek.REPRESENTATIVES_GROUP_LEADER_MEETING_RECORDED,
        {"group": group_name, "basis": basis, "entitled": entitled, "present": present,
         "votes": [[label, v] for label, (_, v) in ranked], "winners": result.winners, "tied": result.tied,
         "revote_needed": result.revote_needed, "held_on": held_on.isoformat()},
        actor,
    )
    return meeting


def group_leaders(db: Session, election: Election) -> list[tuple[GroupLeader, Resident]]:
    return list(db.execute(
        select(GroupLeader, Resident).join(Resident, Resident.id == GroupLeader.resident_id)
        .where(GroupLeader.election_id == election.id).order_by(GroupLeader.id)
    ))


def sitting(db: Session, area: RepArea) -> list[tuple[Representative, Resident]]:
    """The area's serving representatives with their residents."""
    return list(db.execute(
        select(Representative, Resident).join(Resident, Resident.id == Representative.resident_id)
        .where(Representative.area_id == area.id, Representative.status == "serving").order_by(Representative.id)
    ))
