"""Selection meetings and quorum (RULES.md "Representatives and group leaders", "Meetings")."""

from election.rules import meetings as mt


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
