"""The verifier's checks of a bundle's public recount (recount.json and the papers of
recount/papers.jsonl: every counted paper encrypted with proofs, the trustees' decryption of
the totals). The cryptography is election.crypto's; this module reads the papers' lines as
they stream (each strict, canonical JSON) and says what the bundle holds to compare them
with: the records of an auditor bundle, or else the number of papers returned and the
manifest's D that were not voided, and totals.json."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from election.crypto import recount_doc
from election.crypto.group import CryptoError
from election.protocol.verify_ctx import Check, Ctx, manifests
from election.protocol.verify_read import NotCanonical, Stream, StreamError, canonical_line, parse_json

NAMES_ZH = {
    "recount_format": "公开重计格式", "recount_trustees": "受托人承诺", "recount_papers": "每张选票一份密文",
    "recount_selections": "每项为 0 或 1", "recount_seats": "不超过应选名额", "recount_invalid_posts": "无效不计票",
    "recount_decryption": "受托人解密", "recount_totals": "公开重计与票数一致",
    "recount_box_groups": "公开重计与分票箱组票数一致",
}


def recount_checks(c: Ctx) -> list[Check]:
    records = c.d.get("records.jsonl")
    if "recount.json" not in c.d:
        return [Check(NAMES_ZH["recount_format"], "recount_format", False, f"有 {recount_doc.PAPERS} 而没有 recount.json")]
    stream = c.streams.get(recount_doc.PAPERS)
    try:
        counted = [r.d for r in records] if records is not None else None
        found = recount_doc.verify(c.d["recount.json"], papers(stream) if stream is not None else iter(()), counted,
                                   c.d["totals.json"], _allowed(c), int(c.d["totals.json"]["returned"]),
                                   c.d["box_totals.json"], {r.d: r.box for r in records} if records is not None else None)
    except Exception as exc:  # a value of a form no check foresaw is still a finding, never a traceback
        return [Check(NAMES_ZH["recount_format"], "recount_format", False, f"无法完成公开重计的检查（{type(exc).__name__}）")]
    return [Check(NAMES_ZH[f.name], f.name, f.ok, f.message) for f in found]


def _allowed(c: Ctx) -> set[str]:
    voided = set(c.d.get("voided.json") or ())
    return {d for m in manifests(c) for d in m["audits"]} - voided


def papers(stream: Stream) -> Iterator[Any]:
    """The papers of recount/papers.jsonl one by one, each line strict canonical JSON."""
    n = 0
    try:
        for line in stream.lines():
            n += 1
            try:
                value = parse_json(line)
                canonical = canonical_line(value) == line + b"\n"
            except (ValueError, RecursionError, UnicodeError, NotCanonical):
                canonical = False
            if not canonical:
                raise CryptoError("recount_papers", f"{stream.name} 第 {n} 行不是规范 JSON")
            yield value
    except StreamError as exc:
        raise CryptoError("recount_papers", str(exc)) from None
