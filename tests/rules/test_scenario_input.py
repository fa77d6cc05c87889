"""What the law check of session 8 (lawcheck) settled about scenario input beyond the law
cases: a name listed twice on one paper, one person id naming two people, and fields the
format does not know (a warning, or refused where a mistyped known field would silently
take its default). Every refusal is a ScenarioError naming the field, never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from election.rules.scenario import ScenarioError, run_scenario

CASES = Path(__file__).parent / "law_cases"


def _base() -> dict[str, Any]:
    scenario: dict[str, Any] = json.loads((CASES / "turnout_three_of_five_valid.json").read_text("utf-8"))["scenario"]
    return copy.deepcopy(scenario)


@pytest.mark.parametrize("marks, field", [
    (["a", "a"], "papers[0].marks.jwh_zhuren"),
    ({"oppose": ["b", "b"]}, "papers[0].marks.jwh_zhuren.oppose"),
    ({"write_ins": ["a", "a"]}, "papers[0].marks.jwh_zhuren.write_ins"),
])
def test_a_name_twice_in_one_list_is_refused(marks: Any, field: str) -> None:
    """Before, ["a", "a"] was silently one approval: a typing error that went unnoticed."""
    s = _base()
    s["papers"][0]["marks"]["jwh_zhuren"] = marks
    with pytest.raises(ScenarioError) as caught:
        run_scenario(s)
    assert str(caught.value).startswith(field + "：") and "列出了两次" in str(caught.value), caught.value


def test_approved_and_written_in_is_one_approval() -> None:
    """The same person ticked and written in on one post is one approval (docs/TALLY.md)."""
    s = _base()
    s["papers"][0]["marks"]["jwh_zhuren"] = {"approve": ["a"], "write_ins": ["a"]}
    post = run_scenario(s)["posts"]["jwh_zhuren"]
    assert (post["votes"]["a"], post["overvoted"]) == (2, 0)


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(write_ins=[{"person": "a", "name": "张三", "sex": "女"}]), "write_ins[0].name：人员“a”在 candidates[0] 中姓名为“a”"),
    (lambda s: s.update(write_ins=[{"person": "a", "name": "a", "sex": "男"}]), "write_ins[0].sex：人员“a”在 candidates[0] 中性别为“女”"),
    (lambda s: s.update(write_ins=[{"person": "x", "name": "x", "sex": "男"}, {"person": "x", "name": "y", "sex": "男"}]),
     "write_ins[1].name：人员“x”在 write_ins[0] 中姓名为“x”"),
    (lambda s: s.update(prior_elected=[{"person": "b", "post": "jwh_weiyuan", "sex": "女"}]), "prior_elected[0].sex：人员“b”"),
])
def test_one_person_id_is_one_person(change: Any, message: str) -> None:
    """Before, a write-in reusing a candidate's id with another name or sex was accepted and
    the woman rule read whichever entry came last."""
    s = _base()
    change(s)
    with pytest.raises(ScenarioError) as caught:
        run_scenario(s)
    assert str(caught.value).startswith(message), caught.value


def test_same_person_same_details_on_two_lists_is_fine() -> None:
    s = _base()
    s["write_ins"] = [{"person": "a", "name": "a", "sex": "F"}]
    assert run_scenario(s)["valid"] is True


def test_unknown_fields_are_warned() -> None:
    s = _base()
    s["note"] = "手算见右"
    s["papers"][0]["comment"] = "两张"
    s["posts"][0]["treshold"] = "plurality"
    out = run_scenario(s)
    assert out["warnings"] == ["note：未知字段，已忽略", "posts[0].treshold：未知字段，已忽略",
                               "papers[0].comment：未知字段，已忽略"]
    assert out["posts"]["jwh_zhuren"]["elected"][0]["person"] == "a"


@pytest.mark.parametrize("change, field", [
    (lambda s: s["papers"][0].update(cout=s["papers"][0].pop("count")), "papers[0].cout：未知字段（是否为 count？"),
    (lambda s: s["papers"][1].update(mark=s["papers"][1].pop("marks")), "papers[1].mark：未知字段（是否为 marks？"),
    (lambda s: s.update(rulebook={"preset": "beijing", "change": {"runoff_floor": "1/2"}}), "rulebook.change：未知字段（是否为 changes？"),
])
def test_mistyped_field_left_to_its_default_is_refused(change: Any, field: str) -> None:
    """Before, `cout: 2` counted the paper once and `change: {...}` tallied under the bare
    preset, without a word."""
    s = _base()
    change(s)
    with pytest.raises(ScenarioError) as caught:
        run_scenario(s)
    assert str(caught.value).startswith(field), caught.value


def test_a_paper_outside_the_differential_margins_is_counted_with_a_warning() -> None:
    """差额选举 [seed 江苏 §7(2)]: a 主任 line with one candidate (等额) broke the rule, yet the
    papers were cast; the count stands and `warnings` says so (before: not a word)."""
    s = _base()
    s["candidates"] = s["candidates"][:1]
    s["papers"] = [{"count": 3, "marks": {"jwh_zhuren": ["a"]}}]
    out = run_scenario(s)
    assert out["posts"]["jwh_zhuren"]["elected"][0]["person"] == "a"
    assert out["warnings"] == ["posts[0]（jwh_zhuren）：应选 1 名，正式候选人 1 名，差额选举须多于应选人数 1 名"
                               "（候选人名单不合差额规定 margin_jwh_zhuren_min/max；选票已投，照常计票）"]
    s["round"] = "runoff"  # a run-off's candidates follow runoff_extra_candidates, decided by the earlier result
    assert "warnings" not in run_scenario(s)


def test_set_aside_below_the_threshold_names_no_successor() -> None:
    """A person elected 主任 with 2 write-in votes as 委员 (below the 委员's 7): the result read
    "…由得票次多者依次递补" as if a seat had passed on; no one moves up in their place."""
    s = json.loads((CASES / "multi_post_set_aside_before_tie_check.json").read_text("utf-8"))["scenario"]
    s["papers"] = [{"count": 2, "marks": {"jwh_zhuren": ["a"], "jwh_weiyuan": {"approve": ["c"], "write_ins": ["a"]}}},
                   {"count": 6, "marks": {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]}},
                   {"count": 4, "marks": {"jwh_zhuren": ["b"], "jwh_weiyuan": ["e"]}}]
    out = run_scenario(s)
    assert [e["person"] for e in out["posts"]["jwh_weiyuan"]["elected"]] == ["c"]
    assert out["set_asides"] == []
    text = next(n for n in out["posts"]["jwh_weiyuan"]["not_elected"] if n["person"] == "a")
    assert text["reason"] == "elected_higher_post"
    assert "a已当选为居民委员会主任，在居民委员会委员的 2 票不再计算（也未达到 7 票）。" in out["explanation"]
    assert not any("递补" in line for line in out["explanation"])


def test_supervisory_members_by_most_votes_whatever_the_key() -> None:
    """监督委员会 委员 按得票多少顺序产生 [seed 江苏 §17(4)]: a post called `jdw_members` (body jdw,
    title 委员) defaulted to a majority, so x 8 and y 3 of 8 papers elected only x."""
    s = json.loads((CASES / "jdw_members_zero_votes_seat_unfilled.json").read_text("utf-8"))["scenario"]
    s["posts"][0]["key"] = "jdw_members"
    for c in s["candidates"]:
        c["post"] = "jdw_members"
    for p in s["papers"]:
        p["marks"] = {"jdw_members": p["marks"]["jdw_weiyuan"]}
    post = run_scenario(s)["posts"]["jdw_members"]
    assert post["threshold"]["rule"] == "plurality"
    assert [e["person"] for e in post["elected"]] == ["x", "y"]
    s["posts"][0]["title"] = "副主任"  # no rule of its own: more than half, as before
    assert run_scenario(s)["posts"]["jdw_members"]["threshold"]["rule"] == "majority"


def test_a_void_run_off_says_the_run_off_is_held_again() -> None:
    """A run-off of 10 papers from 20 voters is void [V art.15]; it read "选举无效，须重新选举"
    as if the whole election were void. The round is held again; earlier seats stand."""
    s = json.loads((CASES / "runoff_void_for_turnout.json").read_text("utf-8"))["scenario"]
    out = run_scenario(s)
    assert (out["valid"], out["next_round"]) == (False, "new_election")
    assert out["reason"].endswith("本轮另行选举无效，须重新进行另行选举（此前各轮已当选者不受影响）。")
    assert out["bodies"]["jwh"]["status"] == "new_round_needed"
    s = {**s, "round": "main"}
    assert run_scenario(s)["reason"].endswith("选举无效，须重新选举。")


def test_a_void_run_off_keeps_the_woman_elected_before() -> None:
    """The run-off's 4 serving members include p2, a woman: the void run-off said the woman
    member "须在重新选举中产生" (needs_round) as if she were gone [V art.6]."""
    s = json.loads((CASES / "representative_method_runoff_exactly_half_void.json").read_text("utf-8"))["scenario"]
    woman = run_scenario(s)["woman"]
    assert (woman["status"], woman["person"]) == ("satisfied", "p2")
    s["prior_elected"] = [pe for pe in s["prior_elected"] if pe["person"] != "p2"]
    assert run_scenario(s)["woman"]["status"] == "needs_round"


def test_a_paper_number_is_an_annotation_not_a_mistyped_count() -> None:
    """Only a near spelling of `count` is refused: {"id": 7} on a paper without `count` is a
    paper's own number, warned about and the paper counted once."""
    s = _base()
    s["papers"] = [{"id": 1, "marks": {"jwh_zhuren": ["a"]}}, {"id": 2, "marks": {"jwh_zhuren": ["a"]}},
                   {"id": 3, "marks": {"jwh_zhuren": ["b"]}}]
    out = run_scenario(s)
    assert out["posts"]["jwh_zhuren"]["votes"] == {"a": 2, "b": 1}
    assert out["warnings"] == [f"papers[{i}].id：未知字段，已忽略" for i in range(3)]
    s["papers"][0] = {"Count": 2, "marks": {"jwh_zhuren": ["a"]}}
    with pytest.raises(ScenarioError, match=r"^papers\[0\]\.Count：未知字段（是否为 count？"):
        run_scenario(s)
