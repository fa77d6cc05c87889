"""The 居务监督委员会 chosen by a meeting (jdw_chosen_by residents_meeting or
representatives_meeting, [V art.32] "由村民会议或者村民代表会议推选"): its posts are not on
the election's paper; the committee records the members from the adopted decision of that
kind of meeting it cites (decisions.cited_decision), each name taken from the decision's
motion and checked: a registered voter, one post each, not a member of the 居民委员会 nor
its near relative [V art.32], nor a 居民委员会 candidate where one person may not stand for
both bodies (one_person_two_bodies). They then hold their seats (mandates.composition)
from the meeting's day; a seat they leave is filled by the meeting again, recorded here.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..decisions import Cited, adopted_decisions, cited_decision, rule_named
from ..errors import UserError
from ..ledger.events import record_event
from ..models import END_REASONS, EXTENDED_RELATIONS, Candidate, ChosenMember, Election, Resident
from ..nomination.service import ACTIVE, find_residents, label
from ..protocol import event_kinds as ek
from ..rules.meetings import MEETING_KINDS
from ..rules.phrase import phrase
from ..settings import rulebook_of, seat_posts_of
from .service import barred, composition, near_relatives

# jdw_chosen_by -> the kind of meeting (election.rules.meetings.MEETING_KINDS) that chooses.
MEETING_OF = {"residents_meeting": "residents", "representatives_meeting": "representatives"}


def choosing_kind(election: Election) -> str | None:
    """The kind of meeting that chooses the 监督委员会, or None where the voters elect it."""
    return MEETING_OF.get(rulebook_of(election).jdw_chosen_by)


def choosing_decisions(db: Session, election: Election) -> list[Cited]:
    """The adopted decisions the committee may cite: those of the meeting that chooses."""
    kind = choosing_kind(election)
    return adopted_decisions(db, election, (kind,)) if kind else []


def record_choice(db: Session, election: Election, decision_id: int | None, names: dict[str, list[str]],
                  actor: str) -> list[ChosenMember]:
    """Record the members a meeting's cited decision chose, per post (voter numbers or
    names), into that post's vacant seats; one event names the decision and the members."""
    begin_write(db)
    rule = rule_named("jdw_chosen_by")
    kind = choosing_kind(election)
    if kind is None:
        raise UserError(f"本选举的居务监督委员会由全体选民投票选举（{rule}），其成员以选举结果为准，不按会议决定记录")
    meeting_name = MEETING_KINDS[kind]
    decision, meeting = cited_decision(db, election, {kind: meeting_name}, decision_id,
                                       requirement=f"居务监督委员会成员由{meeting_name}推选产生",
                                       rule_field="jdw_chosen_by", purpose="推选居务监督委员会成员")
    comp = composition(db, election)
    vacant = {p.post: p.vacant for p in comp.posts}
    posts = [p for p in seat_posts_of(election) if p.body == "jdw"]
    problems: list[str] = []
    unknown = {key for key, entries in names.items() if any(e.strip() for e in entries)} - {p.key for p in posts}
    if unknown:
        problems.append(f"职位“{'、'.join(sorted(unknown))}”不是本选举居务监督委员会的职位")
    chosen: list[tuple[str, str, Resident]] = []
    for post in posts:
        entries = [e.strip() for e in names.get(post.key, []) if e.strip()]
        if len(entries) > vacant.get(post.key, 0):
            problems.append(f"{post.name_zh}（成员）：填写 {len(entries)} 人，该职位出缺 {vacant.get(post.key, 0)} 席")
        found, missing = find_residents(db, election, entries)
        problems += [f"{post.name_zh}（成员）：{m}" for m in missing]
        chosen += [(post.key, post.name_zh, r) for r in found]
    if not chosen and not problems:
        problems.append(f"请填写{meeting_name}决定推选的居务监督委员会成员（成员）")
    problems += _eligibility(db, election, comp, chosen, decision.motion)
    if problems:
        raise UserError(*problems)
    rows = [ChosenMember(election_id=election.id, post=key, resident_id=r.id, meeting_decision_id=decision.id,
                         since=meeting.held_on, recorded_by=actor) for key, _, r in chosen]
    db.add_all(rows)
    db.flush()
    record_event(db, election, ek.SEAT_CHOSEN_BY_MEETING, {
        "decision": {"meeting": meeting.id, "number": decision.number}, "kind": kind,
        "since": meeting.held_on.isoformat(),
        # name and sex as the roll has them: a verifier sees composition.json's names changed.
        "members": [{"post": key, "person": str(r.id), "name": r.name, "sex": r.sex} for key, _, r in chosen],
    }, actor, f"依据{meeting.held_on.isoformat()}{meeting_name}“{meeting.title}”第{decision.number}项决定")
    return rows


def conflicts(db: Session, election: Election) -> list[str]:
    """[V art.32] after the fact (service.barred): a 居务监督委员会 member the meeting chose
    who has since been elected to the 居民委员会, or whose near relative has: the vote stands
    (its result is published as counted), the member's term ends for it and the meeting
    chooses again for that seat. In Chinese, one line per conflict, for the workflow's
    warnings."""
    if choosing_kind(election) is None:
        return []
    return [phrase("%(why)s：须在组成人员页面以“%(reason)s”记录其居务监督委员会职务终止，由会议另行推选",
                   why=why, reason=END_REASONS["barred"])
            for whys in barred(db, election).values() for why in whys]


def _eligibility(db: Session, election: Election, comp, chosen: list[tuple[str, str, Resident]],
                 motion: str) -> list[str]:
    """Why each chosen person may not take the seat ([V art.32], one_person_two_bodies); each
    message names the post, the person, the field and the rule."""
    book = rulebook_of(election)
    serving = {m.resident_id: m for m in comp.serving}
    jwh_serving = {m.resident_id: m for m in comp.serving if m.post.startswith("jwh_")}
    jwh_candidates = {c.resident_id for c in db.scalars(select(Candidate).where(
        Candidate.election_id == election.id, Candidate.post.startswith("jwh_"), Candidate.status.in_(ACTIVE)))}
    relatives = near_relatives(db, election, [r.id for _, _, r in chosen])
    out: list[str] = []
    seen: set[int] = set()
    for _, post_name, r in chosen:
        who = f"{post_name}（成员）{label(r)}"
        if not r.is_voter:
            out.append(f"{who}不是本社区登记选民，不能担任居务监督委员会成员")
        if r.name not in motion:
            out.append(f"{who}：姓名不在所引用决定的表决事项“{motion}”中，成员须出自会议决定")
        if r.id in seen:
            out.append(f"{who}：同一人只能担任一个职位")
        seen.add(r.id)
        if r.id in jwh_serving:
            out.append(f"{who}现任{jwh_serving[r.id].post_name}，居民委员会成员不得担任居务监督委员会成员（[V art.32]）")
        elif r.id in serving:
            out.append(f"{who}已是{serving[r.id].post_name}")
        if r.id in jwh_candidates and not book.one_person_two_bodies:
            out.append(f"{who}是居民委员会候选人，同一人不能同时为两个委员会的成员（{rule_named('one_person_two_bodies')}为否）")
        for other, kind in relatives.get(r.id, []):
            if other in jwh_serving:
                out.append(f"{who}是{jwh_serving[other].post_name}{jwh_serving[other].name}的近亲属，"
                           f"不得担任居务监督委员会成员（[V art.32]{'；' + rule_named('jdw_incompat_extended') if kind in EXTENDED_RELATIONS else ''}）")
    return out
