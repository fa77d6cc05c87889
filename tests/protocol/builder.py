"""Builds a small but complete election bundle for the protocol tests: three boxes at two
stations, 100 printed papers, real codes, keys, chain, signatures and an audit sample."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from election.protocol import bundle, chain, codes, rla, signing
from election.protocol.bundle import BoxInfo, BundleParts, Record
from election.protocol.canonical import digest
from election.protocol.manifest import make_manifest

ELECTION = "E-2026-朝阳-001"
SEED = "31415926535897932384626"
POSTS = {"主任": ["张三", "李四"], "委员": ["王五", "赵六", "钱七", "孙八"]}


def tally(records: Sequence[Record]) -> dict[str, dict[str, int]]:
    """A minimal approval tally for the tests (the real one is election.rules)."""
    out: dict[str, Counter[str]] = {p: Counter({c: 0 for c in cs}) for p, cs in POSTS.items()}
    for r in records:
        for post, names in r.marks.items():
            out[post].update(names)
    return {p: dict(c) for p, c in out.items()}


@dataclass
class Built:
    parts: BundleParts  # sealed auditor bundle with countersignature
    key: Ed25519PrivateKey
    office: Ed25519PrivateKey
    receipt_codes: dict[str, bytes]  # R -> T, only so tests can play the resident


def build(box_sizes: Mapping[str, int] | None = None) -> Built:
    rng = random.Random(2026)
    sizes = dict(box_sizes or {"A": 40, "B": 10, "C": 35})
    stations = {"A": "S1", "B": "S1", "C": "S2"}
    n_print = 100
    rh = codes.hasher(codes.RECEIPT_TAG, ELECTION)
    ah = codes.hasher(codes.AUDIT_TAG, ELECTION)
    ts = [codes.new_code() for _ in range(n_print)]
    as_ = [codes.new_code() for _ in range(n_print)]
    rs = [rh(t) for t in ts]
    ds = [ah(a) for a in as_]
    key = signing.generate_key()
    office = signing.generate_key()
    rulebook = {"preset": "national", "threshold": "1/2", "min_box_size": 30}
    man = make_manifest(ELECTION, rs, ds)
    g = chain.genesis(ELECTION, digest(rulebook), "f" * 64, signing.fingerprint(key.public_key()), at="2026-11-01")
    ev = chain.append(g, "manifest", {"batch": 0, "digest": man.digest, "receipts": n_print, "audits": n_print}, at="2026-11-02")
    events = [g, ev]
    deposits: dict[str, tuple[str, ...]] = {}
    records: list[Record] = []
    i = 0
    for box, n in sizes.items():
        deposits[box] = tuple(rs[i : i + n])
        for j in range(i, i + n):
            marks = {"主任": ["张三"] if rng.random() < 0.75 else ["李四"],
                     "委员": rng.sample(["王五", "赵六", "钱七", "孙八"], 2) if rng.random() < 0.9 else []}
            records.append(Record(ds[j], box, marks))
        i += n
    used = i
    spoiled = tuple(rs[used : used + 2])
    # 3 papers issued but never deposited (taken home) are in neither list.
    issuance = {"S1": sizes["A"] + sizes["B"] + 2, "S2": sizes["C"] + 1}
    unused = tuple(rs[used + 2 + 3 :])
    assert n_print == sum(issuance.values()) + len(spoiled) + len(unused)
    totals_posts = tally(records)
    groups = bundle.group_boxes(sizes)
    box_totals = tuple(
        {"boxes": grp, "papers": sum(sizes[b] for b in grp), "posts": tally([r for r in records if r.box in grp])}
        for grp in groups
    )
    draws = rla.draw_sample(SEED, sizes, 12)
    parts = BundleParts(
        election_id=ELECTION,
        manifests=(man,),
        deposits=deposits,
        boxes={b: BoxInfo(stations[b], n) for b, n in sizes.items()},
        issuance=issuance,
        spoiled=spoiled,
        unused=unused,
        rulebook=rulebook,
        totals={"returned": sum(sizes.values()), "posts": totals_posts, "result": {"主任": ["张三"]}},
        box_totals=box_totals,
        chain=tuple(events),
        election_key_pem=signing.public_key_to_pem(key.public_key()),
        records=tuple(records),
        audit={"seed": SEED, "risk_limit": "0.05", "draws": [[d.box, d.position] for d in draws]},
    )
    sealed = bundle.seal(parts, key, "2026-11-23", at="2026-11-23T20")
    sealed = bundle.countersign(sealed, office, "2026-11-24")
    return Built(sealed, key, office, dict(zip(rs, ts)))
