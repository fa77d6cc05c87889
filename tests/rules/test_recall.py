"""Recall and convening thresholds at their edges (RULES.md "Meetings, recall, by-election"):
exactly the share, one below, half, half plus one, two thirds, hand-computed."""
from __future__ import annotations

from fractions import Fraction

import pytest

from election.rules import meetings as mt
from election.rules import recall as rc

FIFTH, THIRD, HALF, TWO_THIRDS = Fraction(1, 5), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3)


@pytest.mark.parametrize(("supporters", "base", "share", "enough", "need"), [
    (200, 1000, FIFTH, True, 200),      # exactly one fifth of 1,000 voters
    (199, 1000, FIFTH, False, 200),
    (201, 1001, FIFTH, True, 201),      # 1001/5 = 200.2: 201 needed
    (200, 1001, FIFTH, False, 201),
    (20, 60, THIRD, True, 20),          # one third of 60 representatives
    (19, 60, THIRD, False, 20),
    (21, 61, THIRD, True, 21),          # 61/3 = 20.33
    (4, 12, THIRD, True, 4),            # 居民小组: 4 of 12 groups
])
def test_requests_need_at_least_their_share(supporters, base, share, enough, need):
    result = rc.request("提议", supporters, base, share)
    assert (result.enough, result.needed) == (enough, need)
    assert f"至少需 {need} 人" in result.message


@pytest.mark.parametrize(("registered", "voted", "favour", "valid", "carried"), [
    (1000, 500, 500, False, False),     # exactly half voted: void
    (1000, 501, 251, True, True),       # half plus one voted; 251 > 250.5
    (1000, 501, 250, True, False),
    (1000, 600, 300, True, False),      # exactly half of the votes cast: not carried
    (1000, 600, 301, True, True),
    (999, 500, 251, True, True),        # 999/2 = 499.5: 500 is more than half
    (999, 499, 499, False, False),
])
def test_recall_vote_more_than_half_voting_and_agreeing(registered, voted, favour, valid, carried):
    vote = rc.recall_vote(registered, voted, favour)
    assert (vote.valid, vote.carried) == (valid, carried)


def test_recall_vote_says_how_many_were_needed():
    assert "至少需 501 人" in rc.recall_vote(1000, 500, 400).message
    assert "至少需 301 票" in rc.recall_vote(1000, 600, 300).message


def test_recall_vote_refuses_impossible_counts():
    with pytest.raises(ValueError):
        rc.recall_vote(100, 120, 10)
    with pytest.raises(ValueError):
        rc.recall_vote(100, 60, 61)


@pytest.mark.parametrize(("members", "present", "favour", "quorate", "adopted"), [
    (60, 30, None, False, None),        # exactly half present
    (60, 31, 20, True, False),          # 20·3 = 60 < 62
    (60, 31, 21, True, True),           # 21·3 = 63 > 62
    (60, 33, 22, True, False),          # exactly two thirds of those present
    (60, 33, 23, True, True),
    (61, 31, 21, True, True),           # 61/2 = 30.5
    (61, 30, None, False, None),
])
def test_representatives_meeting_edges(members, present, favour, quorate, adopted):
    check = mt.representatives_meeting(members, present, favour)
    assert (check.quorate, check.adopted) == (quorate, adopted)


@pytest.mark.parametrize(("members", "present", "favour", "quorate", "adopted"), [
    (300, 150, None, False, None),
    (300, 151, 75, True, False),        # exactly half of 151 is 75.5
    (300, 151, 76, True, True),
    (300, 200, 100, True, False),       # exactly half of those present
    (300, 200, 101, True, True),
])
def test_residents_meeting_edges(members, present, favour, quorate, adopted):
    check = mt.residents_meeting(members, present, favour)
    assert (check.quorate, check.adopted) == (quorate, adopted)


def test_a_national_representatives_meeting_decides_by_half_when_the_rulebook_says_so():
    """[V]: more than half decides; 长春 asks for two thirds. The same meeting differs."""
    assert mt.representatives_meeting(60, 31, 17, majority=Fraction(1, 2)).adopted is True
    assert mt.representatives_meeting(60, 31, 17).adopted is False
