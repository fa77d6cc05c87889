"""The verifier's checks of a bundle's public recount (recount.json and the papers of
recount/papers.jsonl: every counted paper encrypted with proofs, the trustees' decryption of
the totals). The cryptography is election.crypto's; this module reads the papers' lines as
they stream (each strict, canonical JSON) and says what the bundle holds to compare them
with: the records of an auditor bundle, or else the number of papers returned and the
manifest's D that were not voided, and totals.json."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from election.crypto import recount_doc
from election.crypto.group import CryptoError
from election.protocol import event_kinds as ek
from election.protocol.verify_ctx import Check, Ctx, Progress, manifests
from election.protocol.verify_read import NotCanonical, Stream, StreamError, canonical_line, parse_json

NAMES_ZH = {
    "recount_format": "公开重计格式", "recount_trustees": "受托人承诺", "recount_papers": "每张选票一份密文",
    "recount_selections": "每项为 0 或 1", "recount_seats": "不超过应选名额", "recount_invalid_posts": "无效不计票",
    "recount_decryption": "受托人解密", "recount_totals": "公开重计与票数一致",
    "recount_box_groups": "公开重计与分票箱组票数一致", "recount_sealed": "密文先于审计种子封存",
}


def recount_checks(c: Ctx) -> list[Check]:
    records = c.d.get("records.jsonl")
    if "recount.json" not in c.d:
        return [Check(NAMES_ZH["recount_format"], "recount_format", False, f"有 {recount_doc.PAPERS} 而没有 recount.json")]
    stream = c.streams.get(recount_doc.PAPERS)
    try:
        counted = [r.d for r in records] if records is not None else None
        lines = papers(stream) if stream is not None else iter(())
        if c.progress is not None:
            lines = reported(lines, c.progress, c.d["recount.json"].get("papers"))
        found = recount_doc.verify(c.d["recount.json"], lines, counted,
                                   c.d["totals.json"], _allowed(c), int(c.d["totals.json"]["returned"]),
                                   c.d["box_totals.json"], {r.d: r.box for r in records} if records is not None else None,
                                   joint_key(c))
        sealed = sealed_before_seed(c, stream)
    except Exception as exc:  # a value of a form no check foresaw is still a finding, never a traceback
        return [Check(NAMES_ZH["recount_format"], "recount_format", False, f"无法完成公开重计的检查（{type(exc).__name__}）")]
    return [*(Check(NAMES_ZH[f.name], f.name, f.ok, f.message) for f in found), sealed]


def joint_key(c: Ctx) -> object:
    """The trustees' joint key the chain's last trustees.key_published fixed (before any paper
    was printed), or None when the chain has none."""
    published = c.kind_events({ek.TRUSTEES_KEY_PUBLISHED})
    return published[-1].payload.get("joint_key") if published else None


def sample_checks(c: Ctx) -> list[Check]:
    """The audit's sampled papers decrypted by the trustees (verify_sample), their
    ciphertexts read from the papers' stream once more."""
    from election.protocol import verify_sample

    stream = c.streams.get(recount_doc.PAPERS)
    try:
        return verify_sample.sample_checks(c, papers(stream) if stream is not None else iter(()))
    except Exception as exc:  # a value of a form no check foresaw is still a finding, never a traceback
        name = "audit_sample_decryption"
        return [Check(verify_sample.NAMES_ZH[name], name, False, f"无法完成抽中选票解密的检查（{type(exc).__name__}）")]


def sealed_before_seed(c: Ctx, stream: Stream | None) -> Check:
    """recount_sealed: the ciphertexts of the bundle are those the audit's commitment sealed
    before its seed (the commitment of the round's last audit.started: its sealed head's
    commitment names SHA-256 of recount/papers.jsonl and the number of papers), so the server
    could not choose them after learning which papers the audit draws. A round not audited
    yet has nothing to order."""
    def check(ok: bool, message: str) -> Check:
        return Check(NAMES_ZH["recount_sealed"], "recount_sealed", ok, message)

    started = [e for e in c.kind_events({ek.AUDIT_STARTED}) if c.round_of(e) == c.round]
    if not started:
        return check(True, f"第 {c.round} 轮尚未开始审计，没有随机种子")
    seed = started[-1]
    by_hash = {e.hash: e for e in c.events}
    seal = by_hash.get(str(seed.payload.get("sealed")))
    commitment = by_hash.get(str(seal.payload.get("head"))) if seal is not None and seal.kind == ek.AUDIT_HEAD_SEALED else None
    if commitment is None or commitment.kind != ek.AUDIT_RECORDS_COMMITTED or not commitment.seq < seed.seq:
        return check(False, f"第 {seed.seq} 号事件的随机种子没有在它之前的封存")
    sealed = commitment.payload.get("ciphertexts")
    if not isinstance(sealed, dict):
        return check(False, f"第 {commitment.seq} 号事件（审计封存）没有封存密文：密文可能在随机种子之后才生成")
    digest = stream.sha256_hex() if stream is not None else hashlib.sha256(b"").hexdigest()
    papers = c.d["recount.json"].get("papers") if isinstance(c.d["recount.json"], dict) else None
    if sealed.get("sha256") != digest or sealed.get("papers") != papers:
        return check(False, f"{recount_doc.PAPERS} 与第 {commitment.seq} 号事件在随机种子之前封存的密文不同")
    return check(True, f"{papers} 张选票的密文在第 {commitment.seq} 号事件中封存，先于第 {seed.seq} 号事件的随机种子")


def _allowed(c: Ctx) -> set[str]:
    voided = set(c.d.get("voided.json") or ())
    return {d for m in manifests(c) for d in m["audits"]} - voided


def reported(items: Iterator[Any], progress: Progress, total: object) -> Iterator[Any]:
    """The same items; before handing on each, ``progress`` is told how many went before it
    (each checked by then), and at the end how many there were, of ``total`` (recount.json's
    count of papers; 0 when it is not a count)."""
    of = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else 0
    done = 0
    for item in items:
        progress("recount_papers", done, of)
        yield item
        done += 1
    progress("recount_papers", done, of)


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
