"""The append-only hash chain of election events, from a genesis entry to the closing
entry. Each event commits to its predecessor's hash; the signed head commits to all.

Timestamps are whatever the caller puts in ``at``: for deposits the caller must pass no
more than the date and hour (DESIGN.md, deposit step 3), so nothing here reads a clock.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from election.protocol import event_kinds as ek
from election.protocol.canonical import canonical_json
from election.protocol.findings import Finding

EVENT_TAG = b"juxuan/event/v1\n"
ZERO_HASH = "0" * 64
# The genesis names the protocol: v2 is v1 with every event kind renamed to one scheme
# (election/protocol/event_kinds.py); a v1 chain is not read as v2.
PROTOCOL = "juxuan/v2"


@dataclass(frozen=True)
class Event:
    """One ledger entry. ``payload`` is a JSON-safe dict (no floats)."""

    seq: int
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    at: str | None
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "payload": self.payload,
            "prev": self.prev_hash,
            "at": self.at,
            "hash": self.hash,
        }


def event_hash(seq: int, kind: str, payload: dict[str, Any], prev_hash: str, at: str | None) -> str:
    """SHA-256("juxuan/event/v1\\n" | canonical_json({at, kind, payload, prev, seq}))."""
    body = {"seq": seq, "kind": kind, "payload": payload, "prev": prev_hash, "at": at}
    return hashlib.sha256(EVENT_TAG + canonical_json(body)).hexdigest()


def _make(seq: int, kind: str, payload: dict[str, Any], prev_hash: str, at: str | None) -> Event:
    return Event(seq, kind, payload, prev_hash, at, event_hash(seq, kind, payload, prev_hash, at))


def hour_stamp(moment: datetime) -> str:
    """Date and hour only (``2026-11-23T09``): the finest time a deposit may carry."""
    return moment.strftime("%Y-%m-%dT%H")


def genesis(
    election_id: str,
    rulebook_fingerprint: str,
    roll_fingerprint: str,
    key_fingerprint: str = "",
    at: str | None = None,
) -> Event:
    """Event 0: fixes the election, its rulebook, its voter roll and the signing key."""
    payload = {
        "protocol": PROTOCOL,
        "election": election_id,
        "rulebook": rulebook_fingerprint,
        "roll": roll_fingerprint,
        "key": key_fingerprint,
    }
    return _make(0, ek.LEDGER_CHAIN_STARTED, payload, ZERO_HASH, at)


def append(prev: Event, kind: str, payload: dict[str, Any], at: str | None = None) -> Event:
    """The event following ``prev``."""
    if kind == ek.LEDGER_CHAIN_STARTED:
        raise ValueError(f"只能有一个创世记录（{ek.LEDGER_CHAIN_STARTED}），不能追加第二个")
    return _make(prev.seq + 1, kind, payload, prev.hash, at)


def verify_chain(events: Sequence[Event]) -> list[Finding]:
    """Check genesis, sequence numbers, links and hashes; stops at the first bad event,
    since every later link depends on it. An empty list means the chain is sound."""
    if not events:
        return [Finding("chain.empty", "事件链为空，缺少创世记录")]
    first = events[0]
    if first.seq != 0 or first.kind != ek.LEDGER_CHAIN_STARTED or first.prev_hash != ZERO_HASH:
        return [Finding("chain.genesis", f"第 0 号事件应为创世记录（{ek.LEDGER_CHAIN_STARTED}），"
                                         f"实际为序号 {first.seq}、类型“{first.kind}”", "0")]
    if first.payload.get("protocol") != PROTOCOL:
        return [Finding("chain.protocol", f"创世记录的协议版本为“{first.payload.get('protocol')}”，"
                                          f"本核验程序读取的是“{PROTOCOL}”（事件类型的命名不同）", "0")]
    prev: Event | None = None
    for ev in events:
        where = str(ev.seq)
        if prev is not None:
            if ev.seq != prev.seq + 1:
                return [Finding("chain.seq", f"事件序号错乱：序号 {prev.seq} 之后应为 {prev.seq + 1}，实际为 {ev.seq}", where)]
            if ev.kind == ek.LEDGER_CHAIN_STARTED:
                return [Finding("chain.genesis", f"第 {ev.seq} 号事件是第二个创世记录", where)]
            if ev.prev_hash != prev.hash:
                return [Finding("chain.link", f"第 {ev.seq} 号事件的前一哈希与第 {prev.seq} 号事件的哈希不符（链条断裂）", where)]
        if event_hash(ev.seq, ev.kind, ev.payload, ev.prev_hash, ev.at) != ev.hash:
            return [Finding("chain.hash", f"第 {ev.seq} 号事件（{ev.kind}）的哈希与内容不符，内容被改动过", where)]
        prev = ev
    return []


def to_jsonl(events: Sequence[Event]) -> bytes:
    """One canonical JSON object per line, in sequence order."""
    return b"".join(canonical_json(e.to_json()) + b"\n" for e in events)


def from_jsonl(data: bytes) -> list[Event]:
    """Parse chain.jsonl; raises ValueError (Chinese, with line number) on a malformed line."""
    events: list[Event] = []
    for n, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
            events.append(Event(int(o["seq"]), str(o["kind"]), dict(o["payload"]), str(o["prev"]), o["at"], str(o["hash"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"chain.jsonl 第 {n} 行格式错误：{exc}") from exc
    return events
