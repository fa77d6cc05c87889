"""Seeded elections with a planted counting error, audited through the pure audit code
(election/protocol/rla_assert.py, rla_audit.py) exactly as the service runs it: the
records (what the count recorded) give the reported outcome; the papers (what lies in the
boxes) are what the auditor reads at each drawn position.

Each kind builds an election whose papers and records differ so that the reported outcome
of one post is wrong; ``audit`` then samples, escalates and, when it goes to a full hand
count, counts the papers and returns that result.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from election.protocol import rla
from election.protocol.rla_assert import AuditPlan, plan, to_paper
from election.protocol.rla_audit import Evaluation, Finding, evaluate, hand_count_input, initial_size
from election.rules.presets import preset
from election.rules.rulebook import Rulebook
from election.rules.tally import tally
from election.rules.tally_types import Candidate, PostSpec, TallyInput, TallyResult

KINDS = ("winner_under", "loser_over", "runoff_floor", "tie_broken", "writeins_dropped",
         "beijing_overvote", "zhejiang_double_post", "records_stuffed")

ZHUREN = PostSpec("jwh_zhuren", "jwh", "主任", 1, 3)
WEIYUAN = PostSpec("jwh_weiyuan", "jwh", "委员", 2, 1)
JDW = PostSpec("jdw_weiyuan", "jdw", "委员", 2, 0, threshold="plurality")


@dataclass
class Planted:
    kind: str
    post: str  # the post whose reported outcome is wrong
    inp: TallyInput  # with the records as papers
    papers: list[dict[str, Any]]  # the papers in the boxes, by position
    records: list[dict[str, Any]]
    boxes: dict[str, int]


def _marks(**posts: list[str]) -> dict[str, Any]:
    return {k: {"approve": v, "oppose": [], "write_ins": [], "unreadable": False} for k, v in posts.items()}


def _post_votes(rng: random.Random, shares: dict[str, float], seats: int) -> list[str]:
    chosen = [p for p, s in shares.items() if rng.random() < s]
    rng.shuffle(chosen)
    return sorted(chosen[:seats])


def _base(rng: random.Random, n: int, rb: Rulebook, specs: tuple[PostSpec, ...], shares: dict[str, dict[str, float]],
          round_kind: str = "main") -> tuple[TallyInput, list[dict[str, Any]]]:
    papers = []
    for _ in range(n):
        papers.append(_marks(**{s.key: _post_votes(rng, shares[s.key], s.seats) for s in specs}))
    cands = tuple(Candidate(f"c-{s.key}-{p}", p, f"候选人{p}", "女" if p.endswith("f") else "男", s.key)
                  for s in specs for p in shares[s.key])
    inp = TallyInput(rb, registered_voters=n + n // 4, papers_issued=n, papers_returned=n, posts=specs,
                     candidates=cands, papers=[], round_kind=round_kind)  # type: ignore[arg-type]
    return inp, papers


def _finish(kind: str, post: str, inp: TallyInput, papers: list[dict[str, Any]], records: list[dict[str, Any]],
            writeins: tuple[Candidate, ...] = ()) -> Planted:
    n = len(papers)
    cut = n * 3 // 5
    inp = replace(inp, candidates=inp.candidates + writeins, papers=[to_paper(r) for r in records])
    return Planted(kind, post, inp, papers, records, {"A": cut, "B": n - cut})


def _move(records: list[dict[str, Any]], post: str, who: str, k: int, rng: random.Random, add: bool, seats: int) -> None:
    """Change k records: drop who's approval (add=False) or give it on records without it
    and with room under the seats (add=True)."""
    idx = [i for i, r in enumerate(records)
           if (who in r[post]["approve"]) != add and (not add or len(r[post]["approve"]) < seats)]
    for i in rng.sample(idx, max(0, min(k, len(idx)))):
        a = set(records[i][post]["approve"])
        a = a | {who} if add else a - {who}
        records[i] = {**records[i], post: {**records[i][post], "approve": sorted(a)}}


def build(kind: str, seed: int) -> Planted:
    """One election of that kind whose reported outcome of ``post`` is wrong."""
    rng = random.Random(f"{kind}/{seed}")
    n = rng.randrange(300, 600)
    rb = preset("national").with_changes(woman_member_required=False)
    minor = {WEIYUAN.key: {"w1": 0.85, "w2f": 0.8, "w3": 0.2}, JDW.key: {"j1": 0.7, "j2f": 0.6, "j3": 0.2}}
    if kind in ("winner_under", "loser_over"):
        share = rng.uniform(0.68, 0.78) if kind == "winner_under" else rng.uniform(0.40, 0.52)
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": share, "z2": 0.3}, **minor})
        records = [dict(p) for p in papers]
        m = n // 2 + 1
        v = sum("z1" in p[ZHUREN.key]["approve"] for p in papers)
        if kind == "winner_under":
            _move(records, ZHUREN.key, "z1", v - m + 1 + rng.randrange(0, 20), rng, add=False, seats=1)
        else:
            _move(records, ZHUREN.key, "z1", m - v + rng.randrange(0, 20), rng, add=True, seats=1)
        return _finish(kind, ZHUREN.key, inp, papers, records)
    if kind == "runoff_floor":
        up = seed % 2 == 0  # both ways across the floor
        share = rng.uniform(0.24, 0.31) if up else rng.uniform(0.36, 0.45)
        spec = PostSpec("jwh_weiyuan", "jwh", "委员", 1, 1)
        inp, papers = _base(rng, n, rb, (spec,), {spec.key: {"r1": share, "r2": 0.12}}, round_kind="runoff")
        records = [dict(p) for p in papers]
        m = -(-n // 3)
        v = sum("r1" in p[spec.key]["approve"] for p in papers)
        if up:
            _move(records, spec.key, "r1", m - v + rng.randrange(0, 15), rng, add=True, seats=1)
        else:
            _move(records, spec.key, "r1", v - m + 1 + rng.randrange(0, 15), rng, add=False, seats=1)
        return _finish(kind, spec.key, inp, papers, records)
    if kind == "tie_broken":
        spec = PostSpec("jdw_weiyuan", "jdw", "委员", 1, 0, threshold="plurality")
        inp, papers = _base(rng, n, rb, (spec,), {spec.key: {"t1": 0.4, "t2": 0.4}})
        # Make a true tie: equalise t1 and t2 on the papers by blanking the leader's marks.
        v1 = sum("t1" in p[spec.key]["approve"] for p in papers)
        v2 = sum("t2" in p[spec.key]["approve"] for p in papers)
        lead, d = ("t1", v1 - v2) if v1 > v2 else ("t2", v2 - v1)
        _move(papers, spec.key, lead, d, rng, add=False, seats=1)
        records = [dict(p) for p in papers]
        loser = rng.choice(["t1", "t2"])
        _move(records, spec.key, loser, 1 + rng.randrange(0, 25), rng, add=False, seats=1)
        return _finish(kind, spec.key, inp, papers, records)
    if kind == "writeins_dropped":
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW),
                            {ZHUREN.key: {"z1": 0.7, "z2": 0.2}, WEIYUAN.key: minor[WEIYUAN.key],
                             JDW.key: {"j1": 0.7, "j2f": 0.3, "j3": 0.2}})
        share = rng.uniform(0.55, 0.7)
        for i, p in enumerate(papers):
            ap = p[JDW.key]["approve"]
            if len(ap) < 2 and rng.random() < share:
                papers[i] = {**p, JDW.key: {**p[JDW.key], "write_ins": ["x9"]}}
        records = [{**p, JDW.key: {**p[JDW.key], "write_ins": []}} for p in papers]
        return _finish(kind, JDW.key, inp, papers, records, (Candidate("w-x9", "x9", "另选人x9", "男", None),))
    if kind == "beijing_overvote":
        rb = preset("beijing").with_changes(woman_member_required=False)
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW),
                            {ZHUREN.key: {"z1": 0.7, "z2": 0.2}, WEIYUAN.key: minor[WEIYUAN.key],
                             JDW.key: {"j1": 0.75, "j2f": 0.40, "j3": 0.47}})
        # Papers for j3 overvote the 委员 section (whole paper invalid under beijing);
        # the records show two 委员 marks where the paper has three.
        records = [dict(p) for p in papers]
        for i, p in enumerate(papers):
            if "j3" in p[JDW.key]["approve"] and "j2f" not in p[JDW.key]["approve"] and rng.random() < 0.8:
                papers[i] = {**p, WEIYUAN.key: {**p[WEIYUAN.key], "approve": ["w1", "w2f", "w3"]}}
                records[i] = {**p, WEIYUAN.key: {**p[WEIYUAN.key], "approve": ["w1", "w2f"]}}
        return _finish(kind, JDW.key, inp, papers, records)
    if kind == "zhejiang_double_post":
        rb = preset("zhejiang").with_changes(woman_member_required=False)
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW),
                            {ZHUREN.key: {"z1": 0.7, "z2": 0.2}, WEIYUAN.key: {"w1": 0.6, "w2f": 0.5, "w3": 0.2},
                             JDW.key: {"j1": 0.75, "j2f": 0.40, "j3": 0.47}})
        # Papers for j3 also write j3 in for 委员: that paper's votes for j3 are invalid
        # (zhejiang); the records lost the write-in.
        records = [dict(p) for p in papers]
        for i, p in enumerate(papers):
            if ("j3" in p[JDW.key]["approve"] and "j2f" not in p[JDW.key]["approve"]
                    and len(p[WEIYUAN.key]["approve"]) < 2 and rng.random() < 0.9):
                papers[i] = {**p, WEIYUAN.key: {**p[WEIYUAN.key], "write_ins": ["j3"]}}
        return _finish(kind, JDW.key, inp, papers, records)
    if kind == "records_stuffed":
        # Records for 主任 z1 added beyond the papers in the boxes (the count says more papers
        # were returned and issued than the scrutineers' manifest holds): z1 falls short of a
        # majority on the papers and reaches one in the records. No paper carries those records.
        inp, papers = _base(rng, n, rb, (ZHUREN, WEIYUAN, JDW), {ZHUREN.key: {"z1": rng.uniform(0.40, 0.48), "z2": 0.3}, **minor})
        v = sum("z1" in p[ZHUREN.key]["approve"] for p in papers)
        k = 2 * (n // 2 + 1 - v) + rng.randrange(2, 20)
        extra = [_marks(**{ZHUREN.key: ["z1"], WEIYUAN.key: ["w1"], JDW.key: ["j1"]}) for _ in range(k)]
        p = _finish(kind, ZHUREN.key, replace(inp, papers_issued=n + k, papers_returned=n + k, registered_voters=2 * n),
                    papers, [dict(x) for x in papers] + extra)
        return p
    raise ValueError(kind)


def elected(result: TallyResult, post: str) -> tuple[tuple[str, ...], int]:
    """What a post's outcome is: who is elected and how many seats are tied."""
    pr = result.post(post)
    return tuple(sorted(e.person_id for e in pr.elected)), sum(t.seats for t in pr.ties)


def wrong(p: Planted) -> bool:
    """The reported outcome of the post differs from the papers' outcome."""
    reported = tally(p.inp)
    return elected(reported, p.post) != elected(true_result(p), p.post)


def true_result(p: Planted) -> TallyResult:
    """The outcome of the papers in the boxes (as many returned as there are papers)."""
    return tally(replace(p.inp, papers=[to_paper(x) for x in p.papers], papers_returned=len(p.papers)))


@dataclass
class Run:
    evaluation: Evaluation
    drawn: int
    rounds: int
    result: TallyResult  # the reported result, or the hand count's when there was one
    plan: AuditPlan
    findings: list[Finding]  # every drawn position, in the order drawn


class Audited(Protocol):
    """What ``audit`` reads of a planted election (Planted here, test_rla_error_kinds.Case):
    the tally input of the records, the papers in the boxes by position (box A then box B),
    the record of each position (None: never recorded, so the drawn paper is a phantom's
    opposite, a paper without a record) and the boxes' sizes."""

    inp: TallyInput
    papers: list[dict[str, Any]]
    boxes: dict[str, int]

    @property
    def records(self) -> Sequence[dict[str, Any] | None]: ...


def audit(p: Audited, seed: str, risk_limit: float = 0.05) -> Run:
    """Sample, escalate, and hand count when the audit says so, like the service: the
    manifest's N is the papers in the boxes."""
    reported = tally(p.inp)
    n = len(p.papers)
    audit_plan = plan(p.inp, reported, n)
    starts = {"A": 0, "B": p.boxes["A"]}
    size = initial_size(audit_plan, risk_limit)
    findings: list[Finding] = []
    cache: dict = {}
    rounds = 0
    while True:
        rounds += 1
        # A sample as large as the boxes is a hand count: go to it without drawing.
        new = rla.draw_sample(seed, p.boxes, size - len(findings), start=len(findings) + 1) if size < n else []
        for d in new:
            i = starts[d.box] + d.position - 1
            findings.append(Finding(d.index, d.box, d.position, p.records[i], p.papers[i]))
        ev = evaluate(audit_plan, p.inp.posts, p.inp.rulebook, findings, risk_limit, cache=cache)
        if ev.status != "escalated":
            break
        size = ev.next_size
    result = reported
    if ev.status == "full_count":
        result = tally(hand_count_input(p.inp, [{"state": "found", "posts": x} for x in p.papers]))
    return Run(ev, len(findings), rounds, result, audit_plan, findings)
