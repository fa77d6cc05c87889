"""Yes/no questions on a secret paper (表决票): the recall of a member (罢免), counted by the
same tally as an election's papers.

A question's paper is a round whose one section holds one line: the member whose recall is
asked, marked 同意 (the ballot's approve mark), 不同意 (the oppose mark) or left blank
(弃权). The count is the tally's own (tally_count: a paper with both marks on the line, or
marked unreadable, is invalid for the question; a write-in has no place on it and is
refused); this module only decides.

RULES.md "Meetings, recall, by-election" [V]: the recall vote is valid when MORE than
``recall_turnout`` of the registered voters (the method's electors) vote, and carried when
MORE than ``recall_approve`` of the votes cast agree. "Votes cast" are the papers returned
(投票人数): a blank, an invalid and a 不同意 paper all count against carrying it. Both
shares are rulebook parameters with their source, so a preset that counts otherwise changes
the number, never the code.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from election.rules.meetings import decision
from election.rules.recall import recall_vote
from election.rules.shares import share_text

QUESTION_KINDS: dict[str, str] = {"recall": "罢免", "motion": "会议表决"}
# How the paper names the two marks of a question line.
ANSWERS_ZH: dict[str, tuple[str, str]] = {"recall": ("同意罢免", "不同意罢免"), "motion": ("赞成", "反对")}


@dataclass(frozen=True)
class QuestionOutcome:
    """The decided question: its figures, both shares used, and the sentence that says why."""

    kind: str
    subject: str  # the person id the question is about (recall: the member)
    registered: int
    voted: int  # papers returned (投票人数)
    agree: int
    disagree: int
    abstain: int  # valid papers with the line left blank
    invalid: int
    valid: bool
    carried: bool
    turnout: Fraction
    approve: Fraction
    message: str


def decide_recall(subject: str, name: str, registered: int, voted: int, agree: int, disagree: int, invalid: int,
                  turnout: Fraction, approve: Fraction) -> QuestionOutcome:
    """The recall of ``name`` from the counted papers: valid with more than ``turnout`` of
    ``registered`` voting, carried with more than ``approve`` of ``voted`` agreeing."""
    if min(registered, voted, agree, disagree, invalid) < 0 or agree + disagree + invalid > voted:
        raise ValueError(f"recall count: agree {agree}, disagree {disagree}, invalid {invalid} of {voted} voted")
    if voted > registered:
        raise ValueError(f"recall count: {voted} voted of {registered} registered")
    abstain = voted - agree - disagree - invalid
    vote = recall_vote(registered, voted, agree, turnout, approve)
    counted = f"同意 {agree} 票，不同意 {disagree} 票，弃权 {abstain} 票，无效 {invalid} 票"
    return QuestionOutcome("recall", subject, registered, voted, agree, disagree, abstain, invalid,
                           vote.valid, vote.carried, turnout, approve, f"罢免{name}：{counted}。{vote.message}")


def decide_motion(subject: str, what: str, present: int, voted: int, agree: int, disagree: int, invalid: int,
                  share: Fraction) -> QuestionOutcome:
    """A meeting's motion voted on secret paper: the electors are those recorded present
    (``present``), and the motion is adopted when MORE than ``share`` of them agree
    (rules.meetings.decision, the same rule as a show of hands). Blank, invalid and
    unreturned papers count against, since the base is those present, not the papers.
    ``turnout`` is 0: the quorum is the meeting's (checked at the door), not the paper's;
    the vote is valid unless more papers come back than there are people present."""
    if min(present, voted, agree, disagree, invalid) < 0 or agree + disagree + invalid > voted:
        raise ValueError(f"motion count: agree {agree}, disagree {disagree}, invalid {invalid} of {voted} voted")
    if voted > present:
        raise ValueError(f"motion count: {voted} voted of {present} present")
    abstain = voted - agree - disagree - invalid
    # Invalid papers and papers not returned are neither for nor against: with the base
    # being those present they weigh as abstentions (rules.meetings.decision).
    d = decision(what, present, agree, disagree, present - agree - disagree, share)
    counted = f"赞成 {agree} 票，反对 {disagree} 票，弃权 {abstain} 票，无效 {invalid} 票，未投 {present - voted} 人"
    return QuestionOutcome("motion", subject, present, voted, agree, disagree, abstain, invalid, True, d.adopted,
                           Fraction(0), share, f"{counted}。{d.message}")


def outcome_to_dict(q: QuestionOutcome) -> dict[str, object]:
    return {"kind": q.kind, "subject": q.subject, "registered": q.registered, "voted": q.voted, "agree": q.agree,
            "disagree": q.disagree, "abstain": q.abstain, "invalid": q.invalid, "valid": q.valid,
            "carried": q.carried, "turnout": share_text(q.turnout),
            "approve": share_text(q.approve), "message": q.message}
