"""The audit against planted counting errors of kinds tests/audit/test_rla_planted.py does not
build, through the pure audit code exactly as the service runs it (tests/audit/planted.audit,
with a record that may be missing: a paper the count never recorded):

* wrong outcomes that must go to a full hand count, confirmed at most at the risk limit's rate:
  ``one_box_only`` (the 主任 winner pushed under the threshold by records of box B alone),
  ``loser_overstated`` (a loser of the plurality 监督委员会 post given approvals on records
  whose papers have none, so it displaces a winner), ``records_lost`` (papers without z1 never
  recorded, so z1 reaches a majority of the records but not of the papers), and a counter's
  errors at the table (tests/counting/test_planted_errors.py plants one of each against the
  database): ``transposed`` (a 赞成 entered under the neighbouring candidate), ``write_in_as_listed``
  (a 另选 recorded as a 赞成 for a listed candidate), ``invalid_as_valid`` (an unreadable 主任
  section recorded as a 赞成). Every audit of these that drew papers and did not confirm
  found the planted error among them (its differences); the others went to a hand count
  without drawing (the reported margin needs every paper);
* wrong reported counts with the right outcome (``counts_off``: 1-4% of the records changed at
  random, both ways; ``loser_overstated_right``: a loser's count inflated, still a loser):
  whatever the audit decides, the outcome that stands is the papers' outcome.

The short tests run 20 elections per wrong kind at α = 5% and allow 3 wrong confirmations (as
test_rla_planted: if the audit confirmed a wrong outcome with probability exactly 5%, 4 or
more of 20 would happen with probability 1.6%; the seeds are fixed), 10 per right kind. The soak runs 200 per
kind at α = 5% and at α = 20% (a wrong confirmation rate over the risk limit would show there
first) and prints the figures docs/AUDIT.md quotes.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import pytest

from election.protocol.rla_assert import to_paper
from election.rules.presets import preset
from election.rules.tally import tally
from election.rules.tally_types import Candidate, TallyResult
from tests.audit.planted import JDW, WEIYUAN, ZHUREN, _base, _move, audit, elected

WRONG = ("one_box_only", "loser_overstated", "records_lost", "transposed", "write_in_as_listed", "invalid_as_valid")
RIGHT = ("counts_off", "loser_overstated_right")
# The seeds' first digit: the kinds in the order they were added (the soak's figures stay put).
SEEDED = ("one_box_only", "loser_overstated", "records_lost", "counts_off", "loser_overstated_right", "transposed",
          "write_in_as_listed", "invalid_as_valid")


@dataclass
class Case:
    kind: str
    post: str
    papers: list[dict[str, Any]]  # the papers in the boxes, by position (box A then box B)
    records: list[dict[str, Any] | None]  # the record of each paper (None: never recorded)
    inp: Any  # the tally input of the records
    boxes: dict[str, int]


def _case(kind: str, post: str, inp: Any, papers: list[dict[str, Any]], records: list[dict[str, Any] | None]) -> Case:
    n = len(papers)
    cut = n * 3 // 5
    kept = [r for r in records if r is not None]
    inp = replace(inp, papers=[to_paper(r) for r in kept], papers_returned=len(kept))
    return Case(kind, post, papers, records, inp, {"A": cut, "B": n - cut})


def build(kind: str, seed: int) -> Case:
    rng = random.Random(f"{kind}/{seed}")
    n = rng.randrange(300, 600)
    cut = n * 3 // 5
    rb = preset("national").with_changes(woman_member_required=False)
    minor = {WEIYUAN.key: {"w1": 0.85, "w2f": 0.8, "w3": 0.2}}
    if kind == "one_box_only":
        share = rng.uniform(0.56, 0.66)
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": share, "z2": 0.25}, **minor,
                                                                 JDW.key: {"j1": 0.7, "j2f": 0.6, "j3": 0.2}})
        records: list[Any] = [dict(p) for p in papers]
        v = sum("z1" in p[ZHUREN.key]["approve"] for p in papers)
        box_b = records[cut:]
        _move(box_b, ZHUREN.key, "z1", v - (n // 2 + 1) + 1 + rng.randrange(0, 60), rng, add=False, seats=1)
        return _case(kind, ZHUREN.key, inp, papers, records[:cut] + box_b)
    if kind in ("loser_overstated", "loser_overstated_right"):
        # j1 far ahead; j2f and j3 close for the second seat on the papers. The records give the
        # true loser of the two approvals it does not have: on papers approving neither
        # (a one-vote overstatement of "loser beats winner") and, as a swap, on papers approving
        # the true winner (a two-vote one). Wrong: the loser overtakes by 1 to 80 votes (a
        # reported margin far larger than the true one); right: it gains but stays behind.
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": 0.75, "z2": 0.2}, **minor,
                                                                 JDW.key: {"j1": 0.8, "j2f": 0.45, "j3": 0.45}})
        records = [dict(p) for p in papers]
        votes = Counter(x for p in papers for x in p[JDW.key]["approve"])
        win, lose = ("j2f", "j3") if votes["j2f"] >= votes["j3"] else ("j3", "j2f")
        gap = votes[win] - votes[lose]
        if kind == "loser_overstated":
            gain = gap + 1 + rng.randrange(0, 80)  # votes the loser must gain on the winner
        else:
            gain = max(0, gap - 1 - rng.randrange(0, 20))
        swaps = [i for i, p in enumerate(papers) if win in p[JDW.key]["approve"] and lose not in p[JDW.key]["approve"]]
        rng.shuffle(swaps)
        k2 = min(len(swaps), rng.randrange(0, gain // 2 + 1))
        for i in swaps[:k2]:  # two-vote: the winner's approval recorded for the loser
            ap = sorted((set(records[i][JDW.key]["approve"]) - {win}) | {lose})
            records[i] = {**records[i], JDW.key: {**records[i][JDW.key], "approve": ap}}
        _move(records, JDW.key, lose, gain - 2 * k2, rng, add=True, seats=2)
        return _case(kind, JDW.key, inp, papers, records)
    if kind == "records_lost":
        share = rng.uniform(0.44, 0.49)
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": share, "z2": 0.3}, **minor,
                                                                 JDW.key: {"j1": 0.7, "j2f": 0.6, "j3": 0.2}})
        v = sum("z1" in p[ZHUREN.key]["approve"] for p in papers)
        others = [i for i, p in enumerate(papers) if "z1" not in p[ZHUREN.key]["approve"]]
        # Drop enough of the others that z1 has a majority of the records left: v > (n - k) / 2.
        k = max(0, n - 2 * v + 1) + rng.randrange(0, 10)
        lost = set(rng.sample(others, min(k, len(others))))
        return _case(kind, ZHUREN.key, replace(inp, papers_issued=n), papers,
                     [None if i in lost else dict(p) for i, p in enumerate(papers)])
    if kind in ("transposed", "write_in_as_listed"):
        # j1 far ahead; j2f and j3 close for the second seat on the papers. ``transposed``: on
        # papers approving the true winner and not the loser, the 赞成 entered under its
        # neighbour (the loser) instead; ``write_in_as_listed``: papers with a 另选 x9 (and room
        # for it) recorded as a 赞成 for the loser instead of the write-in.
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": 0.75, "z2": 0.2}, **minor,
                                                                 JDW.key: {"j1": 0.8, "j2f": 0.45, "j3": 0.45}})
        votes = Counter(x for p in papers for x in p[JDW.key]["approve"])
        win, lose = ("j2f", "j3") if votes["j2f"] >= votes["j3"] else ("j3", "j2f")
        gap = votes[win] - votes[lose]
        records = [dict(p) for p in papers]
        if kind == "transposed":
            idx = [i for i, p in enumerate(papers) if win in p[JDW.key]["approve"] and lose not in p[JDW.key]["approve"]]
            for i in rng.sample(idx, min(len(idx), gap // 2 + 1 + rng.randrange(0, 30))):
                ap = sorted((set(papers[i][JDW.key]["approve"]) - {win}) | {lose})
                records[i] = {**papers[i], JDW.key: {**papers[i][JDW.key], "approve": ap}}
            return _case(kind, JDW.key, inp, papers, records)
        idx = [i for i, p in enumerate(papers) if lose not in p[JDW.key]["approve"] and len(p[JDW.key]["approve"]) < 2]
        for i in rng.sample(idx, min(len(idx), gap + 1 + rng.randrange(0, 30))):
            papers[i] = {**papers[i], JDW.key: {**papers[i][JDW.key], "write_ins": ["x9"]}}
            records[i] = {**papers[i], JDW.key: {**papers[i][JDW.key], "write_ins": [],
                                                 "approve": sorted(set(papers[i][JDW.key]["approve"]) | {lose})}}
        return _case(kind, JDW.key, replace(inp, candidates=inp.candidates + (Candidate("w-x9", "x9", "另选人x9", "男", None),)),
                     papers, records)
    if kind == "invalid_as_valid":
        # Papers whose 主任 section cannot be read (or is marked for z2) entered as a 赞成 for
        # z1, who falls short of a majority on the papers and reaches one in the records.
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": rng.uniform(0.40, 0.48), "z2": 0.3},
                                                                 **minor, JDW.key: {"j1": 0.7, "j2f": 0.6, "j3": 0.2}})
        v = sum("z1" in p[ZHUREN.key]["approve"] for p in papers)
        idx = [i for i, p in enumerate(papers) if "z1" not in p[ZHUREN.key]["approve"]]
        records = [dict(p) for p in papers]
        for i in rng.sample(idx, min(len(idx), n // 2 + 1 - v + rng.randrange(0, 20))):
            papers[i] = {**papers[i], ZHUREN.key: {"approve": [], "oppose": [], "write_ins": [], "unreadable": True}}
            records[i] = {**papers[i], ZHUREN.key: {"approve": ["z1"], "oppose": [], "write_ins": [], "unreadable": False}}
        return _case(kind, ZHUREN.key, inp, papers, records)
    if kind == "counts_off":
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": rng.uniform(0.58, 0.7), "z2": 0.25},
                                                                 **minor, JDW.key: {"j1": 0.7, "j2f": 0.55, "j3": 0.3}})
        records = [dict(p) for p in papers]
        people = {ZHUREN.key: ["z1", "z2"], WEIYUAN.key: ["w1", "w2f", "w3"], JDW.key: ["j1", "j2f", "j3"]}
        seats = {ZHUREN.key: 1, WEIYUAN.key: 2, JDW.key: 2}
        for i in rng.sample(range(n), int(n * rng.uniform(0.01, 0.04))):
            post = rng.choice(sorted(people))
            ap = set(records[i][post]["approve"])
            who = rng.choice(people[post])
            ap = ap - {who} if who in ap else (ap | {who} if len(ap) < seats[post] else ap)
            records[i] = {**records[i], post: {**records[i][post], "approve": sorted(ap)}}
        return _case(kind, ZHUREN.key, inp, papers, records)
    raise ValueError(kind)


def true_result(c: Case) -> TallyResult:
    return tally(replace(c.inp, papers=[to_paper(x) for x in c.papers], papers_returned=len(c.papers),
                         papers_issued=max(c.inp.papers_issued, len(c.papers))))


def outcome_wrong(c: Case) -> bool:
    return any(elected(tally(c.inp), p.key) != elected(true_result(c), p.key) for p in c.inp.posts)


def _seed(kind: str, i: int) -> str:
    return f"{SEEDED.index(kind) + 1}{i:05d}{random.Random(f'{kind}/seed/{i}').randrange(10**19, 10**20)}"


def run(kind: str, wanted: int, risk_limit: float = 0.05) -> tuple[Counter[str], list[int]]:
    out: Counter[str] = Counter()
    drawn = []
    i = 0
    while out["audited"] < wanted:
        c = build(kind, i)
        i += 1
        if outcome_wrong(c) != (kind in WRONG):
            out["skipped"] += 1
            continue
        out["audited"] += 1
        r = audit(c, _seed(kind, i), risk_limit)
        out[r.evaluation.status] += 1
        if r.evaluation.differences:
            out["found_in_sample"] += 1  # the planted error is among the drawn papers
        elif not r.drawn:
            out["hand_count_at_once"] += 1  # the reported margin needs every paper: nothing drawn
        elif r.evaluation.status != "confirmed":
            out["not_confirmed_none_found"] += 1  # sent to a hand count without a difference seen
        if r.rounds > 1:
            out["escalated"] += 1
        truth = true_result(c)
        if any(elected(r.result, p.key) != elected(truth, p.key) for p in c.inp.posts):
            out["wrong_stands"] += 1  # a confirmed wrong outcome
        drawn.append(r.drawn)
    return out, sorted(drawn)


@pytest.mark.parametrize("kind", WRONG)
def test_wrong_outcomes_go_to_a_hand_count_short(kind: str) -> None:
    """Each audit that drew papers and did not confirm found the planted error among them."""
    out, _ = run(kind, 20)
    assert out["wrong_stands"] <= 3 and out["confirmed"] == out["wrong_stands"], out
    assert out["not_confirmed_none_found"] == 0, out


@pytest.mark.parametrize("kind", RIGHT)
def test_wrong_counts_with_the_right_outcome_keep_the_right_outcome_short(kind: str) -> None:
    out, _ = run(kind, 10)
    assert out["wrong_stands"] == 0, out


def _limit(n: int, alpha: float) -> int:
    """The most wrong confirmations of n that a rate of exactly alpha gives with probability
    at least 99.9% (binomial): more would show the risk limit broken."""
    total, k = 0.0, 0
    while True:
        total += math.comb(n, k) * alpha**k * (1 - alpha) ** (n - k)
        if total >= 0.999:
            return k
        k += 1


@pytest.mark.soak
@pytest.mark.parametrize("alpha", [0.05, 0.2])
@pytest.mark.parametrize("kind", WRONG + RIGHT)
def test_planted_error_kinds_soak(kind: str, alpha: float) -> None:
    out, drawn = run(kind, 200, alpha)
    print(f"\n[audit soak] {kind} α={alpha}: {dict(out)}; papers drawn median {drawn[len(drawn) // 2]}, max {drawn[-1]}")
    if kind in WRONG:
        assert out["wrong_stands"] <= _limit(200, alpha), out
    else:
        assert out["wrong_stands"] == 0, out
