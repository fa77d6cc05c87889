"""A meeting's motion voted on secret paper (issue 20): a round of the election of kind
"motion" whose one line is the motion, printed by Juxuan with the election's receipt and
audit codes, handed out at the desks, deposited, counted, reconciled, published, bundled,
verified and audited by the same machinery as the election's rounds (as the recall's vote:
recall.service call_vote, publish_vote).

Who may take a paper: those recorded present at the meeting's door (meetings.service.attend),
frozen when the first paper is handed out (polling.issuance), so that a late arrival changes
neither the base nor who votes; one paper each (the issuance's UNIQUE guard). The tally
decides the question with the meeting's own rule (rules.question.decide_motion: more than
the rulebook's share of those present agreeing), and publishing the round records it as the
meeting's next decision (meetings.service.record_decision), an event like a show of hands
with the round named, so the decisions a stage cites (decisions.py) see it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today
from ..counting import result as counting
from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..meetings import service as meetings
from ..models import Election, MeetingDecision, MeetingVote, Round
from ..protocol import event_kinds as ek
from ..rounds import latest_round, meeting_vote
from ..rules.tally_types import MOTION_KEY

# The motion is printed as the paper's one line and in its instructions.
MOTION_MAX = 60


def call_vote(db: Session, election: Election, meeting_id: int, motion: str, actor: str) -> Round:
    """Put a motion of an open, quorate meeting to a vote on secret paper: a new round of
    kind "motion" held today. Refused while another round is open (the desks and boxes serve
    one round at a time)."""
    begin_write(db)
    meeting = meetings.meeting_of(db, election, meeting_id)
    meetings.check_open(meeting)
    what = meetings.what_of(meeting)
    motion = " ".join(motion.split())
    if not motion:
        raise UserError("请填写表决事项")
    if len(motion) > MOTION_MAX:
        raise UserError(f"表决事项“{motion[:20]}…”有 {len(motion)} 字：印在表决票上的表决事项不能超过 {MOTION_MAX} 字，"
                        "请写成简短的一句")
    q = meetings.quorum_of(db, election, meeting)
    if not q.quorate:
        raise UserError(q.message)
    latest = latest_round(db, election)
    if latest is None or latest.status != "published":
        which = f"第 {latest.number} 轮" if latest is not None else "第 1 轮"
        raise UserError(f"{which}投票尚未公布结果，须待该轮结束后再以表决票表决会议事项")
    question = f"{what}表决：{motion}"
    section = {"seats": 1, "candidates": [], "reserved_woman_seats": 0, "question": question,
               "paper": f"{election.community.name}{what}表决票", "meeting": meeting.id}
    rnd = Round(election_id=election.id, number=latest.number + 1, kind="motion", status="open", held_on=today(),
                posts={MOTION_KEY: section})
    db.add(rnd)
    db.add(MeetingVote(election_id=election.id, meeting_id=meeting.id, round_number=rnd.number, motion=motion,
                       called_by=actor))
    db.flush()
    record_event(db, election, ek.MEETING_VOTE_CALLED, {
        "meeting": meeting.id, "round": rnd.number, "motion": motion, "present": q.present,
        "held_on": today().isoformat(),
    }, actor, question)
    return rnd


def votes_of(db: Session, election: Election, meeting_id: int) -> list[tuple[MeetingVote, Round]]:
    """The meeting's motions voted on paper, each with its round, in the order called."""
    return [(v, r) for v, r in db.execute(
        select(MeetingVote, Round).join(Round, (Round.election_id == MeetingVote.election_id)
                                        & (Round.number == MeetingVote.round_number))
        .where(MeetingVote.election_id == election.id, MeetingVote.meeting_id == meeting_id)
        .order_by(MeetingVote.round_number))]


def publish_vote(db: Session, election: Election, round_number: int, actor: str) -> MeetingDecision:
    """Publish the motion round's result (counting's own checks and publication), then take
    its decided question as the meeting's next decision. The vote's row is locked first, so
    a scan at the meeting's door at the same moment waits for the result, or the result for
    the scan."""
    begin_write(db)
    vote = meeting_vote(db, election, round_number)
    if vote is None:
        raise UserError(f"第 {round_number} 轮不是会议的表决票表决")
    # The vote's row before the chain head (docs/ARCHITECTURE.md, lock order): the door
    # (meetings.service._at_door) locks it and then records its event; taking the chain head
    # in publish_result first and updating this row after would deadlock with it (PostgreSQL).
    db.execute(select(MeetingVote.id).where(MeetingVote.id == vote.id).with_for_update())
    db.refresh(vote)
    # Then the meeting's (its decisions' numbers, against a show of hands at the same moment).
    meeting = meetings.lock_meeting(db, meetings.meeting_of(db, election, vote.meeting_id))
    if meeting.status != "convened":
        raise UserError(f"{meetings.what_of(meeting)}“{meeting.title}”已闭会")
    result = counting.publish_result(db, election, round_number, actor, question=True)
    q = result.result["question"]
    present, agree, disagree = q["registered"], q["agree"], q["disagree"]
    # Abstaining: blank and invalid papers and those present who returned none.
    row = meetings.record_decision(db, election, meeting, vote.motion, present, agree, disagree,
                                   present - agree - disagree, actor, round_number,
                                   void="" if q["valid"] else f"第 {round_number} 轮表决票：{q['message']}")
    if row.adopted != bool(q["carried"]):  # one rule, two callers: they cannot disagree
        raise UserError(f"第 {round_number} 轮的表决结果与会议决定规则不一致：{q['message']}")
    row.message = f"第 {round_number} 轮表决票：{q['message']}"
    vote.decision_id = row.id
    db.flush()
    return row
