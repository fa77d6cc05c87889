"""Nomination of candidates, primaries and the published list of formal candidates.

Nominees come through one or more channels (joint nomination, self-nomination, the
residents' or representatives' meeting, the community Party organisation); the list is
published only when every post is differential under the rulebook's margins, the
监督委员会 chair is confirmed by the street Party working committee, and no one stands
for both bodies. Publication orders each post by surname strokes and marks the
candidates 'formal'. Every change is an event of the election's ledger.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.fonts import missing_glyphs
from ballots.notices import NoticeGroup, notice_bytes

from ..db import of_election
from ..decisions import Cited, cited_decision, rule_named
from ..errors import UserError
from ..ledger.events import record_event, write_at_head
from ..models import (
    CANDIDATE_STATUSES,
    CHANNELS,
    EXTENDED_RELATIONS,
    RELATIONS,
    Candidate,
    ChosenMember,
    Election,
    ElectionEvent,
    MandateEnd,
    Meeting,
    MeetingDecision,
    Nomination,
    PrimaryVote,
    Relation,
    Resident,
    Signature,
)
from ..protocol import event_kinds as ek
from ..rules import nomination as rules
from ..rules.bodies import Post
from ..rules.eligibility import age_on
from ..rules.meetings import MEETING_KINDS
from ..rules.phrase import phrase
from ..rules.rulebook import Rulebook
from ..rules.strokes import missing_characters, sort_key
from ..settings import posts_of, rulebook_of, seat_posts_of

ACTIVE = ("nominee", "formal")
CONFIRMING_BODIES = ("街道党工委", "街道纪工委")
PUBLISHED = ek.NOMINATION_LIST_PUBLISHED
# Nomination channels that are a meeting, and the kind of meeting (election.meetings) each is.
MEETING_CHANNELS = {"residents_meeting": "residents", "reps_meeting": "representatives"}


def post_of(election: Election, key: str) -> Post:
    for post in posts_of(election):
        if post.key == key:
            return post
    raise UserError(f"职位“{key}”不是本次选举的职位")


def margins(rulebook: Rulebook, post_key: str) -> tuple[int, int]:
    """(min, max) margin of a post; the 监督委员会 副主任 has no parameter of its own and uses the chair's."""
    key = "jdw_zhuren" if post_key == "jdw_fu_zhuren" else post_key
    return getattr(rulebook, f"margin_{key}_min"), getattr(rulebook, f"margin_{key}_max")


def label(resident: Resident) -> str:
    """How a resident is named in messages: name and voter number (names repeat)."""
    number = f"（选民编号 {resident.voter_number}）" if resident.voter_number is not None else ""
    return f"{resident.name}{number}"


def candidates_of(db: Session, election: Election, post_key: str | None = None, statuses=ACTIVE) -> list[Candidate]:
    query = select(Candidate).where(Candidate.election_id == election.id, Candidate.status.in_(statuses))
    if post_key:
        query = query.where(Candidate.post == post_key)
    return list(db.scalars(query.order_by(Candidate.post, Candidate.ballot_order, Candidate.id)))


def find_residents(db: Session, election: Election, entries: list[str]) -> tuple[list[Resident], list[str]]:
    """Resolve voter numbers or exact names to residents of this election's roll.

    Returns the residents found and a Chinese message for each entry not found or ambiguous
    (an ambiguous name lists the voter numbers to choose from)."""
    found: list[Resident] = []
    problems: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        base = select(Resident).where(Resident.election_id == election.id)
        if entry.isdigit():
            rows = list(db.scalars(base.where(Resident.voter_number == int(entry))))
        else:
            rows = list(db.scalars(base.where(Resident.name == entry).order_by(Resident.voter_number)))
        if not rows:
            problems.append(f"“{entry}”不在本社区名册中（请填写选民编号或完整姓名）")
        elif len(rows) > 1:
            choices = "、".join(label(r) for r in rows)
            problems.append(f"姓名“{entry}”有 {len(rows)} 人：{choices}，请改填选民编号")
        else:
            found.append(rows[0])
    return found, problems


@dataclass
class NominationResult:
    candidate: Candidate
    nomination: Nomination
    notes: list[str] = field(default_factory=list)


def _joint_check(db: Session, election: Election, post: Post, nominee: Resident, signers: list[Resident]) -> None:
    rb = rulebook_of(election)
    existing = list(db.scalars(
        select(Nomination).join(Candidate, Nomination.candidate_id == Candidate.id).where(
            Nomination.election_id == election.id, Nomination.channel == "joint",
            Candidate.post == post.key, Candidate.status.in_(ACTIVE),
        )
    ))
    noms = [
        rules.JointNomination(label(n.candidate.resident), post.name_zh, tuple(label(s.resident) for s in n.signatures))
        for n in existing
    ]
    new = rules.JointNomination(label(nominee), post.name_zh, tuple(label(s) for s in signers))
    registered = {label(s) for s in signers if s.is_voter}
    for n in existing:
        registered |= {label(s.resident) for s in n.signatures if s.resident.is_voter}
    limit = post.seats if rb.signer_limit_equals_seats else 10_000
    check = rules.check_joint_nominations(noms + [new], registered, {post.name_zh: limit}, rb.nomination_min_joint_signers)
    mine = set(new.signers)
    relevant = [e for e in check.errors if new not in check.valid or any(s in e for s in mine if s in check.offending_signers)]
    if new not in check.valid or set(check.offending_signers) & mine:
        raise UserError(*(relevant or check.errors))


def _household_joint_check(db: Session, election: Election, post: Post, signers: list[Resident]) -> None:
    """Joint nomination by household representatives (RULES.md "channels": >= 5 household
    reps, nomination_min_household_signers): every signer is the designated representative
    of a household (roll.electors), one signature per household."""
    from ..models import HouseholdRep

    rb = rulebook_of(election)
    reps = {r.resident_id: r.household_id for r in db.scalars(
        select(HouseholdRep).where(HouseholdRep.election_id == election.id,
                                   HouseholdRep.resident_id.in_([s.id for s in signers])))}
    problems = [f"联名人{label(s)}不是已推选的户代表" for s in signers if s.id not in reps]
    distinct = len({reps[s.id] for s in signers if s.id in reps})
    if distinct < rb.nomination_min_household_signers:
        problems.append(f"{post.name_zh}户代表联名推荐须有至少 {rb.nomination_min_household_signers} 户的户代表联名"
                        f"（{rb.label('nomination_min_household_signers')}），现有 {distinct} 户")
    if problems:
        raise UserError(*problems)


def nominate(
    db: Session, election: Election, actor: str, post_key: str, nominee_entry: str, channel: str,
    evidence: str, signer_entries: list[str] | None = None, education: str = "", current_job: str = "",
    biography: str = "", meeting_decision_id: int | None = None,
) -> NominationResult:
    """Record one nomination of a voter for a post through a channel, with its evidence. A
    nomination by a 居民会议 or 居民代表会议 may cite that meeting's recorded decision."""
    write_at_head(db, election)
    post = post_of(election, post_key)
    rb = rulebook_of(election)
    problems: list[str] = []
    if channel not in CHANNELS:
        problems.append(f"提名方式“{channel}”无效，可选：{'、'.join(CHANNELS.values())}")
    elif channel == "self" and not rb.nomination_self_allowed:
        problems.append(f"本选举规则（{rb.label('nomination_self_allowed')}）不允许自荐")
    if post.key == "jdw_zhuren" and channel != "party":
        problems.append("居务监督委员会主任人选须由社区党组织提名，再经街道党工委或纪工委审核确认")
    cited = None
    if channel in MEETING_CHANNELS:
        try:
            cited = meeting_decision(db, election, post, nominee_entry, channel, meeting_decision_id)
        except UserError as error:
            problems += error.messages
        else:
            ref = f"依据{decision_reference(*cited)}"
            evidence = f"{evidence.strip()}；{ref}" if evidence.strip() else ref
    elif meeting_decision_id is not None:
        problems.append(f"只有{'、'.join(CHANNELS[c] for c in MEETING_CHANNELS)}可以引用会议决定")
    if not evidence.strip() and channel not in MEETING_CHANNELS:  # a meeting's evidence is its decision
        problems.append(f"{CHANNELS.get(channel, channel)}须填写依据（文字说明或文件编号）")
    if _published(db, election):
        problems.append("正式候选人名单已公布，不能再提名；如有候选人退出，由预选得票次多者依次递补")
    found, not_found = find_residents(db, election, [nominee_entry])
    problems += [f"被提名人：{m}" for m in not_found]
    if problems:
        raise UserError(*problems)
    nominee = found[0]
    if not nominee.is_voter:
        raise UserError(f"被提名人{label(nominee)}不是已登记的合格选民，不能被提名为{post.name_zh}候选人")
    signers: list[Resident] = []
    if channel in ("joint", "household_joint"):
        signers, missing = find_residents(db, election, signer_entries or [])
        if missing:
            raise UserError(*[f"联名人：{m}" for m in missing])
        if channel == "joint":
            _joint_check(db, election, post, nominee, signers)
        else:
            _household_joint_check(db, election, post, signers)
    elif signer_entries and any(e.strip() for e in signer_entries):
        raise UserError("只有选民联名推荐和户代表联名推荐需要填写联名人")

    candidate = db.scalar(select(Candidate).where(
        Candidate.election_id == election.id, Candidate.post == post.key, Candidate.resident_id == nominee.id))
    first_time = db.scalar(select(Candidate.id).where(
        Candidate.election_id == election.id, Candidate.resident_id == nominee.id, Candidate.status.in_(ACTIVE)).limit(1)) is None
    if candidate is None:
        candidate = Candidate(election_id=election.id, resident_id=nominee.id, post=post.key, status="nominee")
        db.add(candidate)
    elif candidate.status not in ACTIVE:
        raise UserError(f"{label(nominee)}在{post.name_zh}职位的状态为“{CANDIDATE_STATUSES.get(candidate.status, candidate.status)}”，不能再提名")
    else:
        earlier = _nominations(db, candidate)
        if earlier:
            how = "、".join(CHANNELS.get(n.channel, n.channel) for n in earlier)
            raise UserError(f"{label(nominee)}已被提名为{post.name_zh}候选人（{how}），同一人对同一职位只登记一次提名")
    candidate.education = education.strip() or candidate.education
    candidate.current_job = current_job.strip() or candidate.current_job
    candidate.biography = biography.strip() or candidate.biography
    db.flush()
    nomination = Nomination(election_id=election.id, candidate_id=candidate.id, channel=channel,
                            evidence=evidence.strip(), entered_by=actor,
                            meeting_decision_id=cited[0].id if cited else None)
    db.add(nomination)
    db.flush()
    for s in signers:
        db.add(Signature(nomination_id=nomination.id, resident_id=s.id))
    db.flush()
    notes: list[str] = []
    if first_time:
        notes += _committee_member_check(db, election, nominee, actor)
    record_event(db, election, ek.NOMINATION_NOMINATED, {
        "post": post.key, "nominee": nominee.name, "voter_number": nominee.voter_number,
        "channel": channel, "evidence": nomination.evidence,
        "signers": [s.voter_number for s in signers],
        **({"decision": {"meeting": cited[1].id, "number": cited[0].number}} if cited else {}),
    }, actor)
    return NominationResult(candidate, nomination, notes)


def decision_reference(decision: MeetingDecision, meeting: Meeting) -> str:
    """A meeting's decision as a nomination names it."""
    return (f"{meeting.held_on.isoformat()}{MEETING_KINDS[meeting.kind]}“{meeting.title}”"
            f"第{decision.number}项决定：{decision.motion}")


def meeting_decision(db: Session, election: Election, post: Post, nominee_entry: str, channel: str,
                     decision_id: int | None) -> Cited:
    """RULES.md "channels": a nomination by a 居民会议 or 居民代表会议 rests on that meeting's
    adopted decision recorded here; refused, naming the nominee, the field and the rule,
    where the rulebook lets no meeting nominate, or while none is cited (decisions.cited_decision)."""
    rb = rulebook_of(election)
    row = f"{post.name_zh}被提名人“{nominee_entry.strip()}”的{CHANNELS[channel]}"
    if not rb.nomination_meeting_allowed:
        raise UserError(f"{row}：本选举规则不允许会议提名（{rule_named('nomination_meeting_allowed')}为否）")
    kind = MEETING_CHANNELS[channel]
    try:
        return cited_decision(db, election, {kind: MEETING_KINDS[kind]}, decision_id,
                              requirement=f"{row}须引用{MEETING_KINDS[kind]}通过的提名决定（会议决定）",
                              rule_field="nomination_meeting_allowed", purpose=f"提名{post.name_zh}候选人")
    except UserError as error:
        raise UserError(*(m if m.startswith(row) else f"{row}：{m}" for m in error.messages)) from None


def _committee_member_check(db: Session, election: Election, nominee: Resident, actor: str) -> list[str]:
    """A nominee who sits on the election committee withdraws from it (依次递补)."""
    from ..representatives.committee import member_becomes_candidate, relatives_of_candidate_withdraw

    return (list(member_becomes_candidate(db, election, nominee.id, actor) or [])
            + relatives_of_candidate_withdraw(db, election, nominee.id, actor))


def confirm_chair(db: Session, election: Election, actor: str, candidate_id: int, body: str, note: str) -> Nomination:
    """The street Party working committee (or discipline committee) confirms the 监督委员会 chair nominee."""
    write_at_head(db, election)
    candidate = _candidate(db, election, candidate_id)
    if candidate.post != "jdw_zhuren":
        raise UserError(f"只有居务监督委员会主任人选需要街道审核确认，{candidate.resident.name}是{post_of(election, candidate.post).name_zh}被提名人")
    if body not in CONFIRMING_BODIES:
        raise UserError(f"审核确认机关须为{'或'.join(CONFIRMING_BODIES)}")
    if not note.strip():
        raise UserError("请填写审核确认的依据（文件编号或会议记录）")
    party = [n for n in _nominations(db, candidate) if n.channel == "party"]
    if not party:
        raise UserError(f"{candidate.resident.name}没有社区党组织的提名，不能审核确认")
    nomination = party[0]
    if nomination.rejected_by:
        raise UserError(f"{candidate.resident.name}已被{nomination.rejected_by}驳回，不能再审核确认")
    nomination.confirmed_by = body
    nomination.confirmed_note = note.strip()
    nomination.confirmed_actor = actor
    db.flush()
    record_event(db, election, ek.NOMINATION_CHAIR_CONFIRMED, {
        "post": "jdw_zhuren", "nominee": candidate.resident.name, "by": body, "note": note.strip(),
    }, actor)
    return nomination


def reject_chair(db: Session, election: Election, actor: str, candidate_id: int, body: str, reason: str) -> Nomination:
    """The street Party working committee (or discipline committee) refuses (驳回) the
    监督委员会 chair nominee, with its reason: recorded, and the nominee cannot become formal."""
    write_at_head(db, election)
    candidate = _candidate(db, election, candidate_id)
    problems = []
    if candidate.post != "jdw_zhuren":
        problems.append(f"只有居务监督委员会主任人选需要街道审核确认，{candidate.resident.name}是{post_of(election, candidate.post).name_zh}被提名人")
    if body not in CONFIRMING_BODIES:
        problems.append(f"审核确认机关须为{'或'.join(CONFIRMING_BODIES)}")
    if not (reason or "").strip():
        problems.append(f"驳回{candidate.resident.name}须填写驳回理由")
    party = [n for n in _nominations(db, candidate) if n.channel == "party"]
    if not party:
        problems.append(f"{candidate.resident.name}没有社区党组织的提名，无需审核确认")
    elif party[0].confirmed_by:
        problems.append(f"{candidate.resident.name}已经{party[0].confirmed_by}审核确认，不能再驳回")
    elif party[0].rejected_by:
        problems.append(f"{candidate.resident.name}已被{party[0].rejected_by}驳回")
    if problems:
        raise UserError(*problems)
    return _reject(db, election, actor, party[0], body, reason.strip(), ek.NOMINATION_CHAIR_REJECTED)


def _reject(db: Session, election: Election, actor: str, nomination: Nomination, body: str, reason: str,
            kind: str) -> Nomination:
    nomination.rejected_by, nomination.rejected_reason, nomination.rejected_actor = body, reason, actor
    db.flush()
    candidate = nomination.candidate
    record_event(db, election, kind, {"post": candidate.post, "nominee": candidate.resident.name, "by": body}, actor,
                 reason)
    return nomination


def rejection(db: Session, candidate: Candidate) -> Nomination | None:
    """The nomination whose confirmation was refused (驳回), if any."""
    return next((n for n in _nominations(db, candidate) if n.rejected_by), None)


def chair_confirmed(db: Session, candidate: Candidate) -> bool:
    return any(n.channel == "party" and n.confirmed_by for n in _nominations(db, candidate))


PARTY_ORGANISATION = "社区党组织"
MEMBER_POSTS = ("jdw_fu_zhuren", "jdw_weiyuan")


def confirm_member(db: Session, election: Election, actor: str, candidate_id: int, note: str) -> Nomination:
    """The community Party organisation confirms a 监督委员会 副主任 or 委员 nominee, where the
    rulebook asks for it (jdw_members_party_confirmed, [seed 江苏 §17]: "其他成员候选人……并经
    社区党组织确认"); the committee records the confirming document."""
    write_at_head(db, election)
    candidate, nominations = _party_word_allowed(db, election, candidate_id, note, confirming=True)
    nomination = nominations[0]
    nomination.confirmed_by = PARTY_ORGANISATION
    nomination.confirmed_note = note.strip()
    nomination.confirmed_actor = actor
    db.flush()
    record_event(db, election, ek.NOMINATION_MEMBER_CONFIRMED, {
        "post": candidate.post, "nominee": candidate.resident.name, "by": PARTY_ORGANISATION, "note": note.strip(),
    }, actor)
    return nomination


def reject_member(db: Session, election: Election, actor: str, candidate_id: int, reason: str) -> Nomination:
    """The committee records that the community Party organisation did not confirm (驳回) a
    监督委员会 副主任 or 委员 nominee, with its reason."""
    write_at_head(db, election)
    _, nominations = _party_word_allowed(db, election, candidate_id, reason, confirming=False)
    return _reject(db, election, actor, nominations[0], PARTY_ORGANISATION, reason.strip(), ek.NOMINATION_MEMBER_REJECTED)


def _party_word_allowed(db: Session, election: Election, candidate_id: int, text: str, *,
                        confirming: bool) -> tuple[Candidate, list[Nomination]]:
    """The checks before the Party organisation's confirmation (``confirming``) or refusal of
    a 监督委员会 副主任 or 委员 nominee is recorded: its word applies, ``text`` (the confirming
    document, or the reason for refusing) is given, and no word was recorded before."""
    candidate = _candidate(db, election, candidate_id)
    who = label(candidate.resident)
    problems = _party_confirmation_problems(election, candidate)
    if confirming:
        if candidate.status not in ACTIVE:
            problems.append(f"{who}不是被提名人或正式候选人")
        if not text.strip():
            problems.append("请填写社区党组织确认的依据（文件编号或会议记录）")
    elif not (text or "").strip():
        problems.append(f"驳回{who}须填写驳回理由")
    nominations = _nominations(db, candidate)
    if not problems and any(n.confirmed_by for n in nominations):
        problems.append(f"{who}已经{PARTY_ORGANISATION}确认" + ("" if confirming else "，不能再驳回"))
    if not problems and any(n.rejected_by for n in nominations):
        problems.append(f"{who}已被{PARTY_ORGANISATION}驳回" + ("，不能再登记确认" if confirming else ""))
    if problems:
        raise UserError(*problems)
    return candidate, nominations


def _party_confirmation_problems(election: Election, candidate: Candidate) -> list[str]:
    """Why the Party organisation's word on ``candidate`` cannot be recorded at all: the
    rulebook does not ask for it, or the nominee is not for a 监督委员会 副主任 or 委员 post."""
    rb = rulebook_of(election)
    problems = []
    if not rb.jdw_members_party_confirmed:
        problems.append(f"本选举规则不要求社区党组织确认监督委员会成员候选人（{rb.label('jdw_members_party_confirmed')}为否）")
    if candidate.post not in MEMBER_POSTS:
        problems.append(f"只有居务监督委员会副主任、委员人选由社区党组织确认，{label(candidate.resident)}是"
                        f"{post_of(election, candidate.post).name_zh}被提名人")
    return problems


def member_confirmed(db: Session, candidate: Candidate) -> bool:
    return any(n.confirmed_by for n in _nominations(db, candidate))


def _nominations(db: Session, candidate: Candidate) -> list[Nomination]:
    return list(db.scalars(select(Nomination).where(Nomination.candidate_id == candidate.id).order_by(Nomination.id)))


def _candidate(db: Session, election: Election, candidate_id: int) -> Candidate:
    return of_election(db, Candidate, candidate_id, election.id, UserError(f"候选人编号 {candidate_id} 不属于本次选举"))


def nominations_by_candidate(db: Session, election: Election) -> dict[int, list[Nomination]]:
    out: dict[int, list[Nomination]] = {}
    for n in db.scalars(select(Nomination).where(Nomination.election_id == election.id).order_by(Nomination.id)):
        out.setdefault(n.candidate_id, []).append(n)
    return out


# --- relatives --------------------------------------------------------------------------

def add_relation(db: Session, election: Election, actor: str, entry_a: str, entry_b: str, kind: str) -> Relation:
    """Record that two residents are near relatives (entered on the household)."""
    write_at_head(db, election)
    if kind not in RELATIONS:
        raise UserError(f"亲属关系“{kind}”无效，可选：{'、'.join(RELATIONS.values())}")
    found, problems = find_residents(db, election, [entry_a, entry_b])
    if problems:
        raise UserError(*problems)
    if len(found) != 2 or found[0].id == found[1].id:
        raise UserError("亲属关系须填写两名不同的居民")
    a, b = found
    exists = db.scalar(select(Relation).where(
        Relation.election_id == election.id,
        ((Relation.resident_id == a.id) & (Relation.relative_id == b.id))
        | ((Relation.resident_id == b.id) & (Relation.relative_id == a.id))))
    if exists is not None:
        raise UserError(f"{label(a)}与{label(b)}的亲属关系已登记（{exists.kind_label}）")
    relation = Relation(election_id=election.id, resident_id=a.id, relative_id=b.id, kind=kind)
    db.add(relation)
    db.flush()
    # persons and extended: the pair as every round's tally_input.json lists it (resident ids;
    # "extended" the wider relation), so a verifier sees a relation dropped from the tally.
    record_event(db, election, ek.NOMINATION_RELATION_ADDED,
                 {"a": a.name, "b": b.name, "kind": kind, "persons": [str(a.id), str(b.id)],
                  "extended": kind in EXTENDED_RELATIONS}, actor)
    return relation


def relations_of(db: Session, election: Election) -> list[Relation]:
    return list(db.scalars(select(Relation).where(Relation.election_id == election.id).order_by(Relation.id)))


# --- primaries --------------------------------------------------------------------------

def primary_field(db: Session, election: Election, post_key: str) -> tuple[list[Candidate], list[Candidate]]:
    """(the post's nominees, those of them tied across the cut-off at its last primary). The
    next primary is held among the tied ones only, or among all nominees when none is tied."""
    active = candidates_of(db, election, post_key, ("nominee",))
    previous = _primary_rows(db, active)
    return active, [c for c in active if c.id in previous and previous[c.id].tied_at_cutoff]


def _primary_rows(db: Session, nominees: list[Candidate]) -> dict[int, PrimaryVote]:
    """The last primary's row of each nominee who took part in one, by candidate id."""
    return {p.candidate_id: p for p in db.scalars(select(PrimaryVote).where(
        PrimaryVote.candidate_id.in_([c.id for c in nominees] or [0])))}


def record_primary(db: Session, election: Election, actor: str, post_key: str, votes: dict[int, int],
                   participants: int | None = None, by_proxy: int = 0, by_mobile_box: int = 0) -> rules.PrimaryResult:
    """预选: the representatives' votes per nominee; the top ones stay, the others are not selected.

    Nominees tied across the cut-off are flagged and a further primary among them is
    recorded with this same function (only the tied ones then take part)."""
    write_at_head(db, election)
    post = post_of(election, post_key)
    rb = rulebook_of(election)
    if not rb.primary_when_over_max:
        raise UserError(f"本选举规则不进行预选（{rb.label('primary_when_over_max')}为否）：被提名人多于差额上限的，"
                        "由选举委员会组织酝酿协商，被提名人书面退出后再公布名单")
    lo, hi = margins(rb, post.key)
    active, tied = primary_field(db, election, post.key)
    previous = _primary_rows(db, active)
    in_vote = tied or active
    places = post.seats + hi - (len(active) - len(in_vote))
    if not tied and len(active) <= post.seats + hi:
        raise UserError(f"{post.name_zh}：被提名人 {len(active)} 名，未超过最多候选人数 {post.seats + hi} 名，无需预选")
    problems = []
    for c in in_vote:
        value = votes.get(c.id)
        if value is None:
            problems.append(f"{post.name_zh}：请填写{label(c.resident)}的预选得票")
        elif value < 0:
            problems.append(f"{post.name_zh}：{label(c.resident)}的得票 {value} 不能为负数")
    extra = set(votes) - {c.id for c in in_vote}
    if extra:
        problems.append(f"{post.name_zh}：得票中有 {len(extra)} 人不参加本次预选")
    # RULES.md "primary": no proxies or mobile boxes in a primary unless the rulebook allows
    # them (primary_proxy_allowed, primary_mobile_box_allowed, [P:ZJ]); the committee enters
    # how many voted so, and a primary held with either is not recorded.
    for count, allowed, key, how in ((by_proxy, rb.primary_proxy_allowed, "primary_proxy_allowed", "委托投票"),
                                     (by_mobile_box, rb.primary_mobile_box_allowed, "primary_mobile_box_allowed", "流动票箱投票")):
        if count < 0:
            problems.append(f"{post.name_zh}：预选{how}人数 {count} 不能为负数")
        elif count and not allowed:
            problems.append(f"{post.name_zh}：本次预选有 {count} 人{how}，但预选不允许{how}（{rb.label(key)}为否），须重新预选")
    if participants is not None:
        # The primary stands only with more than primary_turnout of the electors taking part.
        from ..roll.electors import electors_count
        from ..rules.methods import method_of

        why = rules.primary_turnout_problem(participants, electors_count(db, election), rulebook_of(election).primary_turnout,
                                            method_of(election.method).electors_zh)
        if why:
            problems.append(f"{post.name_zh}：{why}")
        elif any(v > participants for v in votes.values()):
            problems.append(f"{post.name_zh}：得票不能多于参加预选的 {participants} 人")
    if problems:
        raise UserError(*problems)
    by_label = {label(c.resident): c for c in in_vote}
    result = rules.primary_cutoff(post.name_zh, {label(c.resident): votes[c.id] for c in in_vote}, places)
    for c in in_vote:
        row = previous.get(c.id) or PrimaryVote(election_id=election.id, candidate_id=c.id, votes=0)
        row.votes = votes[c.id]
        name = label(c.resident)
        row.tied_at_cutoff = name in result.tied_at_cutoff
        if name not in result.advanced and name not in result.tied_at_cutoff:
            c.status = "not_selected"
        db.add(row)
    db.flush()
    record_event(db, election, ek.NOMINATION_PRIMARY_HELD, {
        "post": post.key, "places": places, "by_proxy": by_proxy, "by_mobile_box": by_mobile_box,
        "votes": {by_label[n].resident.name: votes[by_label[n].id] for n in by_label},
        "advanced": [by_label[n].resident.name for n in result.advanced],
        "tied": [by_label[n].resident.name for n in result.tied_at_cutoff],
    }, actor)
    return result


def primary_votes(db: Session, election: Election) -> dict[int, PrimaryVote]:
    return {p.candidate_id: p for p in db.scalars(select(PrimaryVote).where(PrimaryVote.election_id == election.id))}


# --- the list check and publication -----------------------------------------------------

@dataclass
class PostSummary:
    post: Post
    count: int
    low: int
    high: int
    message: str | None


@dataclass
class ListCheck:
    posts: list[PostSummary]
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_list(db: Session, election: Election) -> ListCheck:
    """Everything that stands between the nominees and a publishable list, per post."""
    rb = rulebook_of(election)
    errors: list[str] = []
    warnings: list[str] = []
    summaries: list[PostSummary] = []
    by_post: dict[str, list[Candidate]] = {}
    for c in candidates_of(db, election):
        by_post.setdefault(c.post, []).append(c)
    tied = {cid for cid, p in primary_votes(db, election).items() if p.tied_at_cutoff}
    for post in posts_of(election):
        rows = by_post.get(post.key, [])
        lo, hi = margins(rb, post.key)
        message = rules.check_differential(post.name_zh, post.seats, len(rows), lo, hi)
        if message and len(rows) > post.seats + hi:
            message = (phrase("%(problem)s，须先进行预选", problem=message) if rb.primary_when_over_max else
                       phrase("%(problem)s，须经酝酿协商由被提名人书面退出（本选举规则不进行预选）", problem=message))
        if message:
            errors.append(message)
        ties = [c.resident.name for c in rows if c.id in tied]
        if ties:
            errors.append(phrase("%(post)s：预选第 %(place)s 名处得票相等（%(names)s），须再次预选",
                                 post=post.name_zh, place=post.seats + hi, names="、".join(ties)))
        summaries.append(PostSummary(post, len(rows), post.seats + lo, post.seats + hi, message))
    for c in by_post.get("jdw_zhuren", []):
        refused = rejection(db, c)
        refusal = rules.jd_chair_can_be_formal(c.resident.name, chair_confirmed(db, c))
        if refused is not None:
            errors.append(f"居务监督委员会主任人选{c.resident.name}已被{refused.rejected_by}驳回（{refused.rejected_reason}），"
                          f"须登记其退出，由社区党组织另提人选")
        elif refusal:
            errors.append(refusal)
    if rb.jdw_members_party_confirmed:
        for key in MEMBER_POSTS:
            for c in by_post.get(key, []):
                refused = rejection(db, c)
                if refused is not None:
                    errors.append(f"{post_of(election, key).name_zh}人选{label(c.resident)}已被{PARTY_ORGANISATION}驳回"
                                  f"（{refused.rejected_reason}），须登记其退出")
                elif not member_confirmed(db, c):
                    errors.append(f"{post_of(election, key).name_zh}人选{label(c.resident)}尚未经社区党组织确认，"
                                  f"不能列为正式候选人（{rb.label('jdw_members_party_confirmed')}）")
    jwh = {c.resident_id: c.resident for p, cs in by_post.items() if p.startswith("jwh_") for c in cs}
    jdw = {c.resident_id: c.resident for p, cs in by_post.items() if p.startswith("jdw_") for c in cs}
    if not rb.one_person_two_bodies:  # [V art.32]; where allowed, the tally's higher post decides
        errors += rules.two_bodies_conflicts(
            [label(r) for i, r in jwh.items()], [label(r) for i, r in jdw.items()])
    relations = [(label(r.resident), label(r.relative), r.kind_label) for r in relations_of(db, election)]
    warnings += rules.relative_flags([label(r) for r in jdw.values()], [label(r) for r in jwh.values()], relations)
    warnings += _chosen_supervisor_flags(db, election, {label(r) for r in jwh.values()}, relations)
    if rb.woman_member_required:
        woman = rules.woman_warning([(r.name, r.sex) for r in jwh.values()])
        if woman:
            warnings.append(woman)
    for r in {**jwh, **jdw}.values():
        glyphs = missing_glyphs(r.name)
        if glyphs:
            errors.append(phrase("候选人%(name)s姓名中的“%(chars)s”字体中没有，无法印制公告和选票，请联系技术人员补充字体",
                                 name=label(r), chars="、".join(sorted(glyphs))))
        strokes = missing_characters(r.name)
        if strokes:
            warnings.append(phrase("候选人%(name)s姓名中的“%(chars)s”没有笔画数据，已排在同笔画之后，请人工核对顺序",
                                   name=label(r), chars="、".join(strokes)))
    return ListCheck(summaries, errors, warnings)


def _chosen_supervisor_flags(db: Session, election: Election, jwh: set[str],
                             relations: list[tuple[str, str, str]]) -> list[str]:
    """[V art.32] before the vote, where a meeting chose the 监督委员会 (jdw_chosen_by): a
    serving member it chose who stands for the 居委会, or whose near relative does; the list
    may still be published (the voters decide), the member's term ends if that candidate is
    elected (mandates.chosen.conflicts names it then)."""
    names = {p.key: p.name_zh for p in seat_posts_of(election)}
    ended = select(MandateEnd.id).where(MandateEnd.election_id == ChosenMember.election_id,
                                        MandateEnd.post == ChosenMember.post,
                                        MandateEnd.resident_id == ChosenMember.resident_id)
    chosen = {label(r): names.get(post, post) for post, r in db.execute(
        select(ChosenMember.post, Resident).join(Resident, Resident.id == ChosenMember.resident_id)
        .where(ChosenMember.election_id == election.id, ~ended.exists()).order_by(ChosenMember.id))}
    out = [f"会议推选的{post}{who}又是居委会候选人：如当选，须终止其居务监督委员会职务（[V art.32]）"
           for who, post in chosen.items() if who in jwh]
    for a, b, rel in relations:
        for x, y in ((a, b), (b, a)):
            if x in chosen and y in jwh:
                out.append(f"会议推选的{chosen[x]}{x}是居委会候选人{y}的近亲属（{rel}）：如{y}当选，"
                           f"须终止{x}的居务监督委员会职务（[V art.32]）")
    return out


def latest_publication(db: Session, election: Election) -> ElectionEvent | None:
    return db.scalar(select(ElectionEvent).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == PUBLISHED,
    ).order_by(ElectionEvent.seq.desc()).limit(1))


def _published(db: Session, election: Election) -> bool:
    return latest_publication(db, election) is not None


def ballot_key(c: Candidate) -> tuple:
    """Where a candidate stands on a paper (RULES.md: 姓氏笔画), also on a later round's paper."""
    return (sort_key(c.resident.name), c.resident.voter_number or 0, c.id)


def _order_post(candidates: list[Candidate]) -> list[Candidate]:
    ordered = sorted(candidates, key=ballot_key)
    for i, c in enumerate(ordered, start=1):
        c.ballot_order = i
    return ordered


def _list_payload(db: Session, election: Election, lists: dict[str, list[Candidate]]) -> list[dict]:
    """The published list: post, place and name, and where each candidate came from (each
    nomination's channel; a meeting's nomination names the decision it cites)."""
    by_candidate = nominations_by_candidate(db, election)
    cited = _cited_decisions(db, [n for ns in by_candidate.values() for n in ns])
    # candidate and person: the ids tally_input.json gives the candidate, so a verifier sees
    # round 1's candidates replaced after the list was published; name and sex as published, so
    # it sees them changed (a later correction is roll.resident_corrected's `changed`).
    return [
        {"post": key, "order": c.ballot_order, "name": c.resident.name, "sex": c.resident.sex, "candidate": c.id,
         "person": str(c.resident_id),
         "source": [{"channel": n.channel, **({"decision": cited[n.meeting_decision_id]}
                                               if n.meeting_decision_id in cited else {})}
                    for n in by_candidate.get(c.id, [])]}
        for key, cs in lists.items() for c in cs
    ]


def source_of(nominations: list[Nomination]) -> str:
    """Where a candidate came from, as the published list shows it: each nomination's
    channel, a meeting's with the decision it cites."""
    return "；".join(f"{n.channel_label}（{n.evidence}）" if n.meeting_decision_id else n.channel_label
                    for n in nominations)


def _cited_decisions(db: Session, nominations: list[Nomination]) -> dict[int, dict[str, int]]:
    """Decision id -> {meeting, number} for the decisions these nominations cite."""
    ids = {n.meeting_decision_id for n in nominations if n.meeting_decision_id is not None}
    if not ids:
        return {}
    return {d.id: {"meeting": d.meeting_id, "number": d.number}
            for d in db.scalars(select(MeetingDecision).where(MeetingDecision.id.in_(ids)))}


def publish(db: Session, election: Election, actor: str, published_on: date) -> dict[str, list[Candidate]]:
    """Publish the list of formal candidates (正式候选人名单) on `published_on`.

    Refused, naming the post and the numbers, unless every post is differential, the chair
    is confirmed, no one stands for both bodies and the date keeps the rulebook's distance."""
    write_at_head(db, election)
    rb = rulebook_of(election)
    check = check_list(db, election)
    errors = list(check.errors)
    latest = election.election_day - timedelta(days=rb.candidate_list_days_before)
    if published_on > latest:
        errors.append(
            f"公布日期 {published_on.isoformat()} 距选举日 {election.election_day.isoformat()} 仅 "
            f"{(election.election_day - published_on).days} 天，正式候选人名单须于选举日前至少 "
            f"{rb.candidate_list_days_before} 天公布（最迟 {latest.isoformat()}）"
        )
    if errors:
        raise UserError(*errors)
    lists: dict[str, list[Candidate]] = {}
    for post in posts_of(election):
        ordered = _order_post(candidates_of(db, election, post.key))
        for c in ordered:
            c.status = "formal"
        lists[post.key] = ordered
    db.flush()
    record_event(db, election, PUBLISHED, {
        "published_on": published_on.isoformat(), "candidates": _list_payload(db, election, lists),
        "warnings": check.warnings,
    }, actor)
    return lists


def formal_candidates(db: Session, election: Election) -> dict[str, list[Candidate]]:
    """Post key -> formal candidates in ballot order (for the ballot papers)."""
    out: dict[str, list[Candidate]] = {}
    for post in posts_of(election):
        out[post.key] = list(db.scalars(select(Candidate).where(
            Candidate.election_id == election.id, Candidate.post == post.key, Candidate.status == "formal",
        ).order_by(Candidate.ballot_order, Candidate.id)))
    return out


def withdraw(db: Session, election: Election, actor: str, candidate_id: int, letter: str, on_date: date) -> list[str]:
    """Written withdrawal (书面退出) of a candidate; after publication the next nominee by
    primary votes moves up. Returns notes for the committee."""
    write_at_head(db, election)
    rb = rulebook_of(election)
    candidate = _candidate(db, election, candidate_id)
    post = post_of(election, candidate.post)
    latest = election.election_day - timedelta(days=rb.withdrawal_days_before)
    problems = []
    if candidate.status not in ACTIVE:
        problems.append(f"{label(candidate.resident)}不是{post.name_zh}的被提名人或正式候选人，不能退出")
    if not letter.strip():
        problems.append("退出须有书面申请：请填写书面申请的说明或文件编号")
    if on_date > latest:
        problems.append(
            f"退出日期 {on_date.isoformat()} 距选举日 {election.election_day.isoformat()} 不足 "
            f"{rb.withdrawal_days_before} 天，书面退出最迟于 {latest.isoformat()} 提出")
    if problems:
        raise UserError(*problems)
    was_formal = candidate.status == "formal"
    candidate.status = "withdrawn"
    candidate.ballot_order = None
    notes: list[str] = []
    moved_up = None
    if was_formal:
        votes = primary_votes(db, election)
        waiting = [c for c in candidates_of(db, election, post.key, ("not_selected",)) if c.id in votes]
        waiting.sort(key=lambda c: -votes[c.id].votes)
        if waiting:
            moved_up = waiting[0]
            moved_up.status = "formal"
            notes.append(f"{post.name_zh}：{moved_up.resident.name}以预选得票 {votes[moved_up.id].votes} 票依次递补为正式候选人")
        db.flush()
        ordered = _order_post(candidates_of(db, election, post.key, ("formal",)))
        lo, _hi = margins(rb, post.key)
        if len(ordered) < post.seats + lo:
            notes.append(f"{post.name_zh}：正式候选人只剩 {len(ordered)} 名，应选 {post.seats} 名，已不足差额，请补充提名并重新公布")
    db.flush()
    record_event(db, election, ek.NOMINATION_WITHDRAWN, {
        "post": post.key, "name": candidate.resident.name, "letter": letter.strip(),
        "on": on_date.isoformat(), "moved_up": moved_up.resident.name if moved_up else None,
        "list": _list_payload(db, election, {post.key: candidates_of(db, election, post.key, ("formal",))}) if was_formal else [],
    }, actor, reason=letter.strip())
    return notes


# --- the notice -------------------------------------------------------------------------

def notice_pdf(db: Session, election: Election, committee_name: str | None = None) -> bytes:
    """正式候选人名单公告 as PDF: per post in ballot order, with the short biographies."""
    event = latest_publication(db, election)
    if event is None:
        raise UserError("正式候选人名单尚未公布，不能打印公告")
    published_on = date.fromisoformat(event.payload["published_on"])
    groups = []
    lists = formal_candidates(db, election)
    for post in posts_of(election):
        rows = [
            [str(c.ballot_order), c.resident.name, c.resident.sex, str(age_on(c.resident.birth_date, election.election_day)),
             c.education or "—", c.current_job or "—"]
            for c in lists.get(post.key, [])
        ]
        groups.append(NoticeGroup(f"{post.name_zh}（应选 {post.seats} 名，正式候选人 {len(rows)} 名）", rows))
    return notice_bytes(
        "正式候选人名单公告",
        [f"根据《城市居民委员会组织法》和本社区选举办法，经提名和酝酿，{election.title}正式候选人名单公布如下（按姓氏笔画排序）：",
         f"选举日：{election.election_day.year}年{election.election_day.month}月{election.election_day.day}日"],
        ["序号", "姓名", "性别", "年龄", "文化程度", "现任职务"],
        groups,
        [committee_name or f"{election.community.name}居民选举委员会",
         f"{published_on.year}年{published_on.month}月{published_on.day}日"],
    )
