"""Candidates for a later round that the committee must nominate (issue 16, "every outcome
has a next step"): when a run-off is short of candidates — a run-off stays differential,
seats + runoff_extra_candidates (RULES.md "run-off", "differential margin"), and a woman's
reserved seat needs women — publishing the result makes the round in status "nominating".
The committee adds candidates to each section, then publishes the list like the first one
(an event and a notice); only then may the round be printed, issued and counted."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.notices import NoticeGroup, notice_bytes

from ..clock import cn_date, today
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import Candidate, Election, Resident, Round, RoundResult
from ..protocol import event_kinds as ek
from ..rounds import latest_round
from ..rules.tally_types import FEMALE
from ..settings import rulebook_of
from .service import ballot_key, find_residents, label, post_of


@dataclass(frozen=True)
class Section:
    post: str
    name: str
    seats: int
    reserved: int
    candidates: list[Candidate]
    short: int  # candidates still wanted
    women_short: int  # women still wanted (reserved seats)


def nominating_round(db: Session, election: Election) -> Round | None:
    """The latest round when it waits for the committee's nominations."""
    row = latest_round(db, election)
    return row if row is not None and row.status == "nominating" else None


def sections(db: Session, election: Election, rnd: Round) -> list[Section]:
    """Each section of the round with its candidates and what it still lacks."""
    extra = rulebook_of(election).runoff_extra_candidates
    out = []
    for key, info in rnd.posts.items():
        ids = [int(i) for i in info.get("candidates", [])]
        rows = {c.id: c for c in db.scalars(select(Candidate).where(Candidate.id.in_(ids)))} if ids else {}
        cands = [rows[i] for i in ids if i in rows]
        seats, reserved = int(info["seats"]), int(info.get("reserved_woman_seats", 0))
        women = sum(1 for c in cands if c.resident.sex in FEMALE)
        out.append(Section(key, post_of(election, key).name_zh, seats, reserved, cands,
                           max(0, seats + extra - len(cands)),
                           max(0, reserved + extra - women) if reserved else 0))
    return out


def _elected(db: Session, election: Election) -> set[int]:
    out: set[int] = set()
    for rr in db.scalars(select(RoundResult).where(RoundResult.election_id == election.id)):
        for p in rr.result.get("posts", {}).values():
            out |= {int(e["person"]) for e in p.get("elected", [])}
    return out


def add_candidate(db: Session, election: Election, post_key: str, entry: str, evidence: str, actor: str,
                  confirmation: str = "") -> Candidate:
    """Nominate a voter for a section of the nominating round (Chinese refusals naming the
    section and the rule); the database is left as it was on refusal.

    A 监督委员会 nominee needs, as in the first list ([seed 江苏 §17]), the confirmation the
    rulebook asks for: the chair always (Party organisation's proposal confirmed by the
    街道党工委 or 纪工委), the vice-chair and members where jdw_members_party_confirmed; the
    committee enters the confirming document in ``confirmation``, kept in the event."""
    begin_write(db)
    rnd = nominating_round(db, election)
    if rnd is None:
        raise UserError("当前没有待提名候选人的另行选举")
    if post_key not in rnd.posts:
        raise UserError(f"第 {rnd.number} 轮另行选举没有“{post_key}”这一栏")
    post = post_of(election, post_key)
    if not evidence.strip():
        raise UserError(f"{post.name_zh}：须填写提名依据（选举委员会决定的文号或说明）")
    found, missing = find_residents(db, election, [entry])
    if missing:
        raise UserError(*[f"{post.name_zh}候选人：{m}" for m in missing])
    person: Resident = found[0]
    section = next(s for s in sections(db, election, rnd) if s.post == post_key)
    problems = []
    if not person.is_voter:
        problems.append(f"{label(person)}不是已登记的合格选民，不能作为{post.name_zh}候选人")
    if person.id in _elected(db, election):
        problems.append(f"{label(person)}已经当选，不能再作为另行选举候选人")
    if any(c.resident_id == person.id for c in section.candidates):
        problems.append(f"{label(person)}已是{post.name_zh}另行选举候选人")
    if section.reserved == section.seats and person.sex not in FEMALE:
        problems.append(f"{post.name_zh}另行选举为妇女委员定位，候选人须为女性")
    elif section.women_short and not section.short and person.sex not in FEMALE:
        problems.append(f"{post.name_zh}另行选举还须女性候选人 {section.women_short} 名，其余名额已足")
    other_body = [k for k, info in rnd.posts.items() if k != post_key and k.split("_")[0] != post_key.split("_")[0]
                  and any(c.resident_id == person.id for c in db.scalars(select(Candidate).where(
                      Candidate.id.in_([int(i) for i in info.get("candidates", [])]))))]
    if other_body and not rulebook_of(election).one_person_two_bodies:
        problems.append(f"{label(person)}已是另一机构的候选人：同一人不能同时为居委会和监督委员会候选人（村民委员会组织法第三十二条）")
    rb = rulebook_of(election)
    if not confirmation.strip():
        if post_key == "jdw_zhuren":
            problems.append(f"{post.name_zh}另行选举候选人须由社区党组织提出，经街道党工委或纪工委审核确认：请填写确认文件")
        elif post_key in ("jdw_fu_zhuren", "jdw_weiyuan") and rb.jdw_members_party_confirmed:
            problems.append(f"{post.name_zh}另行选举候选人须经社区党组织确认（{rb.label('jdw_members_party_confirmed')}）：请填写确认文件")
    if problems:
        raise UserError(*problems)
    row = db.scalar(select(Candidate).where(Candidate.election_id == election.id, Candidate.post == post_key,
                                           Candidate.resident_id == person.id))
    if row is None:
        row = Candidate(election_id=election.id, resident_id=person.id, post=post_key, status="formal")
        db.add(row)
        db.flush()
    ids = [c.id for c in sorted(section.candidates + [row], key=ballot_key)]
    rnd.posts = {**rnd.posts, post_key: {**rnd.posts[post_key], "candidates": ids}}
    db.flush()
    record_event(db, election, ek.NOMINATION_ROUND_CANDIDATE_NOMINATED, {
        "round": rnd.number, "post": post_key, "nominee": person.name, "voter_number": person.voter_number,
        "evidence": evidence.strip()[:500], **({"confirmation": confirmation.strip()[:500]} if confirmation.strip() else {})},
        actor)
    return row


def publish_candidates(db: Session, election: Election, actor: str) -> Round:
    """Publish the nominating round's list: every section differential (RULES.md; 等额 only
    where uncontested_allowed), enough women for its reserved seats; the round opens."""
    begin_write(db)
    rnd = nominating_round(db, election)
    if rnd is None:
        raise UserError("当前没有待提名候选人的另行选举")
    rb = rulebook_of(election)
    problems = []
    for s in sections(db, election, rnd):
        short = s.short if not rb.uncontested_allowed else max(0, s.seats - len(s.candidates))
        if short:
            problems.append(f"{s.name}另行选举应选 {s.seats} 名，候选人 {len(s.candidates)} 名，还须提名 {short} 名"
                            f"（另行选举须差额，{rb.label('runoff_extra_candidates')}为 {rb.runoff_extra_candidates}）")
        if s.women_short:
            problems.append(f"{s.name}另行选举有妇女委员定位 {s.reserved} 名，还须提名女性候选人 {s.women_short} 名")
    if problems:
        raise UserError(*problems)
    rnd.status = "open"
    # candidates: each one's ids, name and sex as published (the list notice prints name and
    # sex), so a verifier sees tally_input.json's names or sexes changed afterwards.
    named = [{"post": s.post, "order": n, "name": c.resident.name, "sex": c.resident.sex, "candidate": c.id,
              "person": str(c.resident_id)} for s in sections(db, election, rnd) for n, c in enumerate(s.candidates, 1)]
    record_event(db, election, ek.NOMINATION_ROUND_CANDIDATES_PUBLISHED, {
        "round": rnd.number, "posts": rnd.posts, "published_on": today().isoformat(), "candidates": named}, actor)
    db.flush()
    return rnd


def notice_pdf(db: Session, election: Election, number: int) -> bytes:
    """另行选举候选人名单公告 of a round whose list the committee published."""
    rnd = db.scalar(select(Round).where(Round.election_id == election.id, Round.number == number))
    if rnd is None or rnd.status == "nominating":
        raise UserError(f"第 {number} 轮另行选举候选人名单尚未公布")
    groups = [NoticeGroup(f"{s.name}（应选 {s.seats} 名{f'，其中妇女委员定位 {s.reserved} 名' if s.reserved else ''}）",
                          [[str(i), c.resident.name, c.resident.sex] for i, c in enumerate(s.candidates, 1)])
              for s in sections(db, election, rnd)]
    return notice_bytes("另行选举候选人名单公告",
                        [f"{election.title}第 {number} 轮另行选举候选人名单公布如下（按姓氏笔画排序）："],
                        ["序号", "姓名", "性别"], groups,
                        [f"{election.community.name}居民选举委员会", cn_date(today())])
