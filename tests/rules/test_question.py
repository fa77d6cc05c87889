"""The recall vote on secret paper counted by the election's tally (round kind "recall",
election/rules/question.py): the papers' 同意 / 不同意 / blank / invalid marks counted by
tally_count, then valid with more than recall_turnout of the registered voters voting and
carried with more than recall_approve of the papers returned agreeing, at the edges; the
parameters decide (a preset that asks for 2/3 changes the outcome); the published counts
give the same decision (what the verifier of a public bundle redoes); the scenario form
round-trips."""
from __future__ import annotations

from fractions import Fraction

import pytest

from election.rules.rulebook import Rulebook
from election.rules.scenario import input_to_dict, parse_scenario, result_to_dict
from election.rules.tally import tally
from election.rules.tally_count import count_papers
from election.rules.tally_decide import threshold_for
from election.rules.tally_types import Candidate, Paper, PostMarks, PostSpec, TallyInput, TallyInputError

POST = PostSpec("jwh_weiyuan", "jwh", "委员", 1, 1)
MEMBER = Candidate("7", "42", "王芳", "女", "jwh_weiyuan")
AGREE = Paper({"jwh_weiyuan": PostMarks(approve=frozenset({"42"}))})
DISAGREE = Paper({"jwh_weiyuan": PostMarks(oppose=frozenset({"42"}))})
BLANK = Paper({})
BOTH = Paper({"jwh_weiyuan": PostMarks(approve=frozenset({"42"}), oppose=frozenset({"42"}))})
UNREADABLE = Paper({"jwh_weiyuan": PostMarks(unreadable=True)})


def vote(registered: int, agree: int, disagree: int, blank: int = 0, invalid: int = 0, issued: int | None = None,
         book: Rulebook | None = None) -> TallyInput:
    papers = [AGREE] * agree + [DISAGREE] * disagree + [BLANK] * blank + [BOTH] * invalid
    returned = len(papers)
    return TallyInput(book or Rulebook(), registered, returned if issued is None else issued, returned, (POST,),
                      (MEMBER,), papers, round_kind="recall")


@pytest.mark.parametrize(("registered", "agree", "disagree", "blank", "invalid", "valid", "carried"), [
    (100, 30, 20, 0, 0, False, False),   # exactly half voted: void
    (100, 26, 25, 0, 0, True, True),     # half plus one voted; 26 > 25.5
    (100, 25, 26, 0, 0, True, False),
    (100, 30, 20, 10, 0, True, False),   # 60 voted, 30 agree: exactly half of the votes cast
    (100, 31, 19, 10, 0, True, True),
    (100, 30, 0, 0, 30, True, False),    # invalid papers count among the votes cast
    (100, 31, 0, 29, 0, True, True),     # a blank is 弃权: cast, not agreeing
    (99, 26, 24, 0, 0, True, True),      # 99/2 = 49.5: 50 voters are more than half
])
def test_recall_question_at_its_edges(registered, agree, disagree, blank, invalid, valid, carried):
    result = tally(vote(registered, agree, disagree, blank, invalid))
    q = result.question
    assert q is not None
    assert (q.valid, q.carried, result.valid) == (valid, carried, valid)
    assert (q.agree, q.disagree, q.abstain, q.invalid) == (agree, disagree, blank, invalid)
    assert q.voted == agree + disagree + blank + invalid
    # No seat is filled by a question, and nothing follows it.
    assert result.post("jwh_weiyuan").elected == () and result.next_round == "none"
    assert ("罢免通过" if carried else ("罢免未通过" if valid else "投票无效")) in q.message


def test_the_parameters_decide():
    """recall_approve 2/3 (a variant) refuses what 1/2 carries; recall_turnout 2/3 voids it."""
    assert tally(vote(100, 40, 20)).question.carried  # type: ignore[union-attr]
    strict = Rulebook().with_changes(recall_approve="2/3")
    assert not tally(vote(100, 40, 20, book=strict)).question.carried  # type: ignore[union-attr]
    assert tally(vote(100, 41, 20, book=strict)).question.carried  # type: ignore[union-attr]
    void = Rulebook().with_changes(recall_turnout="2/3")
    q = tally(vote(100, 40, 20, book=void)).question
    assert q is not None and not q.valid and not q.carried


def test_more_papers_returned_than_issued_voids_the_vote():
    q = tally(vote(100, 60, 0, issued=55)).question
    assert q is not None and (q.valid, q.carried) == (False, False)
    assert "多于发出选票" in q.message


def test_unreadable_and_overmarked_papers_are_invalid():
    inp = vote(10, 4, 0)
    papers = list(inp.papers) + [UNREADABLE, BOTH]
    from dataclasses import replace
    result = tally(replace(inp, papers=papers, papers_returned=6, papers_issued=6))
    assert result.question is not None and result.question.invalid == 2 and result.question.agree == 4
    assert result.question.carried  # 4 of 6 > 1/2


def test_a_write_in_or_another_person_is_refused():
    inp = vote(10, 5, 0)
    from dataclasses import replace
    stray = Paper({"jwh_weiyuan": PostMarks(write_ins=frozenset({"9"}))})
    with pytest.raises(TallyInputError, match="不设另选他人"):
        tally(replace(inp, papers=[*inp.papers, stray], papers_returned=6, papers_issued=6))
    other = Candidate("8", "43", "李强", "男", "jwh_weiyuan")
    with pytest.raises(TallyInputError, match="一栏一人"):
        tally(replace(inp, candidates=(MEMBER, other)))


def test_published_counts_decide_the_same():
    inp = vote(100, 31, 19, 10)
    rb = inp.rulebook
    counts = count_papers(inp.posts, inp.papers, rb.overvote_scope, rb.multi_post_rule)
    from dataclasses import replace
    again = tally(replace(inp, papers=[]), counts)
    assert result_to_dict(again) == result_to_dict(tally(inp))


def test_scenario_round_trip_and_threshold():
    inp = vote(100, 31, 19, 10)
    back = parse_scenario(input_to_dict(inp))
    assert back.round_kind == "recall"
    data = result_to_dict(tally(back))
    assert data["question"]["carried"] is True and data["question"]["approve"] == "1/2"
    th = threshold_for(POST, "recall", Rulebook(), 60)
    assert (th.rule, th.min_votes, th.fraction) == ("recall", 31, Fraction(1, 2))
    assert "至少 31 票" in th.describe()
