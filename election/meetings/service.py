"""Convening a meeting, recording who came at the door, checking the quorum live and
recording its decisions; every step an event in the election's ledger.

The thresholds come from the pure rules (election.rules.meetings, .recall) with the
election's rulebook; this module only counts from the database and stores. A refusal is a
UserError in Chinese naming the rule, and leaves the database as it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import now, today
from ..db import begin_write, of_election
from ..errors import UserError
from ..ledger.events import record_event
from ..models import (
    Election,
    ElectionEvent,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    MeetingVote,
    Representative,
    Resident,
    Round,
)
from ..protocol import event_kinds as ek
from ..roll.groups import sorted_groups
from ..roll.lookup import resolve_voter
from ..roll.register import voters_query
from ..rules import meetings as rules
from ..rules.recall import request as request_check
from ..rules.rulebook import Rulebook
from ..rules.shares import share_text
from ..settings import rulebook_of


def what_of(meeting: Meeting) -> str:
    kind = rules.MEETING_KINDS[meeting.kind]
    return f"{meeting.group_name}{kind}" if meeting.group_name else kind


def _serving_reps(election: Election):
    return select(Representative.resident_id).where(
        Representative.election_id == election.id, Representative.status == "serving")


def groups(db: Session, election: Election) -> list[str]:
    names = set(db.scalars(select(Resident.group_name).where(Resident.election_id == election.id)))
    return [n for n in sorted_groups(names) if n]  # 第一, 第二, … 第十 (not 第一, 第三, 第二)


def base_count(db: Session, election: Election, base: str, group_name: str = "") -> int:
    """How many make up a base: voters, households with a voter, representatives, groups."""
    voters = voters_query(election).subquery()
    if base == "adults":
        return db.scalar(select(func.count()).select_from(voters)) or 0
    if base == "households":
        return db.scalar(select(func.count(func.distinct(voters.c.household_id)))) or 0
    if base == "representatives":
        return db.scalar(select(func.count()).select_from(_serving_reps(election).subquery())) or 0
    if base == "groups":
        return len(groups(db, election))
    if base == "group_voters":
        return db.scalar(select(func.count()).select_from(voters).where(voters.c.group_name == group_name)) or 0
    raise UserError(f"未知的计算基数“{base}”")


def base_members(db: Session, election: Election, basis: str, group_name: str = "") -> list[int]:
    """The residents entitled to be recorded at the door of a meeting of this basis, as its
    convening fixes them (meeting.convened's ``entitled``, sorted resident ids): every voter
    (adults; households, each household counted once at the door), the serving
    representatives, the group's voters. The verifiers hold each arrival to them."""
    voters = voters_query(election).subquery()
    if basis in ("adults", "households"):
        ids = select(voters.c.id)
    elif basis == "representatives":
        ids = _serving_reps(election)
    elif basis == "group_voters":
        ids = select(voters.c.id).where(voters.c.group_name == group_name)
    else:
        raise UserError(f"未知的计算基数“{basis}”")
    return sorted(db.scalars(ids))


def entitled_of(db: Session, election: Election, meeting: Meeting) -> set[int] | None:
    """Those the meeting's convening fixed as entitled to attend (None for a meeting convened
    before its event named them)."""
    for payload in db.scalars(select(ElectionEvent.payload).where(
            ElectionEvent.election_id == election.id, ElectionEvent.kind == ek.MEETING_CONVENED)):
        if payload.get("meeting") == meeting.id:
            entitled = payload.get("entitled")
            return None if entitled is None else set(entitled)
    return None


def request_bases(kind: str, basis: str) -> tuple[str, ...]:
    """Whose request may call the meeting: the law names 1/5 of adults or households or
    1/3 of the groups for a 居民会议, 1/5 of the representatives for theirs."""
    if kind == "residents":
        return ("adults", "households", "groups")
    return (basis,)


def convene(db: Session, election: Election, *, kind: str, basis: str, title: str, agenda: str,
            held_on: date, place: str, convened_by: str, actor: str, group_name: str = "",
            request_base: str = "", supporters: int | None = None) -> Meeting:
    """Call a meeting: by the 居委会, or on request of at least the rulebook's share; the
    notice is dated today and the meeting may not be held before the notice period ends."""
    begin_write(db)
    if kind not in rules.MEETING_KINDS:
        raise UserError(f"会议类型“{kind}”无效，可选：{'、'.join(rules.MEETING_KINDS.values())}")
    if basis not in rules.KIND_BASES[kind]:
        allowed = "、".join(rules.MEETING_BASES[b] for b in rules.KIND_BASES[kind])
        raise UserError(f"{rules.MEETING_KINDS[kind]}的组成“{basis}”无效，可选：{allowed}")
    if kind == "group" and group_name not in groups(db, election):
        raise UserError(f"居民小组会议：居民小组“{group_name}”不在选民名单中")
    if kind != "group":
        group_name = ""
    if not title.strip():
        raise UserError("请填写会议名称")
    book = rulebook_of(election)
    mr = rules.meeting_rules(book, kind)
    what = (group_name + rules.MEETING_KINDS[kind])
    notice_on = today()
    problems = rules.notice_problems(what, notice_on, held_on, mr.notice_days)
    if problems:
        raise UserError(*(p + f"（{Rulebook.label(mr.notice_key)}）" for p in problems))
    members = base_count(db, election, basis, group_name)
    if members == 0:
        raise UserError(f"{what}：{rules.MEETING_BASES[basis]}人数为 0，无法召开")
    total = None
    if convened_by == "request":
        if request_base not in request_bases(kind, basis):
            raise UserError(f"{what}：提议人须为{'、'.join(rules.REQUEST_BASES[b] for b in request_bases(kind, basis))}之一")
        if supporters is None or supporters < 0:
            raise UserError(f"{what}：请填写提议人数")
        total = base_count(db, election, request_base, group_name)
        if total == 0 or supporters > total:
            raise UserError(f"{what}：提议{rules.REQUEST_BASES[request_base]}数 {supporters} 超过总数 {total}")
        share = rules.request_share(book, mr, request_base)
        asked = request_check(f"提议召开{what}（{rules.REQUEST_BASES[request_base]}）", supporters, total, share)
        if not asked.enough:
            raise UserError(asked.message + f"，不能据此召开（{Rulebook.label(mr.request_key(request_base))}）")
    elif convened_by != "committee":
        raise UserError("召集人须为“居民委员会”或“依提议召集”")
    meeting = Meeting(
        election_id=election.id, kind=kind, basis=basis, group_name=group_name, title=title.strip(),
        agenda=agenda.strip(), convened_by=convened_by, request_base=request_base if total is not None else "",
        request_supporters=supporters if total is not None else None, request_total=total,
        notice_on=notice_on, held_on=held_on, place=place.strip(), members=members, created_by=actor,
    )
    db.add(meeting)
    db.flush()
    record_event(db, election, ek.MEETING_CONVENED, {
        "meeting": meeting.id, "kind": kind, "basis": basis, "group": group_name, "title": meeting.title,
        "convened_by": convened_by, "request": ({"base": request_base, "supporters": supporters, "total": total}
                                                if total is not None else None),
        "notice_on": notice_on.isoformat(), "held_on": held_on.isoformat(), "members": members,
        "notice_days": mr.notice_days, "entitled": base_members(db, election, basis, group_name),
    }, actor)
    return meeting


def meeting_of(db: Session, election: Election, meeting_id: int) -> Meeting:
    return of_election(db, Meeting, meeting_id, election.id, UserError("该会议不存在"))


def meetings_of(db: Session, election: Election) -> list[Meeting]:
    return list(db.scalars(select(Meeting).where(Meeting.election_id == election.id)
                           .order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def check_open(meeting: Meeting) -> None:
    if meeting.status != "convened":
        raise UserError(f"{what_of(meeting)}“{meeting.title}”已闭会，不能再登记到会或表决")
    if today() < meeting.held_on:
        raise UserError(f"{what_of(meeting)}“{meeting.title}”定于 {meeting.held_on.isoformat()} 召开，"
                        f"会议召开前（今天 {today().isoformat()}）不能登记到会或表决")


def present_count(db: Session, meeting: Meeting) -> int:
    """Those recorded at the door and not recorded leaving since."""
    return db.scalar(select(func.count(MeetingAttendance.id)).where(
        MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.left_at.is_(None))) or 0


def _at_door(db: Session, election: Election, meeting_id: int, entry: str,
             role: str) -> tuple[Meeting, str, Resident, MeetingVote | None]:
    """The door of an open meeting, for an arrival or a departure: the write lock, the meeting,
    its name in messages and the person ``entry`` finds (as the polling desks find voters).
    Then the person is locked, and every open paper vote of the meeting (PostgreSQL), in the
    order a desk handing out a paper locks them (polling.issuance: the voter, then the vote
    whose first paper freezes the list): one waits for the other, never both, so an arrival
    or a departure is either counted by the freeze or comes after it. Publishing the vote's
    result locks the vote too (motions.publish_vote), before the chain head, which the door
    takes last in record_event: the door comes before the result or after it. Last: the open
    vote whose attendance is frozen, if any."""
    begin_write(db)
    meeting = meeting_of(db, election, meeting_id)
    check_open(meeting)
    what = what_of(meeting)
    person = resolve_voter(db, election, entry, role=role)
    db.execute(select(Resident.id).where(Resident.id == person.id).with_for_update())
    db.execute(open_votes(meeting).with_for_update(of=MeetingVote))
    # Read again once locked: a result published while this waited (motions.publish_vote
    # locks the vote first) has closed its vote; the locking statement still saw it open.
    votes = list(db.scalars(open_votes(meeting).execution_options(populate_existing=True)))
    return meeting, what, person, next((v for v in votes if v.electors is not None), None)


def attend(db: Session, election: Election, meeting_id: int, entry: str, actor: str) -> Resident:
    """Record one person at the door, from a voter card scan, a voter number or a name
    (the same lookup as the polling desks). Each person, or each household when the
    meeting is of household representatives, counts once. One recorded leaving who comes
    back is present again (their household's row, under basis households, names whoever
    of it came)."""
    meeting, what, person, frozen = _at_door(db, election, meeting_id, entry, "到会人")
    if frozen is not None:
        raise UserError(f"{what}：表决票已开始发放，到会人员已确定为 {frozen.electors} 人"
                        f"（第 {frozen.round_number} 轮“{frozen.motion}”）；该表决公布结果前不能再登记到会")
    how = "name" if (entry.strip() == person.name or entry.strip().isdigit()) else "card"
    if meeting.basis == "representatives":
        if db.scalar(_serving_reps(election).where(Representative.resident_id == person.id)) is None:
            raise UserError(f"{what}：{person.name}不是现任居民代表，不计入到会人数")
    if meeting.basis == "group_voters" and person.group_name != meeting.group_name:
        raise UserError(f"{what}：{person.name}属于{person.group_name or '未分组'}，不是{meeting.group_name}的选民")
    entitled = entitled_of(db, election, meeting)
    if entitled is not None and person.id not in entitled:
        raise UserError(f"{what}：{person.name}不在会议召集时确定的应到人员（{rules.MEETING_BASES[meeting.basis]}）之中，"
                        "不计入到会人数")
    unit = f"h{person.household_id}" if meeting.basis == "households" else f"r{person.id}"
    earlier = db.scalar(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id,
                                                        MeetingAttendance.unit == unit))
    if earlier is not None and earlier.left_at is not None:  # back after leaving
        earlier.resident_id, earlier.how, earlier.recorded_by = person.id, how, actor
        earlier.left_at = earlier.left_by = None
        db.flush()
        return _arrived(db, election, meeting, person, actor)
    if earlier is not None:
        if earlier.resident_id == person.id:
            raise UserError(f"{what}：{person.name}已登记到会，不重复计算")
        other = db.get(Resident, earlier.resident_id)
        raise UserError(f"{what}：{person.name}所在户已由{other.name if other else '本户成员'}代表到会，每户只计一人")
    db.add(MeetingAttendance(meeting_id=meeting.id, resident_id=person.id, unit=unit, how=how, recorded_by=actor))
    try:
        db.flush()
    except IntegrityError:  # scanned at two doors at once: the other door recorded it
        db.rollback()
        raise UserError(f"{what}：{person.name}已登记到会，不重复计算") from None
    return _arrived(db, election, meeting, person, actor)


def _arrived(db: Session, election: Election, meeting: Meeting, person: Resident, actor: str) -> Resident:
    """The arrival's event, with how many are present after it: the verifiers replay arrivals
    and departures, so a decision cannot claim more present than the door recorded."""
    record_event(db, election, ek.MEETING_ATTENDEE_ARRIVED, {
        "meeting": meeting.id, "resident": person.id, "present": present_count(db, meeting)}, actor)
    return person


def leave(db: Session, election: Election, meeting_id: int, entry: str, actor: str) -> Resident:
    """Record one present leaving the meeting (离场), found as at the door; the quorum counts
    them no more, and the event says how many remain. While a paper vote's attendance is
    frozen its base stays as frozen (docs/DECISIONS.md): the one who left is among the
    electors who returned no paper, and no desk hands them one (polling.issuance)."""
    meeting, what, person, frozen = _at_door(db, election, meeting_id, entry, "离场人")
    row = db.scalar(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id,
                                                    MeetingAttendance.resident_id == person.id))
    if row is None:
        raise UserError(f"{what}：{person.name}未登记到会，不能登记离场")
    if row.left_at is not None:
        raise UserError(f"{what}：{person.name}已登记离场")
    row.left_at, row.left_by = now(), actor
    db.flush()
    record_event(db, election, ek.MEETING_ATTENDEE_LEFT, {
        "meeting": meeting.id, "resident": person.id, "present": present_count(db, meeting),
        **({"round": frozen.round_number} if frozen is not None else {}),
    }, actor)
    return person


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    value: str
    source: str


def parameters(election: Election, meeting: Meeting) -> list[Parameter]:
    """The rulebook parameters this meeting is held to, each with its source."""
    book = rulebook_of(election)
    mr = rules.meeting_rules(book, meeting.kind)
    keys = [mr.notice_key, mr.quorum_key, mr.decision_key]
    if meeting.convened_by == "request":
        keys.insert(0, mr.request_key(meeting.request_base))
    return [Parameter(k, Rulebook.field_meta(k)["label_zh"], book.show(k), Rulebook.field_meta(k)["source"])
            for k in keys]


def quorum_of(db: Session, election: Election, meeting: Meeting) -> rules.Quorum:
    mr = rules.meeting_rules(rulebook_of(election), meeting.kind)
    return rules.quorum(what_of(meeting), meeting.members, present_count(db, meeting), mr.quorum)


def decide(db: Session, election: Election, meeting_id: int, motion: str, in_favour: int, against: int,
           abstain: int, actor: str) -> MeetingDecision:
    """Record a decision taken by show of hands (totals), only while the quorum holds; the
    rulebook's majority of those present decides."""
    begin_write(db)
    meeting = lock_meeting(db, meeting_of(db, election, meeting_id))
    check_open(meeting)
    if not motion.strip():
        raise UserError("请填写表决事项")
    q = quorum_of(db, election, meeting)
    if not q.quorate:
        raise UserError(q.message)
    if min(in_favour, against, abstain) < 0:
        raise UserError("赞成、反对、弃权人数须为非负整数")
    if in_favour + against + abstain > q.present:
        raise UserError(f"赞成 {in_favour}、反对 {against}、弃权 {abstain} 合计 {in_favour + against + abstain} 人，"
                        f"多于到会的 {q.present} 人，请核对")
    return record_decision(db, election, meeting, motion.strip(), q.present, in_favour, against, abstain, actor)


def lock_meeting(db: Session, meeting: Meeting) -> Meeting:
    """Lock the meeting's row (PostgreSQL; SQLite's write lock already serialises) and read
    it again: its decisions are numbered under this lock (record_decision), so two decisions
    at once take numbers n and n+1, and a meeting closed meanwhile is seen closed. FOR NO KEY
    UPDATE: the door's rows referring to the meeting (their key share) do not wait for it.
    Lock order (docs/ARCHITECTURE.md): the vote of a paper round first
    (motions.publish_vote), then the meeting, the chain head last."""
    db.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update(key_share=True))
    db.refresh(meeting)
    return meeting


def record_decision(db: Session, election: Election, meeting: Meeting, motion: str, present: int, in_favour: int,
                    against: int, abstain: int, actor: str, round_number: int | None = None,
                    void: str = "") -> MeetingDecision:
    """Decide a motion with the meeting's rule (more than the rulebook's share of those
    present agreeing) and record it as the meeting's next decision, with its event: by show
    of hands (decide), or by the published secret-paper round ``round_number``
    (motions.service.publish_vote). The caller holds the meeting's lock (lock_meeting),
    taken before the chain head. ``void``: why that round's vote is void (more papers
    than present or issued): then nothing is adopted, whatever the count."""
    mr = rules.meeting_rules(rulebook_of(election), meeting.kind)
    result = rules.decision(f"{what_of(meeting)}表决“{motion}”", present, in_favour, against, abstain, mr.decision)
    if void:
        result = rules.Decision(False, result.needed, void)
    number = (db.scalar(select(func.max(MeetingDecision.number)).where(MeetingDecision.meeting_id == meeting.id)) or 0) + 1
    row = MeetingDecision(meeting_id=meeting.id, number=number, motion=motion, present=present,
                          in_favour=in_favour, against=against, abstain=abstain, adopted=result.adopted,
                          message=result.message, recorded_by=actor)
    db.add(row)
    db.flush()
    record_event(db, election, ek.MEETING_DECISION_RECORDED, {
        "meeting": meeting.id, "number": number, "motion": row.motion, "members": meeting.members,
        "present": present, "in_favour": in_favour, "against": against, "abstain": abstain,
        "rule": {"key": mr.decision_key, "share": share_text(mr.decision)},
        "adopted": result.adopted, **({"round": round_number} if round_number is not None else {}),
    }, actor, result.message)
    return row


def open_votes(meeting: Meeting):
    """The meeting's motions on secret paper whose round is not yet published."""
    return (select(MeetingVote).join(Round, (Round.election_id == MeetingVote.election_id)
                                     & (Round.number == MeetingVote.round_number))
            .where(MeetingVote.meeting_id == meeting.id, Round.status != "published"))


def paper_votes(db: Session, meeting: Meeting) -> dict[int, MeetingVote]:
    """Decision id -> the secret-paper vote that decided it (the others were by show of hands)."""
    out: dict[int, MeetingVote] = {}
    for v in db.scalars(select(MeetingVote).where(MeetingVote.meeting_id == meeting.id)):
        if v.decision_id is not None:
            out[v.decision_id] = v
    return out


def decisions_of(db: Session, meeting: Meeting) -> list[MeetingDecision]:
    return list(db.scalars(select(MeetingDecision).where(MeetingDecision.meeting_id == meeting.id)
                           .order_by(MeetingDecision.number)))


def adopted(db: Session, election: Election, kind: str | None = None) -> list[tuple[MeetingDecision, Meeting]]:
    """The adopted decisions of this election's meetings (of one kind of meeting when given)."""
    query = (select(MeetingDecision, Meeting).join(Meeting, Meeting.id == MeetingDecision.meeting_id)
             .where(Meeting.election_id == election.id, MeetingDecision.adopted.is_(True)))
    if kind is not None:
        query = query.where(Meeting.kind == kind)
    return [(d, m) for d, m in db.execute(query.order_by(Meeting.held_on, Meeting.id, MeetingDecision.number))]


def decision_label(decision: MeetingDecision, meeting: Meeting) -> str:
    return f"{meeting.held_on.isoformat()}{what_of(meeting)}“{meeting.title}”第{decision.number}项：{decision.motion}"


def attendees(db: Session, meeting: Meeting, left: bool = False) -> list[Resident]:
    """Those present (in the order they came), or with ``left`` those recorded leaving."""
    gone = MeetingAttendance.left_at.is_not(None) if left else MeetingAttendance.left_at.is_(None)
    return list(db.scalars(select(Resident).join(MeetingAttendance, MeetingAttendance.resident_id == Resident.id)
                           .where(MeetingAttendance.meeting_id == meeting.id, gone).order_by(MeetingAttendance.id)))


def close(db: Session, election: Election, meeting_id: int, actor: str) -> Meeting:
    """Close the meeting: attendance and decisions are final; the minutes can be printed."""
    begin_write(db)
    meeting = meeting_of(db, election, meeting_id)
    if meeting.status == "closed":
        raise UserError(f"{what_of(meeting)}“{meeting.title}”已闭会")
    pending = db.scalar(open_votes(meeting).limit(1))
    if pending is not None:
        raise UserError(f"{what_of(meeting)}“{meeting.title}”：第 {pending.round_number} 轮表决票表决“{pending.motion}”"
                        "尚未公布结果，公布后才能闭会")
    q = quorum_of(db, election, meeting)
    meeting.status = "closed"
    record_event(db, election, ek.MEETING_CLOSED, {
        "meeting": meeting.id, "members": meeting.members, "present": q.present, "quorate": q.quorate,
        "decisions": [[d.number, d.adopted] for d in decisions_of(db, meeting)],
    }, actor)
    db.flush()
    return meeting

