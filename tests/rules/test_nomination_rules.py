"""Nomination rules (RULES.md "Nomination")."""

from election.rules import nomination as nm


def test_differential_messages_name_post_and_numbers() -> None:
    """主任 +1, 委员 +1..+3 [P:SH]; 等额 not allowed by default."""
    assert nm.check_differential("主任", 1, 1, 1, 1) == "主任：应选 1 名，正式候选人 1 名，差额选举须多于应选人数 1 名"
    assert nm.check_differential("委员", 5, 9, 1, 3) == "委员：应选 5 名，正式候选人 9 名，最多可多 3 名"
    assert nm.check_differential("委员", 5, 8, 1, 3) is None
    assert nm.check_differential("主任", 1, 2, 1, 1) is None
    out = nm.check_all_differentials({"主任": 1, "副主任": 1, "委员": 3}, {"主任": 2, "副主任": 1, "委员": 5})
    assert out == ["副主任：应选 1 名，正式候选人 1 名，差额选举须多于应选人数 1 名"]


def test_joint_nomination_signers() -> None:
    voters = [f"v{i}" for i in range(30)]
    good = nm.JointNomination("张三", "委员", tuple(voters[:10]))
    short = nm.JointNomination("李四", "委员", tuple(voters[10:19]) + ("外人",))
    r = nm.check_joint_nominations([good, short], voters, {"委员": 3})
    assert r.valid == [good]
    assert any("外人不是本社区登记选民" in e and "有效联名人9人，少于10人" in e for e in r.errors)


def test_signer_over_seat_limit_reported() -> None:
    voters = [f"v{i}" for i in range(30)]
    noms = [nm.JointNomination("甲", "主任", tuple(voters[:10])), nm.JointNomination("乙", "主任", tuple(voters[9:20]))]
    r = nm.check_joint_nominations(noms, voters, {"主任": 1})
    assert r.offending_signers == {"v9": ["主任"]}
    assert any("联名人v9在“主任”职位联名推荐了2人" in e for e in r.errors)
    # 甲 keeps only 9 undisputed signers, 乙 keeps 10
    assert [n.nominee for n in r.valid] == ["乙"]


def test_primary_cutoff_and_tie() -> None:
    """预选: top N by votes [P:ZJ]; a tie at the cut-off is flagged."""
    r = nm.primary_cutoff("委员", {"a": 50, "b": 40, "c": 30, "d": 20}, 3)
    assert r.advanced == ["a", "b", "c"] and r.tied_at_cutoff == []
    t = nm.primary_cutoff("委员", {"a": 50, "b": 40, "c": 30, "d": 30}, 3)
    assert t.advanced == ["a", "b"] and sorted(t.tied_at_cutoff) == ["c", "d"] and "均为30票" in t.message


def test_woman_two_bodies_relatives_and_chair_confirmation() -> None:
    assert nm.woman_warning([("a", "男"), ("b", "男")]) is not None
    assert nm.woman_warning([("a", "男"), ("b", "女")]) is None
    assert nm.two_bodies_conflicts({"张三", "李四"}, {"李四", "王五"}) == ["李四同时是居委会和居务监督委员会的候选人，只能选择其一"]
    flags = nm.relative_flags({"王五"}, {"张三"}, [("张三", "王五", "配偶"), ("赵六", "王五", "兄弟")])
    assert len(flags) == 1 and "王五是居委会候选人张三的近亲属（配偶）" in flags[0]
    assert "尚未经街道党工委或纪工委审核确认" in (nm.jd_chair_can_be_formal("孙七", False) or "")
    assert nm.jd_chair_can_be_formal("孙七", True) is None
