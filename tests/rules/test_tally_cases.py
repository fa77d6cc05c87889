"""Hand-computed tally cases, one per rule of RULES.md "Validity" and "Winning".

Each case is an input (a compact scenario) and the expected outcome computed by hand;
the comment of each case shows the arithmetic.
"""

from __future__ import annotations

from typing import Any

import pytest

from election.rules.scenario import run_scenario

Z = {"key": "jwh_zhuren", "body": "jwh", "title": "主任", "seats": 1, "rank": 3}
W2 = {"key": "jwh_weiyuan", "body": "jwh", "title": "委员", "seats": 2, "rank": 1}
JDW2 = {"key": "jdw_weiyuan", "body": "jdw", "title": "委员", "seats": 2, "rank": 0, "threshold": "plurality"}


def S(posts: list[dict[str, Any]], papers: list[tuple[int, dict[str, Any]]], *, registered: int = 15,
      issued: int | None = None, returned: int | None = None, rulebook: Any = "national",
      sex: dict[str, str] | None = None, relations: list[list[str]] = (), round: str = "main",
      prior: list[dict[str, str]] = (), write_ins: list[str] = (), held: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """Build a scenario; candidates are everyone approved on a post (default sex 女 so the
    woman-member rule stays out of cases about other rules). ``held``: a re-vote round's
    held run-offs, as a published result lists them."""
    sex = sex or {}
    cands: dict[tuple[str, str], None] = {}
    for _, marks in papers:
        for post, m in marks.items():
            ids = m if isinstance(m, list) else m.get("approve", [])
            for pid in ids:
                if pid not in write_ins:
                    cands[(post, pid)] = None
    n = sum(c for c, _ in papers)
    return {
        "rulebook": rulebook, "registered_voters": registered,
        "papers_issued": n if issued is None else issued,
        "papers_returned": n if returned is None else returned,
        "posts": posts, "round": round, "relations": list(relations), "prior_elected": list(prior), "held": list(held),
        "candidates": [{"person": p, "name": p, "sex": sex.get(p, "女"), "post": post} for post, p in cands],
        "write_ins": [{"person": w, "name": w, "sex": sex.get(w, "女")} for w in write_ins],
        "papers": [{"count": c, "marks": m} for c, m in papers],
    }


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    # 15 registered, 10 returned: majority needs > 10/2, i.e. 6; 5 is exactly half.
    ("majority_exactly_half_not_elected", "Winning: more than half of papers returned [V art.15]",
     S([Z], [(5, {"jwh_zhuren": ["a"]}), (5, {"jwh_zhuren": ["b"]})]),
     {"elected": {"jwh_zhuren": []}, "min_votes": {"jwh_zhuren": 6},
      "reasons": {"jwh_zhuren": {"a": "below_threshold", "b": "below_threshold"}}, "next_round": "runoff",
      "runoffs": {"jwh_zhuren": ["a", "b"]}}),
    ("majority_half_plus_one_elected", "Winning: more than half [V art.15]",
     S([Z], [(6, {"jwh_zhuren": ["a"]}), (4, {"jwh_zhuren": ["b"]})]),
     {"elected": {"jwh_zhuren": ["a"]}, "next_round": "none"}),
    # 10 returned, 2 unreadable: the denominator stays 10, so 5 votes < 6.
    ("invalid_papers_in_denominator", "Winning: denominator is all papers returned; Validity: unreadable",
     S([Z], [(5, {"jwh_zhuren": ["a"]}), (3, {"jwh_zhuren": ["b"]}), (2, {"jwh_zhuren": {"unreadable": True}})]),
     {"elected": {"jwh_zhuren": []}, "invalid": {"jwh_zhuren": 2}, "min_votes": {"jwh_zhuren": 6}}),
    # 4 papers approve two for the one 主任 seat: only that post is invalid there.
    ("overvote_one_post_only", "Validity: overvote invalidates that post on that paper",
     S([Z, W2], [(4, {"jwh_zhuren": ["a", "b"], "jwh_weiyuan": ["c", "d"]}),
                 (6, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]})]),
     {"elected": {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]}, "invalid": {"jwh_zhuren": 4, "jwh_weiyuan": 0},
      "votes": {"jwh_weiyuan": {"c": 10, "d": 10}, "jwh_zhuren": {"a": 6}}}),
    # Beijing: the same 4 papers are wholly invalid, so c and d get 6 each (still >= 6).
    ("overvote_whole_paper_beijing", "Validity: overvote whole paper invalid [P:BJ]",
     S([Z, W2], [(4, {"jwh_zhuren": ["a", "b"], "jwh_weiyuan": ["c", "d"]}),
                 (6, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]})], rulebook="beijing"),
     {"whole_invalid": 4, "invalid": {"jwh_weiyuan": 4}, "votes": {"jwh_weiyuan": {"c": 6, "d": 6}},
      "elected": {"jwh_weiyuan": ["c", "d"]}}),
    # 5 overvoted + 5 good: under 'paper' c has 5 < 6, under 'post' c has 10.
    ("overvote_whole_paper_changes_result", "Validity: overvote whole paper invalid [P:BJ]",
     S([Z, W2], [(5, {"jwh_zhuren": ["a", "b"], "jwh_weiyuan": ["c"]}), (5, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c"]})],
       rulebook="beijing"),
     {"elected": {"jwh_weiyuan": [], "jwh_zhuren": []}, "votes": {"jwh_weiyuan": {"c": 5}}}),
    ("overvote_post_scope_same_papers", "Validity: overvote post only (national)",
     S([Z, W2], [(5, {"jwh_zhuren": ["a", "b"], "jwh_weiyuan": ["c"]}), (5, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c"]})]),
     {"elected": {"jwh_weiyuan": ["c"], "jwh_zhuren": []}, "votes": {"jwh_weiyuan": {"c": 10}}}),
    # a: 主任 10; 委员 a 8, c 6, d 6 (threshold 6). a takes 主任, c and d move up.
    ("multi_post_higher_post_first", "Winning: same person, several posts — higher post first",
     S([Z, W2], [(4, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["a", "c"]}), (4, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["a", "d"]}),
                 (2, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]})]),
     {"elected": {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]}, "set_asides": [("a", "jwh_weiyuan", "multi_post")],
      "reasons": {"jwh_weiyuan": {"a": "elected_higher_post"}}}),
    # ZJ variant: on 8 papers a is approved for both posts, so those votes do not count: 主任 a 2.
    ("multi_post_paper_invalid_for_person", "Winning: same person — that paper's votes for the person invalid [P:ZJ]",
     S([Z, W2], [(4, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["a", "c"]}), (4, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["a", "d"]}),
                 (2, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]})],
       rulebook={"preset": "national", "changes": {"multi_post_rule": "paper_invalid_for_person"}}),
     {"elected": {"jwh_zhuren": [], "jwh_weiyuan": ["c", "d"]}, "votes": {"jwh_zhuren": {"a": 2}, "jwh_weiyuan": {"c": 6, "d": 6}}}),
    # Older variant: a's 5 主任 votes join the 2 委员 votes (distinct papers): 7 >= 6.
    ("multi_post_higher_counts_for_lower", "Winning: same person — higher post votes count for lower posts [P, older]",
     S([Z, W2], [(5, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c"]}), (2, {"jwh_zhuren": ["b"], "jwh_weiyuan": ["a", "c"]}),
                 (3, {"jwh_zhuren": ["b"], "jwh_weiyuan": ["c"]})],
       rulebook={"preset": "national", "changes": {"multi_post_rule": "higher_counts_for_lower"}}),
     {"elected": {"jwh_zhuren": [], "jwh_weiyuan": ["c", "a"]}, "votes": {"jwh_weiyuan": {"a": 7, "b": 5, "c": 10}}}),
    ("multi_post_default_no_transfer", "Winning: higher post first does not transfer votes",
     S([Z, W2], [(5, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c"]}), (2, {"jwh_zhuren": ["b"], "jwh_weiyuan": ["a", "c"]}),
                 (3, {"jwh_zhuren": ["b"], "jwh_weiyuan": ["c"]})]),
     {"elected": {"jwh_zhuren": [], "jwh_weiyuan": ["c"]}, "votes": {"jwh_weiyuan": {"a": 2, "c": 10}}}),
    # 委员 b 7, c 7, d 6; b is a's near relative and a is 主任: b set aside, d moves up.
    ("near_relatives_higher_post_keeps", "Winning: near relatives — the higher post keeps it [P:CQ 2025]",
     S([Z, W2], [(4, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["b", "c"]}), (3, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["b", "d"]}),
                 (3, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]})], relations=[["a", "b"]]),
     {"elected": {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]}, "set_asides": [("b", "jwh_weiyuan", "near_relative")],
      "reasons": {"jwh_weiyuan": {"b": "near_relative"}}}),
    # 12 papers, threshold 7: b 9, c 8, d 7; b and c relatives: c (fewer votes) out, d in.
    ("near_relatives_equal_posts_more_votes_stays", "Winning: near relatives — equal posts, more votes stays [P:ZJ]",
     S([W2], [(5, {"jwh_weiyuan": ["b", "c"]}), (4, {"jwh_weiyuan": ["b", "d"]}), (3, {"jwh_weiyuan": ["c", "d"]})],
       relations=[["c", "b"]]),
     {"elected": {"jwh_weiyuan": ["b", "d"]}, "reasons": {"jwh_weiyuan": {"c": "near_relative"}}}),
    ("near_relatives_rule_off", "Winning: near relatives rule is a parameter",
     S([W2], [(5, {"jwh_weiyuan": ["b", "c"]}), (4, {"jwh_weiyuan": ["b", "d"]}), (3, {"jwh_weiyuan": ["c", "d"]})],
       relations=[["c", "b"]], rulebook={"changes": {"near_relatives_rule": False}}),
     {"elected": {"jwh_weiyuan": ["b", "c"]}}),
    # 11 papers, threshold 6: b 8, c 7, d 7 for 2 seats: b in, c/d tie for the last seat.
    ("tie_at_last_seat_majority", "Winning: tie at the last seat — re-vote among the tied [P:BJ, SH, ZJ]",
     S([W2], [(4, {"jwh_weiyuan": ["b", "c"]}), (4, {"jwh_weiyuan": ["b", "d"]}), (3, {"jwh_weiyuan": ["c", "d"]})]),
     {"elected": {"jwh_weiyuan": ["b"]}, "ties": {"jwh_weiyuan": [["c", "d"]]}, "next_round": "revote",
      "reasons": {"jwh_weiyuan": {"c": "tie_revote", "d": "tie_revote"}}, "bodies": {"jwh": "revote_needed"}}),
    # Plurality: x 3, y 5, z 2 on 10 papers: y and x elected below half.
    ("plurality_jdw_weiyuan", "Winning: 监督委员会 委员 most votes [seed 江苏 §17]",
     S([JDW2], [(3, {"jdw_weiyuan": ["x", "y"]}), (2, {"jdw_weiyuan": ["y", "z"]}), (5, {})]),
     {"elected": {"jdw_weiyuan": ["y", "x"]}, "min_votes": {"jdw_weiyuan": 1}, "next_round": "none"}),
    ("plurality_tie_last_seat", "Winning: tie at the last seat under plurality",
     S([JDW2], [(4, {"jdw_weiyuan": ["x", "y"]}), (4, {"jdw_weiyuan": ["x", "z"]}), (1, {"jdw_weiyuan": ["y"]}),
                (1, {"jdw_weiyuan": ["z"]})]),
     {"elected": {"jdw_weiyuan": ["x"]}, "ties": {"jdw_weiyuan": [["y", "z"]]}, "next_round": "revote"}),
    # Run-off, 12 papers: floor ceil(12/3) = 4; p 5 wins.
    ("runoff_floor_met", "Winning: run-off most votes and >= 1/3 of papers [V art.15]",
     S([{**W2, "seats": 1}], [(5, {"jwh_weiyuan": ["p"]}), (4, {"jwh_weiyuan": ["q"]}), (3, {"jwh_weiyuan": ["r"]})],
       round="runoff", prior=[{"person": "m1", "post": "jwh_zhuren", "sex": "男"}, {"person": "m2", "post": "jwh_weiyuan", "sex": "女"},
                              {"person": "m3", "post": "jwh_weiyuan", "sex": "男"}]),
     {"elected": {"jwh_weiyuan": ["p"]}, "min_votes": {"jwh_weiyuan": 4}, "next_round": "none"}),
    # p 3 < 4: not elected; 3 members already elected, so the seat may stay vacant.
    ("runoff_floor_not_met_vacancy_allowed", "Winning: run-off floor not met; vacancies when >= 3 elected [P:SH, ZJ]",
     S([{**W2, "seats": 1}], [(3, {"jwh_weiyuan": ["p"]}), (2, {"jwh_weiyuan": ["q"]}), (7, {})],
       round="runoff", prior=[{"person": "m1", "post": "jwh_zhuren", "sex": "男"}, {"person": "m2", "post": "jwh_weiyuan", "sex": "女"},
                              {"person": "m3", "post": "jwh_weiyuan", "sex": "男"}]),
     {"elected": {"jwh_weiyuan": []}, "reasons": {"jwh_weiyuan": {"p": "below_threshold"}},
      "bodies": {"jwh": "vacancies_allowed"}, "next_round": "none"}),
    ("runoff_too_few_elected_new_round", "Winning: fewer than 3 elected after a run-off — new round [P:SH, ZJ]",
     S([{**W2, "seats": 1}], [(3, {"jwh_weiyuan": ["p"]}), (2, {"jwh_weiyuan": ["q"]}), (7, {})],
       round="runoff", prior=[{"person": "m1", "post": "jwh_zhuren", "sex": "男"}, {"person": "m2", "post": "jwh_weiyuan", "sex": "女"}]),
     {"bodies": {"jwh": "new_round_needed"}, "next_round": "runoff"}),
    ("runoff_vacancy_needs_zhuren_beijing", "Winning: vacancies need the 主任 elected [P:BJ]",
     S([{**W2, "seats": 1}], [(3, {"jwh_weiyuan": ["p"]}), (9, {})], rulebook="beijing",
       round="runoff", prior=[{"person": "m1", "post": "jwh_fu_zhuren", "sex": "男"}, {"person": "m2", "post": "jwh_weiyuan", "sex": "女"},
                              {"person": "m3", "post": "jwh_weiyuan", "sex": "男"}]),
     # one seat, only p may stand: 1 + 1 wanted, so the committee nominates first (differential)
     {"bodies": {"jwh": "new_round_needed"}, "next_round": "nomination", "next_posts": {"jwh_weiyuan": [1, 0, ["p"]]}}),
    ("turnout_exactly_half_void", "Validity: more than half of registered voters [V art.15]",
     S([Z], [(10, {"jwh_zhuren": ["a"]})], registered=20),
     {"valid": False, "next_round": "new_election", "elected": {"jwh_zhuren": []}}),
    ("turnout_half_plus_one_valid", "Validity: more than half of registered voters [V art.15]",
     S([Z], [(11, {"jwh_zhuren": ["a"]})], registered=20),
     {"valid": True, "elected": {"jwh_zhuren": ["a"]}}),
    ("returned_more_than_issued_void", "Validity: returned <= issued [P]",
     S([Z], [(12, {"jwh_zhuren": ["a"]})], registered=20, issued=11),
     {"valid": False, "next_round": "new_election"}),
    # Woman reserved line: c 9, d 8, e(女) 7, threshold 7: the reserved seat goes to e.
    ("woman_reserved_line", "Winning: woman member, variant A 定位选举 [P:ZJ]",
     S([{**W2, "reserved_woman_seats": 1}], [(5, {"jwh_weiyuan": ["c", "d"]}), (4, {"jwh_weiyuan": ["c", "e"]}),
                                            (3, {"jwh_weiyuan": ["d", "e"]})], sex={"c": "男", "d": "男"}),
     {"elected": {"jwh_weiyuan": ["c", "e"]}, "woman": "reserved_filled", "reasons": {"jwh_weiyuan": {"d": "seats_filled"}}}),
    ("woman_reserved_line_not_on_ballot", "Winning: woman member, variant A needs a reserved line",
     S([W2], [(5, {"jwh_weiyuan": ["c", "d"]}), (4, {"jwh_weiyuan": ["c", "e"]}), (3, {"jwh_weiyuan": ["d", "e"]})],
       sex={"c": "男", "d": "男"}),
     {"elected": {"jwh_weiyuan": ["c", "d"]}, "woman": "needs_round", "next_round": "nomination",
      # both seats went to men: the next round elects a woman member on a reserved line; its
      # candidates are the women by votes (seats 1 + 1 wanted, only e, 7 votes, is a woman):
      # the run-off stays differential, so the committee nominates a second woman first
      "runoffs": {"jwh_weiyuan": ["e"]}, "next_posts": {"jwh_weiyuan": [1, 1, ["e"]]}}),
    ("woman_replace_lowest", "Winning: woman member, variant B replaces the lowest 委员 (?)",
     S([W2], [(5, {"jwh_weiyuan": ["c", "d"]}), (4, {"jwh_weiyuan": ["c", "e"]}), (3, {"jwh_weiyuan": ["d", "e"]})],
       sex={"c": "男", "d": "男"}, rulebook={"changes": {"woman_member_method": "replace_lowest"}}),
     {"elected": {"jwh_weiyuan": ["c", "e"]}, "woman": "replaced", "reasons": {"jwh_weiyuan": {"d": "replaced_by_woman"}},
      "next_round": "none"}),
    # e has 6 < 7: no woman above the threshold, so a separate round is needed.
    ("woman_replace_lowest_none_above_threshold", "Winning: woman member, variant B needs a woman above the threshold",
     S([W2], [(6, {"jwh_weiyuan": ["c", "d"]}), (3, {"jwh_weiyuan": ["c", "e"]}), (3, {"jwh_weiyuan": ["d", "e"]})],
       sex={"c": "男", "d": "男"}, rulebook={"changes": {"woman_member_method": "replace_lowest"}}),
     {"elected": {"jwh_weiyuan": ["c", "d"]}, "woman": "needs_round", "next_round": "nomination",
      "runoffs": {"jwh_weiyuan": ["e"]}}),
    ("woman_separate_round", "Winning: woman member, variant C separate round (?)",
     S([W2], [(5, {"jwh_weiyuan": ["c", "d"]}), (4, {"jwh_weiyuan": ["c", "e"]}), (3, {"jwh_weiyuan": ["d", "e"]})],
       sex={"c": "男", "d": "男"}, rulebook={"changes": {"woman_member_method": "separate_round"}}),
     {"elected": {"jwh_weiyuan": ["c", "d"]}, "woman": "needs_round", "next_round": "nomination",
      "runoffs": {"jwh_weiyuan": ["e"]}}),
    # A write-in is an approval; with an approval it overvotes the single 主任 seat.
    ("write_in_counts_and_overvotes", "Voting: write-in name = 赞成; Validity: overvote",
     S([Z], [(6, {"jwh_zhuren": {"write_ins": ["w"]}}), (2, {"jwh_zhuren": {"approve": ["a"], "write_ins": ["w"]}}),
             (2, {"jwh_zhuren": ["a"]})], write_ins=["w"]),
     {"elected": {"jwh_zhuren": ["w"]}, "invalid": {"jwh_zhuren": 2}, "votes": {"jwh_zhuren": {"w": 6, "a": 2}}}),
    ("approve_and_oppose_same_person_invalid", "Validity: unreadable — ○ and × for one person",
     S([Z], [(4, {"jwh_zhuren": {"approve": ["a"], "oppose": ["a"]}}), (6, {"jwh_zhuren": ["a"]})]),
     {"invalid": {"jwh_zhuren": 4}, "votes": {"jwh_zhuren": {"a": 6}}, "elected": {"jwh_zhuren": ["a"]}}),
    # ------------------------------------------------------------ the next round
    # 12 papers, threshold 7. 委员 3 seats: c 12 elected; d 5, e(女) 5, g 3, f(女) 3 below.
    # 2 seats unfilled; c, d, g are men, so one of the two is the woman's: general 1 seat,
    # candidates 1 + 1 by votes = d, e (5 each); woman's seat 1, women e, f. One section.
    ("runoff_woman_seat_and_general_one_section", "Winning: run-off seats + 1; woman member variant A — one section per post",
     S([{**W2, "seats": 3}], [(5, {"jwh_weiyuan": ["c", "d", "e"]}), (3, {"jwh_weiyuan": ["c", "g", "f"]}),
                              (4, {"jwh_weiyuan": ["c"]})], sex={"c": "男", "d": "男", "g": "男"}),
     {"elected": {"jwh_weiyuan": ["c"]}, "woman": "needs_round", "next_round": "runoff",
      "runoffs": {"jwh_weiyuan": ["d", "e", "e", "f"]}, "next_posts": {"jwh_weiyuan": [2, 1, ["d", "e", "f"]]}}),
    # The ballot had the reserved line: 委员 3 seats, 1 定位. c 9 elected; women e 5, f 4 and
    # men d 4, g 2 are below 7: the reserved seat and 1 general seat are open. Reserved:
    # women e, f; general: e 5, then d and f tied at 4 at the cut, so all three. One section.
    ("runoff_reserved_and_general_one_section", "Winning: run-off for a reserved seat and a general seat on one post",
     S([{**W2, "seats": 3, "reserved_woman_seats": 1}],
       [(5, {"jwh_weiyuan": ["c", "e"]}), (4, {"jwh_weiyuan": ["c", "d", "f"]}), (2, {"jwh_weiyuan": ["g"]}), (1, {})],
       sex={"c": "男", "d": "男", "g": "男"}),
     {"elected": {"jwh_weiyuan": ["c"]}, "woman": "needs_round", "next_round": "runoff",
      "next_posts": {"jwh_weiyuan": [2, 1, ["d", "e", "f"]]}}),
    # 12 papers, threshold 7. 主任 a 6, b 6: both below, a run-off. 委员 2 seats: c, d, e 8
    # each: a tie for both seats. The tied are re-voted first: the next paper is 委员 only;
    # the 主任 run-off (a, b) is held, and so is a woman's seat (nobody is elected yet; the
    # women on 委员 by votes: c, d, e) in case the re-vote elects no woman.
    ("tie_and_runoff_revote_first", "Winning: tie at the last seat is re-voted before the run-off",
     S([Z, W2], [(4, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "d"]}), (2, {"jwh_zhuren": ["a"], "jwh_weiyuan": ["c", "e"]}),
                 (2, {"jwh_zhuren": ["b"], "jwh_weiyuan": ["c", "e"]}), (4, {"jwh_zhuren": ["b"], "jwh_weiyuan": ["d", "e"]})]),
     {"elected": {"jwh_zhuren": [], "jwh_weiyuan": []}, "ties": {"jwh_weiyuan": [["c", "d", "e"]]},
      "bodies": {"jwh": "revote_needed"}, "next_round": "revote", "next_posts": {"jwh_weiyuan": [2, 0, ["c", "d", "e"]]},
      "held": [["jwh_zhuren", 1, False, False, ["a", "b"]], ["jwh_weiyuan", 1, True, True, ["c", "d", "e"]]]}),
    # The re-vote of the case above: c 7, d 5, e 0 on 12 papers (most votes): c and d, both
    # women, are elected. The held 主任 run-off follows with a and b; the woman's seat is dropped.
    ("revote_then_held_runoff", "Winning: after the re-vote the held run-off takes its candidates",
     S([{**W2, "threshold": "plurality"}], [(7, {"jwh_weiyuan": ["c"]}), (5, {"jwh_weiyuan": ["d"]})], round="revote",
       held=[{"post": "jwh_zhuren", "post_name": "居民委员会主任", "seats": 1, "women_only": False,
              "ranked": [{"person": "a", "votes": 6}, {"person": "b", "votes": 6}]},
             {"post": "jwh_weiyuan", "seats": 1, "women_only": True, "woman_seat": True,
              "ranked": [{"person": "c", "votes": 8}, {"person": "d", "votes": 8}, {"person": "e", "votes": 8}]}]),
     {"elected": {"jwh_weiyuan": ["c", "d"]}, "woman": "satisfied", "bodies": {"jwh": "runoff_needed"},
      "next_round": "runoff", "next_posts": {"jwh_zhuren": [1, 0, ["a", "b"]]}}),
    # The same re-vote electing two men: the woman's seat stays; its pool leaves out the
    # elected c and d, so only e may stand (1 + 1 wanted).
    ("revote_then_held_woman_seat", "Winning: woman member after a re-vote that elects no woman",
     S([{**W2, "threshold": "plurality"}], [(7, {"jwh_weiyuan": ["c"]}), (5, {"jwh_weiyuan": ["d"]})], round="revote",
       sex={"c": "男", "d": "男"},
       held=[{"post": "jwh_zhuren", "post_name": "居民委员会主任", "seats": 1, "women_only": False,
              "ranked": [{"person": "a", "votes": 6}, {"person": "b", "votes": 6}]},
             {"post": "jwh_weiyuan", "seats": 1, "women_only": True, "woman_seat": True,
              "ranked": [{"person": "c", "votes": 8}, {"person": "d", "votes": 8}, {"person": "e", "votes": 8}]}]),
     {"elected": {"jwh_weiyuan": ["c", "d"]}, "next_round": "nomination",
      "next_posts": {"jwh_zhuren": [1, 0, ["a", "b"]], "jwh_weiyuan": [1, 1, ["e"]]}}),
    # c and d are elected and no woman stood for 委员 or got a vote there: the woman's seat
    # has nobody to stand, so no paper follows yet; the committee must nominate first (the
    # section waits with no candidates).
    ("woman_seat_without_candidates_nomination", "Winning: woman member — a run-off needs candidates",
     S([W2], [(7, {"jwh_weiyuan": ["c", "d"]}), (5, {})], sex={"c": "男", "d": "男"}),
     {"elected": {"jwh_weiyuan": ["c", "d"]}, "woman": "needs_round", "next_round": "nomination",
      "next_posts": {"jwh_weiyuan": [1, 1, []]}}),
    # Run-off round, 12 papers, floor 4: 委员 p 3 and 监督委员会主任 x 3 are both below. The
    # 居委会 has 3 members elected before (a vacancy may stay); the 监督委员会 has none (a new
    # round). Only the 监督委员会主任 goes on the next paper.
    ("runoff_next_paper_only_where_needed", "Winning: vacancies — only a body that may not stay short votes again",
     S([{**W2, "seats": 1}, {"key": "jdw_zhuren", "body": "jdw", "title": "主任", "seats": 1, "rank": 3}],
       [(3, {"jwh_weiyuan": ["p"], "jdw_zhuren": ["x"]}), (2, {"jwh_weiyuan": ["q"], "jdw_zhuren": ["y"]}), (7, {})],
       round="runoff", prior=[{"person": "m1", "post": "jwh_zhuren", "sex": "男"}, {"person": "m2", "post": "jwh_weiyuan", "sex": "女"},
                              {"person": "m3", "post": "jwh_weiyuan", "sex": "男"}]),
     {"bodies": {"jwh": "vacancies_allowed", "jdw": "new_round_needed"}, "next_round": "runoff",
      "next_posts": {"jdw_zhuren": [1, 0, ["x", "y"]]}}),
]


@pytest.mark.parametrize("name,rule,scenario,expected", CASES, ids=[c[0] for c in CASES])
def test_tally_case(name: str, rule: str, scenario: dict[str, Any], expected: dict[str, Any]) -> None:
    r = run_scenario(scenario)
    posts = r["posts"]
    if "valid" in expected:
        assert r["valid"] is expected["valid"], rule
    for post, ids in expected.get("elected", {}).items():
        assert [e["person"] for e in posts[post]["elected"]] == ids, rule
    for post, n in expected.get("min_votes", {}).items():
        assert posts[post]["threshold"]["min_votes"] == n, rule
    for post, n in expected.get("invalid", {}).items():
        assert posts[post]["invalid_papers"] == n, rule
    for post, votes in expected.get("votes", {}).items():
        for pid, v in votes.items():
            assert posts[post]["votes"].get(pid, 0) == v, (rule, pid)
    for post, reasons in expected.get("reasons", {}).items():
        got = {n["person"]: n["reason"] for n in posts[post]["not_elected"]}
        for pid, code in reasons.items():
            assert got[pid] == code, (rule, pid)
    for post, ties in expected.get("ties", {}).items():
        assert [sorted(t["persons"]) for t in posts[post]["ties"]] == ties, rule
    for post, cands in expected.get("runoffs", {}).items():
        assert sorted(c for ro in posts[post]["runoffs"] for c in ro["candidates"]) == cands, rule
    if "set_asides" in expected:
        assert [(s["person"], s["post"], s["kind"]) for s in r["set_asides"]] == expected["set_asides"], rule
    if "woman" in expected:
        assert r["woman"]["status"] == expected["woman"], rule
    for body, status in expected.get("bodies", {}).items():
        assert r["bodies"][body]["status"] == status, rule
    if "next_round" in expected:
        assert r["next_round"] == expected["next_round"], rule
    if "whole_invalid" in expected:
        assert r["whole_papers_invalid"] == expected["whole_invalid"], rule
    if "next_posts" in expected:
        got = {k: [n["seats"], n["reserved_woman_seats"], sorted(n["candidates"])] for k, n in r["next_posts"].items()}
        assert got == expected["next_posts"], rule
    if "held" in expected:
        got_held = [[h["post"], h["seats"], h["women_only"], h["woman_seat"], [x["person"] for x in h["ranked"]]]
                    for h in r["held"]]
        assert got_held == expected["held"], rule
    assert r["explanation"], "every result explains itself"


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 25
