"""Assertions for every outcome the rules produce (docs/AUDIT.md) and the one validity
function both sides of a comparison go through (election/protocol/rla_assert.py)."""
from __future__ import annotations

from election.protocol.rla_assert import OTHER, counted_votes, plan, to_paper
from election.protocol.rla_audit import Finding, evaluate, initial_size
from election.rules.presets import preset
from election.rules.tally import tally
from election.rules.tally_types import Candidate, PostSpec, TallyInput

ZHUREN = PostSpec("jwh_zhuren", "jwh", "主任", 1, 3)
WEIYUAN = PostSpec("jwh_weiyuan", "jwh", "委员", 2, 1)
JDW = PostSpec("jdw_weiyuan", "jdw", "委员", 1, 0, threshold="plurality")
RB = preset("national").with_changes(woman_member_required=False)


def _m(**posts: list[str]) -> dict:
    return {k: {"approve": v, "oppose": [], "write_ins": [], "unreadable": False} for k, v in posts.items()}


def _inp(papers: list[dict], specs: tuple[PostSpec, ...], people: dict[str, list[str]], kind: str = "main",
         rb=RB) -> TallyInput:
    cands = tuple(Candidate(f"c{p}", p, {"a": "张三", "b": "李四", "c": "王五"}.get(p, p), "男", k)
                  for k, ps in people.items() for p in ps)
    return TallyInput(rb, len(papers) + 10, len(papers), len(papers), specs, cands,
                      [to_paper(x) for x in papers], round_kind=kind)  # type: ignore[arg-type]


def _kinds(p, post):  # type: ignore[no-untyped-def]
    return sorted((a.kind, a.a, a.b, a.m) for a in p.post(post).assertions)


def test_majority_winner_must_clear_the_threshold_of_all_papers_returned() -> None:
    """主任 张三 151 of 300 papers (blank and invalid count against): votes >= 151."""
    papers = [_m(jwh_zhuren=["a"])] * 151 + [_m(jwh_zhuren=["b"])] * 100 + [_m(jwh_zhuren=[])] * 49
    inp = _inp(papers, (ZHUREN,), {"jwh_zhuren": ["a", "b"]})
    p = plan(inp, tally(inp), 300)
    above = [a for a in p.post("jwh_zhuren").assertions if a.kind == "above"]
    assert [(a.a, a.m) for a in above] == [("a", 151)]
    # 151 > 150 = (151 - 1): mean just over 1/2, diluted margin 2 * (151 - 150) / 300.
    assert above[0].mean > 0.5 and abs(above[0].diluted_margin - 2 / 300) < 1e-12
    assert "张三 得票不少于 151 票" == above[0].label


def test_no_winner_asserts_everyone_stays_under_including_write_ins() -> None:
    """Nobody over half: a run-off is ordered; every person (and OTHER) must stay under 151."""
    papers = [_m(jwh_zhuren=["a"])] * 140 + [_m(jwh_zhuren=["b"])] * 110 + [_m(jwh_zhuren=[])] * 50
    inp = _inp(papers, (ZHUREN,), {"jwh_zhuren": ["a", "b"]})
    result = tally(inp)
    assert result.post("jwh_zhuren").elected == ()
    p = plan(inp, result, 300)
    assert _kinds(p, "jwh_zhuren")[:3] == [("below", OTHER, None, 151), ("below", "a", None, 151), ("below", "b", None, 151)]
    assert all(a.diluted_margin > 0 for a in p.post("jwh_zhuren").assertions)


def test_the_manifest_count_not_the_records_count_sets_the_threshold() -> None:
    """Records of 300 papers but 320 in the boxes: the threshold is 161, and 张三's 151
    recorded votes no longer clear it (negative margin: hand count)."""
    papers = [_m(jwh_zhuren=["a"])] * 151 + [_m(jwh_zhuren=["b"])] * 149
    inp = _inp(papers, (ZHUREN,), {"jwh_zhuren": ["a", "b"]})
    p = plan(inp, tally(inp), 320)
    assert [a.m for a in p.post("jwh_zhuren").assertions if a.kind == "above"] == [161]
    assert initial_size(p, 0.05) == 320


def test_runoff_floor_both_ways() -> None:
    """Run-off: at least ceil(N/3) = 100 of 300. Elected with 100 asserts >= 100 (> 99);
    99 leaves the seat unfilled and asserts < 100."""
    spec = PostSpec("jwh_weiyuan", "jwh", "委员", 1, 1)
    win = [_m(jwh_weiyuan=["a"])] * 100 + [_m(jwh_weiyuan=["b"])] * 60 + [_m(jwh_weiyuan=[])] * 140
    inp = _inp(win, (spec,), {"jwh_weiyuan": ["a", "b"]}, "runoff")
    r = tally(inp)
    assert [e.person_id for e in r.post("jwh_weiyuan").elected] == ["a"]
    p = plan(inp, r, 300)
    assert ("above", "a", None, 100) in _kinds(p, "jwh_weiyuan")
    short = [_m(jwh_weiyuan=["a"])] * 99 + [_m(jwh_weiyuan=["b"])] * 60 + [_m(jwh_weiyuan=[])] * 141
    inp2 = _inp(short, (spec,), {"jwh_weiyuan": ["a", "b"]}, "runoff")
    r2 = tally(inp2)
    assert r2.post("jwh_weiyuan").elected == ()
    assert ("below", "a", None, 100) in _kinds(plan(inp2, r2, 300), "jwh_weiyuan")


def test_plurality_pairs_every_winner_with_every_loser_and_other() -> None:
    papers = [_m(jdw_weiyuan=["a"])] * 120 + [_m(jdw_weiyuan=["b"])] * 90 + [_m(jdw_weiyuan=["c"])] * 30
    inp = _inp(papers, (JDW,), {"jdw_weiyuan": ["a", "b", "c"]})
    p = plan(inp, tally(inp), 240)
    assert _kinds(p, "jdw_weiyuan") == [("beats", "a", OTHER, 0), ("beats", "a", "b", 0), ("beats", "a", "c", 0)]


def test_tie_goes_to_a_full_hand_count_of_the_post() -> None:
    papers = [_m(jdw_weiyuan=["a"])] * 100 + [_m(jdw_weiyuan=["b"])] * 100
    inp = _inp(papers, (JDW,), {"jdw_weiyuan": ["a", "b"]})
    p = plan(inp, tally(inp), 200)
    assert p.post("jdw_weiyuan").assertions == () and "票数相等" in p.post("jdw_weiyuan").hand_count
    assert initial_size(p, 0.05) == 200
    ev = evaluate(p, inp.posts, RB, [], 0.05)
    assert ev.status == "full_count" and "票数相等" in ev.hand_count["jdw_weiyuan"]


def test_higher_post_first_leaves_the_higher_winner_out_of_the_lower_post() -> None:
    """张三 wins 主任 and is on the 委员 list too: the 委员 assertions leave him out."""
    papers = [_m(jwh_zhuren=["a"], jwh_weiyuan=["a", "b"])] * 200 + [_m(jwh_zhuren=["c"], jwh_weiyuan=["c"])] * 100
    inp = _inp(papers, (ZHUREN, WEIYUAN), {"jwh_zhuren": ["a", "c"], "jwh_weiyuan": ["a", "b", "c"]})
    r = tally(inp)
    assert [e.person_id for e in r.post("jwh_weiyuan").elected] == ["b"]
    p = plan(inp, r, 300)
    assert all("a" not in (x.a, x.b) for x in p.post("jwh_weiyuan").assertions)
    assert ("below", "c", None, 151) in _kinds(p, "jwh_weiyuan")


def test_validity_function_is_the_counts_own_rule_for_each_preset() -> None:
    specs = (WEIYUAN, JDW)
    over = {"jwh_weiyuan": {"approve": ["a", "b", "c"]}, "jdw_weiyuan": {"approve": ["d"]}}
    assert counted_votes(over, specs, RB) == {"jwh_weiyuan": frozenset(), "jdw_weiyuan": frozenset({"d"})}
    beijing = preset("beijing")
    assert counted_votes(over, specs, beijing) == {"jwh_weiyuan": frozenset(), "jdw_weiyuan": frozenset()}
    double = {"jwh_weiyuan": {"approve": ["a"], "write_ins": ["d"]}, "jdw_weiyuan": {"approve": ["d"]}}
    assert counted_votes(double, specs, preset("zhejiang")) == {"jwh_weiyuan": frozenset({"a"}), "jdw_weiyuan": frozenset()}
    assert counted_votes(double, specs, RB)["jdw_weiyuan"] == frozenset({"d"})


def test_every_difference_is_logged_understatements_too() -> None:
    papers = [_m(jdw_weiyuan=["a"])] * 150 + [_m(jdw_weiyuan=["b"])] * 50
    inp = _inp(papers, (JDW,), {"jdw_weiyuan": ["a", "b"]})
    p = plan(inp, tally(inp), 200)
    rec_b, rec_a = _m(jdw_weiyuan=["b"]), _m(jdw_weiyuan=["a"])
    findings = [Finding(1, "A", 1, rec_b, rec_a),  # understatement: the paper is for the winner
                Finding(2, "A", 2, rec_a, rec_a),
                Finding(3, "A", 3, rec_a, {"jdw_weiyuan": {"approve": ["a"], "oppose": ["b"]}}),  # × only: same count
                Finding(4, "A", 4, rec_a, None)]  # no paper at the position: worst case
    ev = evaluate(p, inp.posts, RB, findings, 0.05)
    assert [d.index for d in ev.differences] == [1, 3, 4]
    ab = next(r for r in ev.risks if r.assertion.b == "b")
    assert (ab.u2, ab.o2) == (1, 1)
    assert ev.differences[1].marks == ("jdw_weiyuan",) and ev.differences[1].counted == ()


def test_meeting_motion_asserts_agree_against_those_present() -> None:
    """A 居民代表会议's motion on paper (round "motion"): 30 present, 25 papers back; adopted
    with 21 agreeing (more than 2/3 of 30 is 21, not 2/3 of the 25 papers, which is 17);
    refused with 20 agreeing: 同意 < 21."""
    post = PostSpec("motion", "jwh", "表决事项", 1, 1)
    line = (Candidate("m1", "m1", "表决事项", "", "motion"),)
    for agree, kind in ((21, "above"), (20, "below")):
        papers = [_m(motion=["m1"])] * agree + [_m(motion=[])] * (25 - agree)
        inp = TallyInput(RB, 30, 25, 25, (post,), line, [to_paper(x) for x in papers], round_kind="motion",
                         meeting_kind="representatives")
        result = tally(inp)
        assert result.question is not None and result.question.carried == (kind == "above")
        assert [(a.kind, a.a, a.m) for a in plan(inp, result, 25).post("motion").assertions] == [(kind, "m1", 21)]
