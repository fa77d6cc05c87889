"""The audit against planted counting errors of kinds tests/audit/test_rla_planted.py does not
build, through the pure audit code exactly as the service runs it (tests/audit/planted.py's
loop, with a record that may be missing: a paper the count never recorded is a phantom):

* wrong outcomes that must go to a full hand count, confirmed at most at the risk limit's rate:
  ``one_box_only`` (the 主任 winner pushed under the threshold by records of box B alone),
  ``loser_overstated`` (a loser of the plurality 监督委员会 post given approvals on records
  whose papers have none, so it displaces a winner), ``records_lost`` (papers without z1 never
  recorded, so z1 reaches a majority of the records but not of the papers);
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

from election.protocol import rla
from election.protocol.rla_assert import plan, to_paper
from election.protocol.rla_audit import Evaluation, Finding, evaluate, hand_count_input, initial_size
from election.rules.presets import preset
from election.rules.tally import tally
from election.rules.tally_types import TallyResult
from tests.audit.planted import JDW, WEIYUAN, ZHUREN, _base, _move, elected

WRONG = ("one_box_only", "loser_overstated", "records_lost")
RIGHT = ("counts_off", "loser_overstated_right")


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


@dataclass
class Run:
    evaluation: Evaluation
    drawn: int
    result: TallyResult


def audit(c: Case, seed: str, risk_limit: float) -> Run:
    """Sample, escalate and hand count as the service does (tests/audit/planted.audit), with
    the manifest's N the papers in the boxes and a drawn paper without a record a phantom."""
    reported = tally(c.inp)
    n = len(c.papers)
    audit_plan = plan(c.inp, reported, n)
    starts = {"A": 0, "B": c.boxes["A"]}
    size = initial_size(audit_plan, risk_limit)
    findings: list[Finding] = []
    cache: dict = {}
    while True:
        new = rla.draw_sample(seed, c.boxes, size - len(findings), start=len(findings) + 1) if size < n else []
        for d in new:
            i = starts[d.box] + d.position - 1
            findings.append(Finding(d.index, d.box, d.position, c.records[i], c.papers[i]))
        ev = evaluate(audit_plan, c.inp.posts, c.inp.rulebook, findings, risk_limit, cache=cache)
        if ev.status != "escalated" or ev.next_size >= n:
            break
        size = ev.next_size
    result = reported
    if ev.status != "confirmed":  # a full hand count of every paper replaces the result
        result = tally(hand_count_input(c.inp, [{"state": "found", "posts": x} for x in c.papers]))
    return Run(ev, len(findings), result)


def _seed(kind: str, i: int) -> str:
    return f"{(WRONG + RIGHT).index(kind) + 1}{i:05d}{random.Random(f'{kind}/seed/{i}').randrange(10**19, 10**20)}"


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
        truth = true_result(c)
        if any(elected(r.result, p.key) != elected(truth, p.key) for p in c.inp.posts):
            out["wrong_stands"] += 1  # a confirmed wrong outcome
        drawn.append(r.drawn)
    return out, sorted(drawn)


@pytest.mark.parametrize("kind", WRONG)
def test_wrong_outcomes_go_to_a_hand_count_short(kind: str) -> None:
    out, _ = run(kind, 20)
    assert out["wrong_stands"] <= 3 and out["confirmed"] == out["wrong_stands"], out


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
