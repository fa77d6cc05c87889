"""The published bundle: a zip of JSON files whose every byte is covered by the signed
chain (a ``ledger.bundle_exported`` event lists each file's SHA-256). Public bundle for everyone;
the auditor bundle (street office only) adds records.jsonl and audit.json.

Pure: bytes in, bytes out. The layout of every file is in docs/PROTOCOL.md §6.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from election.protocol import chain as chain_mod
from election.protocol import event_kinds as ek
from election.protocol import merkle, signing
from election.protocol.canonical import canonical_json, sha256_hex
from election.protocol.chain import Event
from election.protocol.manifest import Manifest

MIN_BOX_SIZE = 30

# Files that authenticate themselves (the chain, the signature over its head, the office's
# countersignature and key) are not listed in the index; all others are.
SELF_AUTHENTICATING = frozenset({"chain.jsonl", "head.sig", "countersign.json", "office_key.pem"})
AUDITOR_ONLY = frozenset({"records.jsonl", "audit.json"})


@dataclass(frozen=True)
class Record:
    """One counted paper: its audit hash D, its box and its marks (JSON-safe, per post)."""

    d: str
    box: str
    marks: dict[str, Any]


@dataclass(frozen=True)
class BoxInfo:
    station: str
    records: int


@dataclass(frozen=True)
class BundleParts:
    election_id: str
    manifests: tuple[Manifest, ...]
    deposits: Mapping[str, tuple[str, ...]]  # box -> R deposited
    boxes: Mapping[str, BoxInfo]
    issuance: Mapping[str, int]  # station -> papers issued
    spoiled: tuple[str, ...]  # R of spoiled papers
    unused: tuple[str, ...]  # R of unused papers
    rulebook: dict[str, Any]
    totals: dict[str, Any]  # {"returned": N, "posts": {post: {candidate: votes}}, "result": ...}
    box_totals: tuple[dict[str, Any], ...]  # [{"boxes": [...], "papers": n, "posts": {...}}]
    chain: tuple[Event, ...]
    election_key_pem: bytes
    head_sig: signing.SignedStatement | None = None
    countersignature: signing.SignedStatement | None = None
    office_key_pem: bytes | None = None
    records: tuple[Record, ...] | None = None
    audit: dict[str, Any] | None = None
    voided: tuple[str, ...] = ()  # D of the spoiled and unused papers' bodies
    tally_input: dict[str, Any] | None = None  # docs/TALLY.md scenario without papers
    extra: Mapping[str, bytes] = field(default_factory=dict)  # raw files kept as read
    # Who holds which seat from when to when, and the vacant seats (issue 20): written once a
    # result is published; checked against the chain by verify_between's `composition`.
    composition: dict[str, Any] | None = None


def group_boxes(papers: Mapping[str, int], min_size: int = MIN_BOX_SIZE) -> list[list[str]]:
    """Boxes in sorted order; a box below ``min_size`` is merged with its neighbours until
    the group reaches it, and a short last group joins the previous one, so no published
    per-box total covers fewer than ``min_size`` papers (unless the whole election does)."""
    groups: list[list[str]] = []
    current: list[str] = []
    count = 0
    for b in sorted(papers):
        current.append(b)
        count += papers[b]
        if count >= min_size:
            groups.append(current)
            current, count = [], 0
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def deposits_json(deposits: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    everything: list[str] = []
    boxes = {}
    for b in sorted(deposits):
        t = merkle.build(deposits[b])
        boxes[b] = {"count": len(t.leaves), "root": t.root, "receipts": list(t.leaves)}
        everything.extend(t.leaves)
    return {"type": "juxuan/deposits/v1", "root": merkle.root(everything), "boxes": boxes}


def _json(value: Any) -> bytes:
    return canonical_json(value) + b"\n"


def render(parts: BundleParts) -> dict[str, bytes]:
    """Every file of the bundle as bytes (canonical JSON, one trailing newline)."""
    files: dict[str, bytes] = {
        "manifest.json": _json([m.to_json() for m in parts.manifests]),
        "deposits.json": _json(deposits_json(parts.deposits)),
        "boxes.json": _json({b: {"station": i.station, "deposited": len(parts.deposits.get(b, ())), "records": i.records}
                             for b, i in sorted(parts.boxes.items())}),
        "issuance.json": _json(dict(parts.issuance)),
        "spoiled.json": _json(sorted(parts.spoiled)),
        "unused.json": _json(sorted(parts.unused)),
        "voided.json": _json(sorted(parts.voided)),
        "rulebook.json": _json(parts.rulebook),
        "totals.json": _json(parts.totals),
        "box_totals.json": _json(list(parts.box_totals)),
        "chain.jsonl": chain_mod.to_jsonl(parts.chain),
        "election_key.pem": parts.election_key_pem,
    }
    if parts.tally_input is not None:
        files["tally_input.json"] = _json(parts.tally_input)
    if parts.composition is not None:
        files["composition.json"] = _json(parts.composition)
    if parts.head_sig is not None:
        files["head.sig"] = _json(parts.head_sig.to_json())
    if parts.countersignature is not None:
        files["countersign.json"] = _json(parts.countersignature.to_json())
    if parts.office_key_pem is not None:
        files["office_key.pem"] = parts.office_key_pem
    if parts.records is not None:
        # Sorted by D: the order of counting must not survive into the bundle.
        files["records.jsonl"] = b"".join(
            canonical_json({"d": r.d, "box": r.box, "marks": r.marks}) + b"\n" for r in sorted(parts.records, key=lambda r: r.d)
        )
    if parts.audit is not None:
        files["audit.json"] = _json(parts.audit)
    files.update(parts.extra)
    return files


def index_payload(files: Mapping[str, bytes]) -> dict[str, Any]:
    listed = {n: sha256_hex(b) for n, b in sorted(files.items()) if n not in SELF_AUTHENTICATING}
    out: dict[str, Any] = {"files": listed, "auditor_only": sorted(n for n in listed if n in AUDITOR_ONLY)}
    try:  # the round the sealed files are of, so a verifier compares one round's seals only
        out["round"] = int(json.loads(files["totals.json"]).get("round", 1))
    except (KeyError, ValueError, TypeError, AttributeError):
        pass
    return out


def seal_files(files: Mapping[str, bytes], key: Ed25519PrivateKey, date: str, at: str | None = None) -> dict[str, bytes]:
    """Append a ``ledger.bundle_exported`` event covering every listed file to chain.jsonl, then sign
    the new head into head.sig. A countersignature over an older head is dropped."""
    events = chain_mod.from_jsonl(files["chain.jsonl"])
    ev = chain_mod.append(events[-1], ek.LEDGER_BUNDLE_EXPORTED, index_payload(files), at)
    election = str(events[0].payload.get("election", ""))
    sig = signing.sign(key, signing.head_statement(election, ev.seq, ev.hash, date))
    out = {n: b for n, b in files.items() if n not in ("countersign.json", "office_key.pem")}
    out["chain.jsonl"] = chain_mod.to_jsonl([*events, ev])
    out["head.sig"] = _json(sig.to_json())
    return out


def seal(parts: BundleParts, key: Ed25519PrivateKey, date: str, at: str | None = None) -> BundleParts:
    """Append a ``ledger.bundle_exported`` event covering every file, then sign the new head."""
    files = render(replace(parts, head_sig=None, countersignature=None, office_key_pem=None))
    return parts_from_files(seal_files(files, key, date, at))


def countersign(parts: BundleParts, office_key: Ed25519PrivateKey, date: str) -> BundleParts:
    """The street office's signature over the result (totals.json bytes) at the signed head."""
    head = parts.chain[-1].hash
    totals = sha256_hex(render(parts)["totals.json"])
    st = signing.result_statement(parts.election_id, head, totals, date)
    return replace(
        parts,
        countersignature=signing.sign(office_key, st),
        office_key_pem=signing.public_key_to_pem(office_key.public_key()),
    )


def public(parts: BundleParts) -> BundleParts:
    """The public bundle: the auditor bundle without records and audit."""
    return replace(parts, records=None, audit=None)


def write_files(files: Mapping[str, bytes]) -> bytes:
    """A deterministic zip: sorted names, fixed timestamps, deflate."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    return buf.getvalue()


def read_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_bundle(parts: BundleParts) -> bytes:
    return write_files(render(parts))


def _load(files: Mapping[str, bytes], name: str) -> Any:
    return json.loads(files[name].decode("utf-8"))


def parse_records(data: bytes) -> tuple[Record, ...]:
    out = []
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            o = json.loads(line)
            out.append(Record(str(o["d"]), str(o["box"]), dict(o["marks"])))
    return tuple(out)


def parts_from_files(files: Mapping[str, bytes]) -> BundleParts:
    """Parse the files; raises ValueError/KeyError on a malformed bundle."""
    manifests = tuple(Manifest.from_json(o) for o in _load(files, "manifest.json"))
    dep = _load(files, "deposits.json")
    boxes = {b: BoxInfo(str(o["station"]), int(o["records"])) for b, o in _load(files, "boxes.json").items()}
    known = {
        "manifest.json", "deposits.json", "boxes.json", "issuance.json", "spoiled.json", "unused.json",
        "rulebook.json", "totals.json", "box_totals.json", "chain.jsonl", "election_key.pem", "head.sig",
        "countersign.json", "office_key.pem", "records.jsonl", "audit.json", "voided.json", "tally_input.json",
        "composition.json",
    }
    return BundleParts(
        election_id=manifests[0].election_id if manifests else "",
        manifests=manifests,
        deposits={b: tuple(o["receipts"]) for b, o in dep["boxes"].items()},
        boxes=boxes,
        issuance={k: int(v) for k, v in _load(files, "issuance.json").items()},
        spoiled=tuple(_load(files, "spoiled.json")),
        unused=tuple(_load(files, "unused.json")),
        rulebook=_load(files, "rulebook.json"),
        totals=_load(files, "totals.json"),
        box_totals=tuple(_load(files, "box_totals.json")),
        chain=tuple(chain_mod.from_jsonl(files["chain.jsonl"])),
        election_key_pem=files["election_key.pem"],
        head_sig=signing.SignedStatement.from_json(_load(files, "head.sig")) if "head.sig" in files else None,
        countersignature=signing.SignedStatement.from_json(_load(files, "countersign.json")) if "countersign.json" in files else None,
        office_key_pem=files.get("office_key.pem"),
        records=parse_records(files["records.jsonl"]) if "records.jsonl" in files else None,
        audit=_load(files, "audit.json") if "audit.json" in files else None,
        voided=tuple(_load(files, "voided.json")) if "voided.json" in files else (),
        tally_input=_load(files, "tally_input.json") if "tally_input.json" in files else None,
        composition=_load(files, "composition.json") if "composition.json" in files else None,
        extra={n: b for n, b in files.items() if n not in known},
    )


def read_bundle(data: bytes) -> BundleParts:
    return parts_from_files(read_files(data))
