"""Random audits for the two audit recomputations (the check `audit_recompute`): each case is
what an auditor bundle carries for it — tally_input.json, rulebook.json, the records and one
audit of audit.json with its draws and findings — and the evaluation of the Python verifier's
path (rla_check: the records' tally, rla_assert.plan with the manifest's N, rla_audit.evaluate).
The browser verifier's tools/verify/web/juxuan-audit.js must reach the same status, the same
assertions with the same risks, discrepancy counts and sizes, and the same posts to hand count.

Two sources, both seeded: the planted elections of tests/audit/planted.py (a reported outcome
made wrong in the records: thresholds, the run-off floor, ties, write-ins, the beijing and
zhejiang rules), and the random tally scenarios of tests/protocol/tally_cases.py with papers
made from their counts (reserved seats, near relatives, prior winners, the woman member,
recalls and motions). The papers drawn are entered as their records, or changed: a vote
dropped or added, a write-in, a post unreadable, no paper at the position. A third of the
audits compare with the trustees' decryption of each drawn record instead (docs/AUDIT.md §7:
the recount's labels, write-ins a number without names), recount.json's listed persons given."""
from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from election.protocol import rla
from election.protocol.rla_assert import plan, to_paper
from election.protocol.rla_audit import MISSING, Finding, evaluate, paper_labels
from election.protocol.verify_tally import tally_input
from election.rules.scenario import input_to_dict
from election.rules.tally import tally
from election.rules.tally_types import TallyInputError

SEED_DIGITS = "27182818284590452353"


def _records(papers: list[dict[str, Any]], cut: int) -> list[dict[str, Any]]:
    """The papers as records: D in the order the papers lie, box A then box B."""
    return [{"d": f"{i:064x}", "box": "A" if i < cut else "B", "marks": m} for i, m in enumerate(papers)]


def _changed(rng: random.Random, marks: dict[str, Any], people: list[str]) -> dict[str, Any] | None:
    """A drawn paper that differs from its record (None: no paper at the position)."""
    way = rng.choice(["drop", "add", "write_in", "unreadable", "missing"])
    if way == "missing" or not marks:
        return None
    out = {k: dict(v) for k, v in marks.items()}
    post = rng.choice(sorted(out))
    m = out[post]
    if way == "drop" and m.get("approve"):
        m["approve"] = sorted(m["approve"])[1:]
    elif way == "add":
        m["approve"] = sorted({*m.get("approve", []), rng.choice(people)})
    elif way == "write_in":
        m["write_ins"] = ["x9"]
    else:
        m["unreadable"] = True
    return out


def _audit(rng: random.Random, records: list[dict[str, Any]], cut: int, originals: list[dict[str, Any]] | None,
           people: list[str]) -> dict[str, Any]:
    """One audit: k draws from the seed, each paper as its record (or the true paper of a
    planted election), now and then changed; sometimes the last draws not entered yet. The
    manifest counts the papers (a planted election may hold more records than papers)."""
    n = len(originals) if originals is not None else len(records)
    manifest = {"A": cut, "B": n - cut} if cut < n else {"A": n}
    k = rng.choice([0, 3, 10, 25, 60, 150])
    draws = rla.draw_sample(SEED_DIGITS, manifest, k) if n and k else []
    start = {"A": 0, "B": cut}
    findings = []
    for d in draws[:k - rng.choice([0, 0, 0, 2])]:
        i = start[d.box] + d.position - 1
        paper: dict[str, Any] | None = (originals or [r["marks"] for r in records])[i]
        if rng.random() < 0.08:
            paper = _changed(rng, paper or {}, people)
        elif rng.random() < 0.02:  # a D of the other box: no record of it in the drawn box
            i = (i + cut) % n
        findings.append({"index": d.index, "d": records[i]["d"],
                         "paper": {"state": MISSING} if paper is None else {"state": "found", "posts": paper}})
    return {"id": 1, "seed": SEED_DIGITS, "risk_limit": rng.choice(["1/20", "1/10", "1/100"]), "manifest": manifest,
            "draws": [[d.box, d.position] for d in draws], "findings": findings, "status": "open"}


def evaluation(case: dict[str, Any]) -> dict[str, Any]:
    """The Python verifier's evaluation of the case's audit (rla_check._recompute's steps)."""
    d = {"tally_input.json": case["tally_input"], "rulebook.json": case["rulebook"],
         "totals.json": {"returned": len(case["records"])}}
    a = case["audit"]
    try:
        spec = tally_input(d)
        inp = replace(spec, papers=[to_paper(r["marks"]) for r in case["records"]], papers_returned=len(case["records"]))
        result = tally(inp)
        n = sum(a["manifest"].values())
        audit_plan = plan(inp, result, n)
        by_d = {r["d"]: r for r in case["records"]}
        findings = []
        for f in a["findings"]:
            box, position = a["draws"][f["index"] - 1]
            rec = by_d.get(f["d"])
            paper = f["paper"]
            findings.append(Finding(f["index"], box, position, rec["marks"] if rec and rec["box"] == box else None,
                                    None if paper["state"] == MISSING else paper["posts"]))
        num, _, den = a["risk_limit"].partition("/")
        listed = {s["key"]: s["listed"] for s in case["recount"]["shapes"]} if "decryption" in a else None
        if listed is not None:
            findings = [replace(f, vector=g["record"]) for f, g in zip(findings, a["findings"], strict=True)]
        ev = evaluate(audit_plan, inp.posts, spec.rulebook, findings, int(num) / int(den), listed=listed)
    except (TallyInputError, ValueError, KeyError):
        return {"refused": True}
    return {"status": ev.status, "next": ev.next_size, "hand": sorted(ev.hand_count),
            "risks": sorted([r.assertion.kind, r.assertion.post, r.assertion.a, r.assertion.b, r.assertion.m, r.risk,
                             r.need, [r.o1, r.o2, r.u1, r.u2]] for r in ev.risks)}


def planted_cases(per_kind: int) -> list[dict[str, Any]]:
    from tests.audit.planted import KINDS, build

    out = []
    for kind in KINDS:
        for i in range(per_kind):
            p = build(kind, i)
            rng = random.Random(f"audit/{kind}/{i}")
            cut = p.boxes["A"]
            records = _records(p.records, cut)
            ti = input_to_dict(replace(p.inp, papers=[]), papers=False)
            ti.pop("rulebook")
            people = sorted({c.person_id for c in p.inp.candidates})
            out.append({"name": f"planted/{kind}/{i}", "tally_input": ti, "rulebook": p.inp.rulebook.to_dict(),
                        "records": records, "audit": _audit(rng, records, cut, p.papers, people)})
    return out


def _papers_from_counts(sc: dict[str, Any]) -> list[dict[str, Any]]:
    """Papers whose count gives a tally scenario's votes (every post valid on every paper;
    a question's 不同意 as oppositions): each person's approvals laid round the papers in
    turn, so no paper approves more than its seats."""
    n = sc["totals"]["returned"]
    papers: list[dict[str, Any]] = [{} for _ in range(n)]
    if not n:
        return papers
    seats = {p["key"]: p["seats"] for p in sc["tally_input"]["posts"]}
    for post, votes in sc["totals"]["posts"].items():
        at = 0
        for person, v in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if person == "其他（另选他人）" or not v:
                continue
            for j in range(min(v, n)):
                m = papers[(at + j) % n].setdefault(post, {"approve": []})
                if len(m["approve"]) < seats.get(post, 1):
                    m["approve"].append(person)
            at = (at + v) % n
        opposed = sc["totals"]["counts"]["posts"].get(post, {}).get("opposed", {})
        for person, v in opposed.items():
            free = [p for p in papers if person not in p.get(post, {}).get("approve", [])]
            for p in free[:v]:
                p.setdefault(post, {"approve": []}).setdefault("oppose", []).append(person)
    return papers


def scenario_cases(n: int, seed: int = 41) -> list[dict[str, Any]]:
    from tests.protocol.tally_cases import cases as tally_cases

    out = []
    for sc in tally_cases(n, seed=seed):
        if sc["python"].get("refused") or not isinstance(sc["totals"].get("returned"), int):
            continue
        rng = random.Random(f"audit/{sc['name']}")
        papers = _papers_from_counts(sc)
        cut = len(papers) * 3 // 5
        records = _records(papers, cut)
        people = sorted({c["person"] for c in sc["tally_input"].get("candidates", [])} | {"x9"})
        out.append({"name": f"scenario/{sc['name']}", "tally_input": sc["tally_input"], "rulebook": sc["rulebook"],
                    "records": records, "audit": _audit(rng, records, cut, None, people)})
    return out


def _decrypted(case: dict[str, Any]) -> None:
    """The audit compared with the trustees' decryption of each drawn record: the record's
    labels by the count's rules, listed persons per post in the candidates' order (null where
    no record of the D lies in the drawn box)."""
    d = {"tally_input.json": case["tally_input"], "rulebook.json": case["rulebook"],
         "totals.json": {"returned": len(case["records"])}}
    try:
        spec = tally_input(d)
    except ValueError:
        return
    listed = {p.key: [c.person_id for c in spec.candidates if c.post == p.key] for p in spec.posts}
    a = case["audit"]
    by_d = {r["d"]: r for r in case["records"]}
    for f in a["findings"]:
        rec = by_d[f["d"]]
        try:
            f["record"] = paper_labels(rec["marks"], spec.posts, listed, spec.rulebook) \
                if rec["box"] == a["draws"][f["index"] - 1][0] else None
        except TallyInputError:
            f["record"] = None
    a["decryption"] = {"decrypted": {}, "partials": []}
    case["recount"] = {"shapes": [{"key": p.key, "seats": p.seats, "candidates": len(listed[p.key]),
                                   "listed": listed[p.key]} for p in spec.posts]}


def cases(planted_per_kind: int = 4, scenarios: int = 400) -> list[dict[str, Any]]:
    out = planted_cases(planted_per_kind) + scenario_cases(scenarios)
    for i, c in enumerate(out):
        if i % 3 == 2:
            _decrypted(c)
        c["python"] = evaluation(c)
    return out
