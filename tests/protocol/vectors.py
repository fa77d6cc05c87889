"""docs/vectors: a small election's bundles and every intermediate value a second
implementation needs (receipt and audit hashes, manifest digest, Merkle roots and one
inclusion proof, each event's hash with its canonical body, each file's SHA-256, the head
and result statements with their signatures). Deterministic: keys and codes come from a
seeded generator, Ed25519 signatures are deterministic, the zip has fixed timestamps.

``python -m tests.protocol.vectors docs/vectors`` rewrites them; a test checks the
committed files equal what this makes, and that both verifiers pass them."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from election.protocol import bundle, codes, merkle, rla, signing
from election.protocol.canonical import canonical_json, digest, sha256_hex
from tests.protocol.builder import build

SEED = 23


def make() -> dict[str, bytes]:
    built = build(seed=SEED)
    parts = built.parts
    auditor = bundle.write_bundle(parts)
    public = bundle.write_bundle(bundle.public(parts))
    files = bundle.render(parts)
    r0 = parts.deposits["A"][0]
    t0 = built.receipt_codes[r0]
    tree = merkle.build(parts.deposits["A"])
    values: dict[str, Any] = {
        "election": parts.election_id,
        "election_key": signing.fingerprint(built.key.public_key()),
        "office_key": signing.fingerprint(built.office.public_key()),
        "receipt_example": {
            "code_hex": t0.hex(), "compact": codes.compact(t0), "human": codes.human(t0), "R": r0,
            "box": "A", "index": tree.index_of(r0), "proof": [list(p) for p in tree.proof(tree.index_of(r0))],
            "box_root": tree.root,
        },
        "manifest_digests": [m.digest for m in parts.manifests],
        "merkle_roots": {b: merkle.root(rs) for b, rs in sorted(parts.deposits.items())},
        "merkle_root_all": merkle.root([r for rs in parts.deposits.values() for r in rs]),
        "rulebook_digest": digest(parts.rulebook),
        "events": [{"seq": e.seq, "kind": e.kind, "hash": e.hash,
                    "body_canonical": canonical_json({"at": e.at, "kind": e.kind, "payload": e.payload,
                                                      "prev": e.prev_hash, "seq": e.seq}).decode("utf-8")}
                   for e in parts.chain],
        "files_sha256": {n: sha256_hex(b) for n, b in sorted(files.items())},
        "head_statement_canonical": canonical_json(parts.head_sig.statement).decode("utf-8") if parts.head_sig else "",
        "head_signature": parts.head_sig.signature if parts.head_sig else "",
        "result_statement_canonical": canonical_json(parts.countersignature.statement).decode("utf-8")
        if parts.countersignature else "",
        "zip_sha256": {"auditor.zip": sha256_hex(auditor), "public.zip": sha256_hex(public)},
        # The audit's seed from two contributions (PROTOCOL §8, docs/AUDIT.md §3) and its first draws.
        "audit_seed_example": _seed_example(),
        "canonical_examples": [
            {"value": {"b": 1, "a": [True, None, "居选"], "\u00e9": "\n\u0001\"\\"},
             "bytes": canonical_json({"b": 1, "a": [True, None, "居选"], "\u00e9": "\n\u0001\"\\"}).decode("utf-8")},
            {"value": {"\U0001f600": 1, "\uffff": 2}, "bytes": canonical_json({"\U0001f600": 1, "\uffff": 2}).decode("utf-8")},
        ],
    }
    return {
        "auditor.zip": auditor,
        "public.zip": public,
        "vectors.json": json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n",
    }


def _seed_example() -> dict[str, Any]:
    secret, dice, manifest = "1414 2135 6237 3095 0488", "6543 2156 4321 5613 2465", {"A": 40, "B": 45, "C": 0}
    seed = rla.combined_seed(dice, secret)
    return {"secret": secret, "dice": dice, "commitment": rla.seed_commitment(secret), "seed": seed, "manifest": manifest,
            "draws": [[d.box, d.position] for d in rla.draw_sample(seed, manifest, 5)]}


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, blob in make().items():
        (out / name).write_bytes(blob)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/vectors")
