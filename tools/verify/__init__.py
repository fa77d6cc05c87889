"""The independent verifier of a published Juxuan bundle: ``python -m tools.verify
BUNDLE.zip`` (every check, ok/FAILED, exit 1 on any failure), with ``--expect-key``,
``--expect-head`` and ``--expect-office-key`` pins, ``--receipt CODE`` (one receipt's
inclusion proof, offline) and ``--recount`` (the recomputed result as JSON). Needs only
the installed package: no server, no database."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

<<<<<<< HEAD
from election.protocol.verify import Check, Pins, verify_bundle, verify_bundle_report
from election.protocol.verify_read import MAX_ZIP


def run(data: bytes, pins: Pins = Pins()) -> list[Check]:
    """Every check of the bundle (the rules' recount when it carries records)."""
    return verify_bundle(data, pins)
=======
from election.ledger.recount import tally_fn_for, write_in_problems
from election.protocol.bundle import read_bundle
from election.protocol.verify import Check, verify_bundle


def run(data: bytes) -> list[Check]:
    """Every check of the bundle, with the rules' recount when it carries records."""
    try:
        parts = read_bundle(data)
        tally = tally_fn_for(parts.totals, parts.rulebook)
        min_box = int(parts.rulebook.get("min_box_size", 30))
    except Exception:  # malformed: verify_bundle reports the format failure itself
        return verify_bundle(data, None, 30)
    return [*verify_bundle(data, tally, min_box), write_in_check(parts)]


def write_in_check(parts) -> Check:
    """Issue 15: no write-in named below the rulebook's minimum (public bundle), and with the
    auditor's records none merged into 其他（另选他人） that reached it."""
    try:
        problems = write_in_problems(parts.totals, parts.rulebook, parts.records)
    except (KeyError, TypeError, ValueError) as exc:
        problems = [f"totals.json 中另选他人的票数无法核对：{exc}"]
    minimum = parts.rulebook.get("write_in_public_min", 5)
    if problems:
        return Check("另选他人公布门槛", "write_in_minimum", False, "；".join(problems[:5]))
    return Check("另选他人公布门槛", "write_in_minimum", True,
                 f"单独列出姓名的另选他人均不少于 {minimum} 票（或已当选），其余并入“其他（另选他人）”")
>>>>>>> 68dd832 (Write-ins: a rulebook minimum (write_in_public_min, default 5); public totals, box groups, the result and tally-board events and the result notice name a write-in only at the minimum or elected, the rest merged as 其他（另选他人）; the verifier checks the minimum on the public bundle and, with the records, that no write-in reaching it was hidden)


def report(data: bytes, pins: Pins = Pins()) -> tuple[list[Check], dict[str, Any]]:
    return verify_bundle_report(data, pins)


def recount(data: bytes) -> dict[str, Any]:
    """Recomputed votes per post (overall and per box group) from the auditor bundle's records."""
    from election.protocol.verify_read import parse_members, read_zip
    from election.protocol.verify_tally import tally_input, to_paper
    from election.rules.tally_count import count_papers

    res = read_zip(data)
    if not res.problems:
        parse_members(res)
    if res.problems:
        raise ValueError("；".join(m for ms in res.problems.values() for m in ms[:2]))
    d = res.data
    if "records.jsonl" not in d:
        raise ValueError("公开公示包不含计票记录，无法重新计票；请使用审计公示包 / the public bundle has no records")
    try:
        inp = tally_input(d)
        rb = inp.rulebook

        def votes(recs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
            counts = count_papers(inp.posts, [to_paper(r["marks"]) for r in recs], rb.overvote_scope, rb.multi_post_rule)
            return {k: dict(sorted(pc.votes.items())) for k, pc in counts.posts.items()}

        recs = d["records.jsonl"]
        groups = [{"boxes": g["boxes"], "posts": votes([r for r in recs if r["box"] in set(g["boxes"])])}
                  for g in d["box_totals.json"]]
        return {"election": d["manifest.json"][0]["election"], "round": d["totals.json"]["round"],
                "returned": len(recs), "posts": votes(recs), "box_groups": groups}
    except Exception as exc:  # a malformed bundle is reported, never a traceback
        raise ValueError(f"无法重新计票：{type(exc).__name__}：{str(exc)[:200]}") from None


def format_checks(checks: Sequence[Check], facts: dict[str, Any] | None = None) -> str:
    lines = [f"[{'ok' if c.ok else 'FAILED'}] {c.name_zh} / {c.name_en}: {c.detail}" for c in checks]
    facts = facts or {}
    if facts.get("head"):
        lines.append(f"链头 / head: {facts['head']} (seq {facts.get('head_seq')})")
    if facts.get("election_key"):
        lines.append(f"选举公钥指纹 / election key: {facts['election_key']}")
    if facts.get("office_key"):
        st = facts.get("countersigned")
        what = f"head {st['head']} totals {st['totals']} date {st['date']}" if st else "NOT valid"
        lines.append(f"街道公钥指纹 / office key: {facts['office_key']}; 会签 / countersignature: {what}")
    if facts.get("receipt_proof"):
        p = facts["receipt_proof"]
        lines.append(f"回执 / receipt: R {p['r']} in box {p['box']}, root {p['root']}")
        for side, sib in p["path"]:
            lines.append(f"  {side} {sib}")
    failed = sum(1 for c in checks if not c.ok)
    lines.append("全部检查通过 / all checks passed" if not failed else f"{failed} 项检查未通过 / {failed} check(s) FAILED")
    return "\n".join(lines)


def read_bounded(path: str) -> bytes:
    """The bundle file, never more than the verifier's bound (one byte over fails zip_size)."""
    with open(path, "rb") as fh:
        return fh.read(MAX_ZIP + 1)


def as_json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
