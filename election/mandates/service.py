"""Who holds which seat of the 居民委员会 and 居务监督委员会 from when to when: the members
elected by every published round, each with the end of the term when a member resigned,
died, moved away, lost office, was recalled or was barred by [V art.32] (a recorded event), and the vacant seats per
post (seats of the post minus those serving; seats left unfilled by the run-offs count too).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import local_date, today
from ..db import begin_write
from ..decisions import rule_named
from ..errors import UserError
from ..ledger.events import record_event
from ..models import (
    END_REASONS,
    EXTENDED_RELATIONS,
    ChosenMember,
    Election,
    MandateEnd,
    Meeting,
    MeetingDecision,
    Relation,
    Resident,
    RoundResult,
)
from ..protocol import event_kinds as ek
from ..rules.meetings import MEETING_KINDS
from ..rules.rulebook import Rulebook
from ..settings import rulebook_of, seat_posts_of


@dataclass(frozen=True)
class Mandate:
    post: str
    post_name: str
    resident_id: int
    name: str
    votes: int
    round_number: int
    since: date
    until: date | None
    reason: str  # END_REASONS label, or "" while serving
    note: str
    # How the seat was filled: "" by a published round (round_number), or, for a 监督委员会
    # member chosen by a meeting (jdw_chosen_by), that decision as (meeting id, number).
    decision: tuple[int, int] | None = None
    source: str = ""  # in Chinese, for the pages

    @property
    def source_zh(self) -> str:
        return self.source or f"第 {self.round_number} 轮投票当选"

    @property
    def key(self) -> str:
        return f"{self.post}:{self.resident_id}"


@dataclass(frozen=True)
class PostSeats:
    post: str
    name: str
    seats: int
    serving: int

    @property
    def vacant(self) -> int:
        return max(self.seats - self.serving, 0)


@dataclass(frozen=True)
class Composition:
    mandates: list[Mandate]
    posts: list[PostSeats]

    @property
    def serving(self) -> list[Mandate]:
        return [m for m in self.mandates if m.until is None]

    @property
    def vacancies(self) -> dict[str, int]:
        return {p.post: p.vacant for p in self.posts if p.vacant}


def composition(db: Session, election: Election) -> Composition:
    posts = seat_posts_of(election)
    order = {p.key: i for i, p in enumerate(posts)}
    names = {p.key: p.name_zh for p in posts}
    ends = {(e.post, e.resident_id): e for e in db.scalars(
        select(MandateEnd).where(MandateEnd.election_id == election.id))}
    rows: list[Mandate] = []
    for rr in db.scalars(select(RoundResult).where(RoundResult.election_id == election.id)
                         .order_by(RoundResult.round_number)):
        for key, p in rr.result.get("posts", {}).items():
            for e in p.get("elected", []):
                rid = int(e["person"])
                end = ends.get((key, rid))
                rows.append(Mandate(
                    key, names.get(key, key), rid, e.get("name") or rr.names.get(e["person"], {}).get("name", e["person"]),
                    int(e["votes"]), rr.round_number, local_date(rr.published_at),
                    end.ended_on if end else None, END_REASONS.get(end.reason, end.reason) if end else "",
                    end.note if end else ""))
    for chosen, decision, meeting, person in db.execute(
            select(ChosenMember, MeetingDecision, Meeting, Resident)
            .join(MeetingDecision, MeetingDecision.id == ChosenMember.meeting_decision_id)
            .join(Meeting, Meeting.id == MeetingDecision.meeting_id).join(Resident, Resident.id == ChosenMember.resident_id)
            .where(ChosenMember.election_id == election.id)):
        end = ends.get((chosen.post, chosen.resident_id))
        rows.append(Mandate(
            chosen.post, names.get(chosen.post, chosen.post), chosen.resident_id, person.name, 0, 0, chosen.since,
            end.ended_on if end else None, END_REASONS.get(end.reason, end.reason) if end else "",
            end.note if end else "", (meeting.id, decision.number),
            f"{meeting.held_on.isoformat()}{MEETING_KINDS[meeting.kind]}第{decision.number}项决定推选"))
    rows.sort(key=lambda m: (order.get(m.post, 99), m.since, m.round_number))
    serving: dict[str, int] = {}
    for m in rows:
        if m.until is None:
            serving[m.post] = serving.get(m.post, 0) + 1
    return Composition(rows, [PostSeats(p.key, p.name_zh, p.seats, serving.get(p.key, 0)) for p in posts])


def presiding(election: Election, comp: Composition) -> str:
    """Who presides over the 居民委员会 while its 主任's seat is vacant: a 副主任 until the
    by-election (no_zhuren_fu_presides, [P:ZJ, SH]); the one with most votes when several."""
    if any(m.post == "jwh_zhuren" for m in comp.serving):
        return ""
    deputies = sorted((m for m in comp.serving if m.post == "jwh_fu_zhuren"), key=lambda m: -m.votes)
    if not rulebook_of(election).no_zhuren_fu_presides:
        return "居民委员会主任出缺，由居民委员会决定主持工作的人选，至补选产生主任"
    if not deputies:
        return "居民委员会主任、副主任均出缺，须尽快补选"
    return f"居民委员会主任出缺，由副主任{deputies[0].name}主持工作至补选产生主任"


def lock_member(db: Session, resident_id: int) -> None:
    """Lock the member's row (PostgreSQL) before anything of their seat is written and before
    any event (docs/ARCHITECTURE.md, lock order): vacating a seat and a recall of its member
    (recall.service, which vacates it after recording its own event) take it first, so one
    waits for the other and then finds the seat as the other left it."""
    db.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update())


def serving_mandate(db: Session, election: Election, key: str) -> Mandate:
    """The serving member named by ``post:resident id`` (the pages' choice value)."""
    for m in composition(db, election).serving:
        if m.key == key:
            return m
    raise UserError("所选人员不是居民委员会或居务监督委员会的现任成员")


def adopted_decisions(db: Session, election: Election) -> list[tuple[MeetingDecision, Meeting]]:
    """The adopted decisions of this election's meetings (what a resignation may cite)."""
    rows = db.execute(select(MeetingDecision, Meeting).join(Meeting, Meeting.id == MeetingDecision.meeting_id)
                      .where(Meeting.election_id == election.id, MeetingDecision.adopted.is_(True))
                      .order_by(Meeting.held_on, MeetingDecision.number))
    return [(d, m) for d, m in rows]


def decision_label(decision: MeetingDecision, meeting: Meeting) -> str:
    return f"{meeting.held_on.isoformat()}{meeting.title}第{decision.number}项：{decision.motion}"


def near_relatives(db: Session, election: Election, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each of these people -> (relative, kind) for the near relatives [V art.32] counts
    (grandparents and grandchildren only with jdw_incompat_extended), both ways."""
    extended = rulebook_of(election).jdw_incompat_extended
    relatives: dict[int, list[tuple[int, str]]] = {}
    for a, b, kind in db.execute(select(Relation.resident_id, Relation.relative_id, Relation.kind).where(
            Relation.election_id == election.id, Relation.resident_id.in_(ids) | Relation.relative_id.in_(ids))):
        if kind in EXTENDED_RELATIONS and not extended:
            continue
        relatives.setdefault(a, []).append((b, kind))
        relatives.setdefault(b, []).append((a, kind))
    return relatives


def barred(db: Session, election: Election, comp: Composition | None = None) -> dict[str, list[str]]:
    """[V art.32] after the fact: each serving 居务监督委员会 member a meeting chose (their
    mandate key) who has since been elected to the 居民委员会, or whose near relative has,
    with why in Chinese. Their term ends for it (reason "barred"); the vote that elected the
    居民委员会 stands."""
    comp = comp or composition(db, election)
    jwh = {m.resident_id: m for m in comp.serving if m.post.startswith("jwh_")}
    picked = [m for m in comp.serving if m.post.startswith("jdw_") and m.decision is not None]
    if not jwh or not picked:
        return {}
    relatives = near_relatives(db, election, [m.resident_id for m in picked])
    out: dict[str, list[str]] = {}
    for m in picked:
        who = f"会议推选的{m.post_name}{m.name}"
        if m.resident_id in jwh:
            out.setdefault(m.key, []).append(f"{who}已当选{jwh[m.resident_id].post_name}，居民委员会成员不得担任"
                                             "居务监督委员会成员（[V art.32]）")
        for other, kind in relatives.get(m.resident_id, []):
            if other in jwh:
                extended = "；" + rule_named("jdw_incompat_extended") if kind in EXTENDED_RELATIONS else ""
                out.setdefault(m.key, []).append(f"{who}是新当选{jwh[other].post_name}{jwh[other].name}的近亲属，"
                                                 f"不得担任居务监督委员会成员（[V art.32]{extended}）")
    return out


def vacate(db: Session, election: Election, key: str, reason: str, ended_on: date, note: str, actor: str,
           decision_id: int | None = None) -> Mandate:
    """A member leaves the seat: recorded once, with the day and the reason; the seat is vacant.
    A resignation names the meeting's decision that accepted it (a recorded decision, or a note).
    "barred" ([V art.32]) only for a member ``barred`` names, its reason written in the note."""
    begin_write(db)
    if reason not in END_REASONS:
        raise UserError(f"离任原因“{reason}”无效，可选：{'、'.join(END_REASONS.values())}")
    member = serving_mandate(db, election, key)
    lock_member(db, member.resident_id)
    member = serving_mandate(db, election, key)  # read again once locked: another may have vacated it
    if reason == "barred":
        why = barred(db, election).get(key)
        if not why:
            raise UserError(f"{member.name}（{member.post_name}）：“{END_REASONS[reason]}”只适用于会议推选的居务监督委员会"
                            "成员本人或其近亲属当选居民委员会成员的情形（[V art.32]），该成员没有这种情形")
        note = "；".join(why) + (f"；{note.strip()}" if note.strip() else "")
    if ended_on > today():
        raise UserError(f"{member.name}的离任日期{ended_on.isoformat()}晚于今天：离任生效后再记录")
    if ended_on < member.since:
        raise UserError(f"{member.name}于 {member.since.isoformat()} 当选，离任日期不能早于当选日期")
    cited = None
    if decision_id is not None:
        found = next(((d, m) for d, m in adopted_decisions(db, election) if d.id == decision_id), None)
        if found is None:
            raise UserError("所选会议决定不存在或未通过")
        cited = found
        note = (note.strip() + "；" if note.strip() else "") + "依据" + decision_label(*found)
    book = rulebook_of(election)
    accepting = book.show("resignation_accepted_by")
    if reason == "resigned":
        wanted = "residents" if book.resignation_accepted_by == "residents_meeting" else "representatives"
        if cited is not None and cited[1].kind != wanted:
            raise UserError(f"{member.name}书面辞职须经{accepting}接受（{Rulebook.label('resignation_accepted_by')}），"
                            f"所选决定是{MEETING_KINDS[cited[1].kind]}的决定")
        if not note.strip():
            raise UserError(f"{member.name}书面辞职：须选择或写明{accepting}接受辞职的决定")
    db.add(MandateEnd(election_id=election.id, post=member.post, resident_id=member.resident_id, ended_on=ended_on,
                      reason=reason, note=note.strip(), recorded_by=actor))
    db.flush()
    record_event(db, election, ek.SEAT_VACATED, {
        "post": member.post, "person": str(member.resident_id), "name": member.name, "reason": reason,
        "ended_on": ended_on.isoformat(), "round": member.round_number,
        **({"decision": {"meeting": cited[1].id, "number": cited[0].number}} if cited else {}),
    }, actor, f"{member.name}（{member.post_name}）{END_REASONS[reason]}" + (f"：{note.strip()}" if note.strip() else ""))
    return member


def composition_json(comp: Composition) -> dict:
    """The composition as the bundle's composition.json (PROTOCOL.md §9): every post with its
    seats, serving and vacant, and every member elected by a published round (or, round 0
    with its "decision", chosen by a meeting) with the day the seat was taken, the day it
    ended and why (END_REASONS keys; "" while serving)."""
    reasons = {v: k for k, v in END_REASONS.items()}
    return {
        "posts": [{"post": p.post, "name": p.name, "seats": p.seats, "serving": p.serving, "vacant": p.vacant}
                  for p in comp.posts],
        "members": [{"post": m.post, "person": str(m.resident_id), "name": m.name, "round": m.round_number,
                     "since": m.since.isoformat(), "until": m.until.isoformat() if m.until else None,
                     "reason": reasons.get(m.reason, m.reason),
                     **({"decision": {"meeting": m.decision[0], "number": m.decision[1]}} if m.decision else {})}
                    for m in comp.mandates],
    }
