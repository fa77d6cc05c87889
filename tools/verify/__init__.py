"""The independent verifier of a published Juxuan bundle: ``python -m tools.verify
BUNDLE.zip`` (every check, ok/FAILED, exit 1 on any failure), with ``--expect-key``,
``--expect-head`` and ``--expect-office-key`` pins, ``--receipt CODE`` (one receipt's
inclusion proof, offline) and ``--recount`` (the recomputed result by post title and
name; as JSON with ``--json``). Needs only
the installed package: no server, no database."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from election.protocol.verify import Check, Pins, verify_bundle, verify_bundle_report
from election.protocol.verify_ctx import Progress
from election.protocol.verify_read import MAX_ZIP


def run(data: bytes, pins: Pins = Pins()) -> list[Check]:
    """Every check of the bundle (the rules' recount when it carries records)."""
    return verify_bundle(data, pins)


def report(data: bytes, pins: Pins = Pins(), progress: Progress | None = None) -> tuple[list[Check], dict[str, Any]]:
    return verify_bundle_report(data, pins, progress)


class ProgressLines:
    """A line on ``out`` (stderr) at most every ``every`` seconds while the public recount's
    papers are checked (minutes for thousands of papers), and one when they are all checked
    if any line was written before: stdout keeps the checks alone."""

    def __init__(self, out: TextIO, every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.out, self.every, self.clock = out, every, clock
        self.started: float | None = None
        self.last = 0.0
        self.written = False

    def __call__(self, what: str, done: int, of: int) -> None:
        now = self.clock()
        if self.started is None:
            self.started = self.last = now
        finished = of > 0 and done >= of
        if now - self.last < self.every and not (finished and self.written):
            return
        self.last, self.written = now, True
        share = f"（{100 * done // of}%）" if of > 0 else ""
        seconds = round(now - self.started)
        print(f"公开重计：已核对 {done}/{of} 张选票的密文{share}，用时 {seconds} 秒 / "
              f"public recount: {done} of {of} papers checked, {seconds} s", file=self.out, flush=True)


def recount(data: bytes) -> dict[str, Any]:
    """Recomputed votes per post (overall and per box group) from the auditor bundle's records."""
    from election.protocol.verify_read import parse_members, read_zip
    from election.protocol.verify_tally import count_boxes, sum_counts, tally_input
    from election.rules.tally_count import Counts

    res = read_zip(data)
    if not res.problems:
        parse_members(res)
    if res.problems:
        raise ValueError("；".join(m for ms in res.problems.values() for m in ms[:2]))
    d = res.data
    if "records.jsonl" not in d:
        raise ValueError("公开公示包不含计票记录，无法重新计票；请使用审计公示包 / the public bundle has no records")
    try:
        recs = d["records.jsonl"]
        per_box, keys = count_boxes(tally_input(d), recs)  # each box counted once, groups and total summed

        def votes(boxes: Any) -> dict[str, dict[str, int]]:
            counts: Counts = sum_counts((per_box[b] for b in boxes if b in per_box), keys)
            return {k: dict(sorted(pc.votes.items())) for k, pc in counts.posts.items()}

        groups = [{"boxes": g["boxes"], "posts": votes(set(g["boxes"]))} for g in d["box_totals.json"]]
        return {"election": d["manifest.json"][0]["election"], "round": d["totals.json"]["round"],
                "returned": len(recs), "posts": votes(per_box), "box_groups": groups, **_labels(d["tally_input.json"])}
    except Exception as exc:  # a malformed bundle is reported, never a traceback
        raise ValueError(f"无法重新计票：{type(exc).__name__}：{str(exc)[:200]}") from None


def _labels(ti: dict[str, Any]) -> dict[str, Any]:
    """The names the bundle's tally_input.json publishes beside its ids: each post's title and
    each candidate's (and named write-in's) name, so the recount reads as the result notice does."""
    titles = {p["key"]: p.get("title") or p["key"] for p in ti.get("posts", []) if isinstance(p, dict) and "key" in p}
    names: dict[str, str] = {}
    for entry in [*ti.get("candidates", []), *ti.get("write_ins", [])]:
        if isinstance(entry, dict):
            who = entry.get("id", entry.get("person"))
            if who is not None and isinstance(entry.get("name"), str):
                names.setdefault(str(who), entry["name"])
    return {"titles": titles, "names": names}


def format_recount(result: dict[str, Any]) -> str:
    """The recomputed votes for a reader: each post by its title, each person by name (the id
    the bundle uses in brackets), most votes first; then each box group the same way."""
    titles, names = result.get("titles", {}), result.get("names", {})

    def post_lines(posts: dict[str, dict[str, int]], indent: str) -> list[str]:
        lines = []
        for key in [k for k in titles if k in posts] + sorted(k for k in posts if k not in titles):
            lines.append(f"{indent}{titles.get(key, key)}（{key}）")
            for who, n in sorted(posts[key].items(), key=lambda kv: (-kv[1], kv[0])):
                label = f"{names[who]}（{who}）" if who in names else who
                lines.append(f"{indent}  {label}：{n} 票 / {n} votes")
        return lines

    out = [f"{result['election']} 第 {result['round']} 轮按 {result['returned']} 条计票记录重新计票 / "
           f"round {result['round']} recounted from {result['returned']} records"]
    out += post_lines(result["posts"], "")
    for group in result.get("box_groups", []):
        boxes = "、".join(group["boxes"])
        out.append(f"票箱组 {boxes} / box group {', '.join(group['boxes'])}")
        out += post_lines(group["posts"], "  ")
    return "\n".join(out)


def format_checks(checks: Sequence[Check], facts: dict[str, Any] | None = None) -> str:
    lines = [f"[{'ok' if c.ok else 'FAILED'}] {c.name_zh} / {c.name_en}: {c.detail}" for c in checks]
    facts = facts or {}
    if facts.get("head"):
        lines.append(f"链头 / head: {facts['head']}（序号 / seq {facts.get('head_seq')}）")
    if facts.get("election_key"):
        lines.append(f"选举公钥指纹 / election key: {facts['election_key']}")
    if facts.get("office_key"):
        st = facts.get("countersigned")
        what = (f"链头 / head {st['head']}，totals.json {st['totals']}，日期 / date {st['date']}" if st
                else "无效 / NOT valid")
        lines.append(f"街道公钥指纹 / office key: {facts['office_key']}; 会签 / countersignature: {what}")
    if facts.get("receipt_proof"):
        p = facts["receipt_proof"]
        lines.append(f"回执 / receipt: R {p['r']} 在票箱 {p['box']} 中 / in box {p['box']}，默克尔根 / root {p['root']}")
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
