"""Selection meetings and quorum (RULES.md "Representatives and group leaders", "Meetings")."""

from datetime import date
from fractions import Fraction

import pytest

from election.rules import meetings as mt
from election.rules.presets import preset
from election.rules.recall import request


def test_representative_exactly_half_refused_one_more_stands() -> None:
    """居民代表: valid only when MORE than half of the area's households take part [seed 江苏 §9]."""
    half = mt.representative_selection(40, 20, {"张三": 15, "李四": 5})
    assert not half.valid and "应参加40，实际参加20" in half.messages[0] and "至少需21" in half.messages[0]
    more = mt.representative_selection(40, 21, {"张三": 15, "李四": 6})
    assert more.valid and more.winners == ["张三"] and not more.revote_needed


def test_tie_flags_revote() -> None:
    r = mt.group_leader_selection(120, 80, {"王五": 30, "赵六": 30, "钱七": 20})
    assert r.valid and r.winners == [] and sorted(r.tied) == ["王五", "赵六"] and r.revote_needed
    assert "均为30票" in r.messages[0]


def test_odd_entitled_quorum() -> None:
    assert not mt.group_leader_selection(41, 20, {"a": 20}).valid
    assert mt.group_leader_selection(41, 21, {"a": 20}).valid


def test_residents_meeting_more_than_half_and_decision() -> None:
    """居民会议 [L2018 art.9-10]."""
    assert not mt.residents_meeting(200, 100).quorate
    r = mt.residents_meeting(200, 101, in_favour=51)
    assert r.quorate and r.adopted and "赞成51" in r.message
    assert mt.residents_meeting(200, 101, in_favour=50).adopted is False


def test_representatives_meeting_two_thirds() -> None:
    """居民代表会议: quorum > 1/2, decision > 2/3 of those present [长春 seed]."""
    assert mt.representatives_meeting(60, 31, in_favour=21).adopted is True  # 21*3=63 > 62
    assert mt.representatives_meeting(60, 30, in_favour=30).quorate is False
    assert mt.representatives_meeting(60, 33, in_favour=22).adopted is False  # exactly 2/3


# --- meetings between elections (issue 20) ---------------------------------------------

@pytest.mark.parametrize(("members", "present", "quorate", "needed"), [
    (60, 30, False, 31),  # exactly half: refused
    (60, 31, True, 31),   # half plus one
    (61, 30, False, 31),
    (61, 31, True, 31),   # odd: 31 > 30.5
    (1, 1, True, 1),
])
def test_quorum_more_than_half_edges(members, present, quorate, needed) -> None:
    q = mt.quorum("居民代表会议", members, present, Fraction(1, 2))
    assert (q.quorate, q.needed) == (quorate, needed)
    assert f"至少需 {needed} 人" in q.message


@pytest.mark.parametrize(("present", "in_favour", "adopted", "needed"), [
    (30, 20, False, 21),  # exactly 2/3: refused
    (30, 21, True, 21),
    (31, 20, False, 21),  # 20*3 = 60 < 62
    (31, 21, True, 21),   # 63 > 62
    (32, 21, False, 22),  # 63 < 64
    (32, 22, True, 22),
])
def test_representatives_decision_two_thirds_edges(present, in_favour, adopted, needed) -> None:
    d = mt.decision("表决", present, in_favour, present - in_favour, 0, Fraction(2, 3))
    assert (d.adopted, d.needed) == (adopted, needed)


@pytest.mark.parametrize(("present", "in_favour", "adopted"), [(40, 20, False), (40, 21, True), (41, 21, True), (41, 20, False)])
def test_residents_decision_more_than_half_of_those_present(present, in_favour, adopted) -> None:
    """Abstentions count against: the base is those present, not the votes cast."""
    d = mt.decision("表决", present, in_favour, 0, present - in_favour, Fraction(1, 2))
    assert d.adopted is adopted


def test_decision_refuses_more_votes_than_present() -> None:
    with pytest.raises(ValueError):
        mt.decision("表决", 10, 6, 3, 2, Fraction(1, 2))


def test_notice_period_at_least_the_rulebook_days() -> None:
    """江苏: 一般应提前十日发布公告 [seed 江苏 §11]."""
    on = date(2026, 6, 15)
    assert mt.notice_problems("居民会议", on, date(2026, 6, 25), 10) == []
    short = mt.notice_problems("居民会议", on, date(2026, 6, 24), 10)
    assert short and "仅 9 天" in short[0] and "2026-06-25" in short[0]
    assert "早于公告日期" in mt.notice_problems("居民会议", on, date(2026, 6, 14), 0)[0]


@pytest.mark.parametrize(("supporters", "base", "share", "enough"), [
    (20, 100, Fraction(1, 5), True),   # exactly 1/5: "at least" accepts it
    (19, 100, Fraction(1, 5), False),
    (21, 101, Fraction(1, 5), True),   # 20.2 -> 21
    (20, 101, Fraction(1, 5), False),
    (2, 6, Fraction(1, 3), True),      # 1/3 of the groups
    (1, 6, Fraction(1, 3), False),
])
def test_request_to_convene_at_least_the_share(supporters, base, share, enough) -> None:
    assert request("提议召开居民会议", supporters, base, share).enough is enough


def test_meeting_rules_by_kind_with_their_keys() -> None:
    book = preset("national")
    reps = mt.meeting_rules(book, "representatives")
    assert (reps.quorum, reps.decision, reps.decision_key) == (Fraction(1, 2), Fraction(2, 3), "rep_meeting_decision")
    assert reps.request_key("representatives") == "rep_meeting_request"
    residents = mt.meeting_rules(book, "residents")
    assert residents.decision == Fraction(1, 2) and residents.request_key("groups") == "meeting_request_groups"
    assert residents.request_key("households") == "meeting_request" and residents.notice_days == 10
    assert mt.meeting_rules(book.with_changes(rep_meeting_decision="1/2"), "representatives").decision == Fraction(1, 2)
