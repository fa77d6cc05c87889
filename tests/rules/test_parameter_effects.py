"""Rulebook parameters of the tally, each changed from its national default on the same
hand-computed scenario to show the outcome it changes (issue 16, "every preset parameter
changes behaviour": a test that fails when the parameter is ignored). The arithmetic is
in each case's comment; the scenarios are in the docs/TALLY.md format."""
from __future__ import annotations

from typing import Any

import pytest

from election.rules.scenario import run_scenario


def _cand(person: str, post: str, sex: str = "男") -> dict[str, str]:
    return {"person": person, "name": person, "sex": sex, "post": post}


def _run(changes: dict[str, Any], *, registered: int, issued: int, posts: list[dict], candidates: list[dict],
         papers: list[dict]) -> dict[str, Any]:
    return run_scenario({"rulebook": {"preset": "national", "changes": {"woman_member_required": False, **changes}},
                         "registered_voters": registered, "papers_issued": issued, "posts": posts,
                         "candidates": candidates, "papers": papers})


ZHUREN = {"key": "jwh_zhuren", "body": "jwh", "title": "主任", "seats": 1, "rank": 3}


def _elected(out: dict[str, Any], post: str) -> list[str]:
    return [e["person"] for e in out["posts"][post]["elected"]]


def test_turnout_fraction():
    # 9 of 20 took part: not more than 1/2 (10) — void; more than 2/5 (8) — valid, a elected (9 > 4.5).
    kw: dict[str, Any] = {"registered": 20, "issued": 9, "posts": [ZHUREN],
                          "candidates": [_cand("a", "jwh_zhuren"), _cand("b", "jwh_zhuren")],
                          "papers": [{"count": 9, "marks": {"jwh_zhuren": ["a"]}}]}
    assert _run({}, **kw)["valid"] is False
    out = _run({"turnout_fraction": "2/5"}, **kw)
    assert out["valid"] is True and _elected(out, "jwh_zhuren") == ["a"]


def test_returned_le_issued():
    # 6 papers back of 5 issued (10 registered): void by default; counted where the rule is off.
    kw: dict[str, Any] = {"registered": 10, "issued": 5, "posts": [ZHUREN],
                          "candidates": [_cand("a", "jwh_zhuren"), _cand("b", "jwh_zhuren")],
                          "papers": [{"count": 6, "marks": {"jwh_zhuren": ["a"]}}]}
    assert _run({}, **kw)["valid"] is False
    assert _elected(_run({"returned_le_issued": False}, **kw), "jwh_zhuren") == ["a"]


def test_majority_fraction():
    # 10 papers, a 6 votes: more than 1/2 of 10 (6 needed) — elected; more than 3/5 (7 needed) — not.
    kw: dict[str, Any] = {"registered": 12, "issued": 10, "posts": [ZHUREN],
                          "candidates": [_cand("a", "jwh_zhuren"), _cand("b", "jwh_zhuren")],
                          "papers": [{"count": 6, "marks": {"jwh_zhuren": ["a"]}}, {"count": 4, "marks": {"jwh_zhuren": ["b"]}}]}
    assert _elected(_run({}, **kw), "jwh_zhuren") == ["a"]
    strict = _run({"majority_fraction": "3/5"}, **kw)
    assert _elected(strict, "jwh_zhuren") == [] and strict["posts"]["jwh_zhuren"]["threshold"]["min_votes"] == 7


@pytest.mark.parametrize("post,seats,key", [("jdw_zhuren", 1, "jdw_zhuren_threshold"), ("jdw_weiyuan", 2, "jdw_weiyuan_threshold")])
def test_supervisory_thresholds(post, seats, key):
    # 10 papers: a 4, b 3, c 2 (blank 1). Majority (6 needed): nobody; most votes: a (and b for 2 seats).
    spec = {"key": post, "body": "jdw", "title": "主任" if seats == 1 else "委员", "seats": seats, "rank": 2 if seats == 1 else 1}
    kw: dict[str, Any] = {"registered": 12, "issued": 10, "posts": [spec],
                          "candidates": [_cand(p, post) for p in "abc"],
                          "papers": [{"count": 4, "marks": {post: ["a"]}}, {"count": 3, "marks": {post: ["b"]}},
                                     {"count": 2, "marks": {post: ["c"]}}, {"count": 1, "marks": {post: []}}]}
    most = ["a", "b"][:seats]
    for rule, elected in (("majority", []), ("plurality", most)):
        assert _elected(_run({key: rule}, **kw), post) == elected, rule


@pytest.mark.parametrize("extra", [1, 2])
def test_runoff_extra_candidates(extra):
    # 委员 3 seats, 10 papers: a 10 (elected), b 4, c 3, d 2, e 1 below 6; 2 seats left for a run-off
    # of 2 + extra candidates, highest first: b, c, d (extra 1) or b, c, d, e (extra 2).
    post = {"key": "jwh_weiyuan", "body": "jwh", "title": "委员", "seats": 3, "rank": 1}
    kw: dict[str, Any] = {"registered": 12, "issued": 10, "posts": [post],
                          "candidates": [_cand(p, "jwh_weiyuan") for p in "abcde"],
                          "papers": [{"count": 4, "marks": {"jwh_weiyuan": ["a", "b"]}},
                                     {"count": 3, "marks": {"jwh_weiyuan": ["a", "c"]}},
                                     {"count": 2, "marks": {"jwh_weiyuan": ["a", "d"]}},
                                     {"count": 1, "marks": {"jwh_weiyuan": ["a", "e"]}}]}
    out = _run({"runoff_extra_candidates": extra}, **kw)
    assert out["next_round"] == "runoff"
    assert out["next_posts"]["jwh_weiyuan"]["candidates"] == ["b", "c", "d", "e"][:2 + extra]


@pytest.mark.parametrize("presides", [True, False])
def test_no_zhuren_a_vice_chair_presides(presides):
    # 主任: a 4 of 10 (6 needed) — not elected; 副主任 c 8 — elected; the report says who presides.
    fu = {"key": "jwh_fu_zhuren", "body": "jwh", "title": "副主任", "seats": 1, "rank": 2}
    kw: dict[str, Any] = {"registered": 12, "issued": 10, "posts": [ZHUREN, fu],
                          "candidates": [_cand("a", "jwh_zhuren"), _cand("b", "jwh_zhuren"),
                                         _cand("c", "jwh_fu_zhuren"), _cand("d", "jwh_fu_zhuren")],
                          "papers": [{"count": 4, "marks": {"jwh_zhuren": ["a"], "jwh_fu_zhuren": ["c"]}},
                                     {"count": 4, "marks": {"jwh_zhuren": ["b"], "jwh_fu_zhuren": ["c"]}},
                                     {"count": 2, "marks": {"jwh_fu_zhuren": ["d"]}}]}
    out = _run({"no_zhuren_fu_presides": presides}, **kw)
    assert _elected(out, "jwh_zhuren") == [] and _elected(out, "jwh_fu_zhuren") == ["c"]
    assert ("由副主任主持工作至补选" in " ".join(out["explanation"])) is presides
