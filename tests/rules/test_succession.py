"""居民选举委员会: 5-9 members, odd; 依次递补 from the original selection result
(RULES.md "Election committee" [seed 中办 2010 §14] [V art.12])."""

import pytest

from election.rules import succession as sc

RESULT = [("甲", 90), ("乙", 85), ("丙", 80), ("丁", 70), ("戊", 60), ("己", 50), ("庚", 40)]


def test_form_takes_most_votes_and_refuses_even_size() -> None:
    c = sc.form(RESULT, 5, chair="甲")
    assert c.members == ("甲", "乙", "丙", "丁", "戊")
    with pytest.raises(sc.CommitteeError, match="5至9人的单数"):
        sc.form(RESULT, 6, chair="甲")
    with pytest.raises(sc.CommitteeError, match="得票相等"):
        sc.form([*RESULT[:4], ("戊", 50), ("己", 50)], 5, chair="甲")


def test_member_becoming_candidate_replaced_by_next_of_original_result() -> None:
    c = sc.form(RESULT, 5, chair="甲")
    c2, events = sc.withdraw(c, "丙")
    assert "丙" not in c2.members and "己" in c2.members
    assert [e.kind for e in events] == ["withdrew", "seated"]
    assert "己按原推选结果得票（50票）依次递补" in events[1].message
    c3, _ = sc.withdraw(c2, "己")  # the substitute withdraws too: next is 庚, never 丙 again
    assert "庚" in c3.members and "丙" not in c3.members
    c4, ev = sc.withdraw(c3, "乙")
    assert ev[-1].kind == "vacant" and len(c4.members) == 4


def test_chair_withdrawal_requires_new_chair_not_invented() -> None:
    c = sc.form(RESULT, 5, chair="甲")
    c2, events = sc.withdraw(c, "甲")
    assert c2.chair is None and events[-1].kind == "chair_needed" and "重新推选主任" in events[-1].message
    assert sc.choose_chair(c2, "乙").chair == "乙"
    with pytest.raises(sc.CommitteeError):
        sc.choose_chair(c2, "甲")
