"""A meeting's motion voted on secret paper, counted by the election's tally (round kind
"motion", election/rules/question.py decide_motion): the electors are those recorded
present, the motion is adopted with MORE than the meeting's decision share of them
agreeing (rules.meetings.decision: 居民会议 1/2, 居民代表会议 2/3 [长春 seed]); blank,
invalid and unreturned papers count against; the same count by show of hands decides the
same; more papers than people present voids it; the scenario form round-trips."""
from __future__ import annotations

from dataclasses import replace

import pytest

from election.rules.meetings import decision
from election.rules.rulebook import Rulebook
from election.rules.scenario import input_to_dict, parse_scenario, result_to_dict
from election.rules.tally import tally
from election.rules.tally_decide import threshold_for
from election.rules.tally_types import Candidate, Paper, PostMarks, PostSpec, TallyInput, TallyInputError

POST = PostSpec("motion", "jwh", "表决事项", 1, 1)
MOTION = Candidate("m1", "m1", "同意增补居务监督委员会成员", "", "motion")
AGREE = Paper({"motion": PostMarks(approve=frozenset({"m1"}))})
DISAGREE = Paper({"motion": PostMarks(oppose=frozenset({"m1"}))})
BLANK = Paper({})
BOTH = Paper({"motion": PostMarks(approve=frozenset({"m1"}), oppose=frozenset({"m1"}))})


def vote(present: int, agree: int, disagree: int, blank: int = 0, invalid: int = 0, meeting: str = "representatives",
         issued: int | None = None, book: Rulebook | None = None) -> TallyInput:
    papers = [AGREE] * agree + [DISAGREE] * disagree + [BLANK] * blank + [BOTH] * invalid
    returned = len(papers)
    return TallyInput(book or Rulebook(), present, returned if issued is None else issued, returned, (POST,),
                      (MOTION,), papers, round_kind="motion", meeting_kind=meeting)


@pytest.mark.parametrize(("meeting", "present", "agree", "disagree", "blank", "invalid", "adopted"), [
    ("representatives", 30, 20, 10, 0, 0, False),  # exactly 2/3 of those present: not more
    ("representatives", 30, 21, 9, 0, 0, True),
    ("representatives", 31, 21, 0, 0, 0, True),    # 31 * 2/3 = 20.67: 21 is more; absent count against
    ("representatives", 31, 20, 0, 0, 0, False),
    ("representatives", 30, 20, 0, 5, 5, False),   # blanks and invalid papers against
    ("residents", 40, 20, 0, 20, 0, False),        # exactly half of those present
    ("residents", 40, 21, 19, 0, 0, True),
    ("residents", 41, 21, 0, 0, 0, True),           # 20.5: 21 is more, the 20 who did not vote are against
    ("group", 11, 5, 6, 0, 0, False),
    ("group", 11, 6, 0, 0, 0, True),
])
def test_motion_decided_on_those_present(meeting, present, agree, disagree, blank, invalid, adopted):
    result = tally(vote(present, agree, disagree, blank, invalid, meeting))
    q = result.question
    assert q is not None and q.kind == "motion"
    assert (q.valid, q.carried, result.valid, result.round_kind) == (True, adopted, True, "motion")
    assert (q.registered, q.agree, q.disagree, q.abstain, q.invalid) == (present, agree, disagree, blank, invalid)
    assert ("，通过" if adopted else "，未通过") in q.message
    assert result.post("motion").elected == () and result.next_round == "none"
    # A show of hands with the same figures decides alike (rules.meetings.decision).
    share = Rulebook().rep_meeting_decision if meeting == "representatives" else Rulebook().meeting_decision
    assert decision("x", present, agree, disagree, present - agree - disagree, share).adopted == adopted
    # The threshold states the least carrying count over those present.
    th = threshold_for(POST, "motion", Rulebook(), present, meeting)
    assert (th.rule, th.base, th.fraction) == ("motion", present, share)
    assert (agree >= th.min_votes) == adopted


def test_the_meeting_rulebook_share_decides():
    """居民代表会议 at 1/2 (a preset's variant) adopts what 2/3 refuses; the residents' share stays its own."""
    assert not tally(vote(30, 20, 10)).question.carried  # type: ignore[union-attr]
    half = Rulebook().with_changes(rep_meeting_decision="1/2")
    assert tally(vote(30, 20, 10, book=half)).question.carried  # type: ignore[union-attr]
    strict = Rulebook().with_changes(meeting_decision="2/3")
    assert not tally(vote(30, 20, 10, meeting="residents", book=strict)).question.carried  # type: ignore[union-attr]
    assert tally(vote(30, 20, 10, meeting="residents")).question.carried  # type: ignore[union-attr]


def test_more_papers_than_present_or_issued_is_void():
    q = tally(replace(vote(30, 25, 0), registered_voters=24)).question
    assert q is not None and (q.valid, q.carried) == (False, False)
    assert "多于到会人员 24 人" in q.message
    q = tally(vote(30, 25, 0, issued=20)).question
    assert q is not None and (q.valid, q.carried) == (False, False) and "多于发出选票" in q.message


def test_refusals():
    with pytest.raises(TallyInputError, match="meeting_kind"):
        tally(vote(30, 20, 0, meeting=""))
    written = Paper({"motion": PostMarks(write_ins=frozenset({"99"}))})
    with pytest.raises(TallyInputError, match="会议表决"):
        tally(replace(vote(30, 0, 0), papers=[written], papers_returned=1, papers_issued=1))
    second = Candidate("m2", "m2", "另一事项", "", "motion")
    with pytest.raises(TallyInputError, match="一栏一项"):
        tally(replace(vote(30, 1, 0), candidates=(MOTION, second)))


def test_scenario_round_trip():
    inp = vote(31, 21, 5, 3, 1)
    data = input_to_dict(inp)
    assert data["round"] == "motion" and data["meeting"] == "representatives"
    again = parse_scenario(data)
    assert again.meeting_kind == "representatives" and again.round_kind == "motion"
    assert result_to_dict(tally(again)) == result_to_dict(tally(inp))
    assert result_to_dict(tally(inp))["question"]["kind"] == "motion"
