"""Bench: verifying a bundle of 100,000 records (every check, the rules' recount included)
as a ratio to the least any verifier must do, measured in the same run: unzip every file,
hash it, and parse it once with the cyclic GC off.

The bundle is built with the protocol directly (real codes, keys, chain, Merkle trees,
seal): the database is not what is measured. ``python -m tools.bench_verify [N]``.
"""
from __future__ import annotations

import gc
import hashlib
import io
import random
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from election.protocol import bundle, chain, codes, signing
from election.protocol import event_kinds as ek
from election.protocol.bundle import BoxInfo, BundleParts, Record
from election.protocol.bundle_tally import tally_files
from election.protocol.canonical import digest
from election.protocol.manifest import make_manifest
from election.rules.rulebook import Rulebook
from election.rules.tally_types import Candidate, PostSpec, TallyInput

POSTS: dict[str, dict[str, Any]] = {
    "jwh_zhuren": {"seats": 1, "rank": 6, "body": "jwh", "candidates": ["1", "2"]},
    "jwh_weiyuan": {"seats": 3, "rank": 4, "body": "jwh", "candidates": ["3", "4", "5", "6"]},
    "jdw_weiyuan": {"seats": 2, "rank": 1, "body": "jdw", "candidates": ["7", "8", "9"]},
}


def build_bundle(n: int = 100_000, boxes: int = 40, seed: int = 1,
                 extra: Callable[[Sequence[Record], Mapping[str, Any]], dict[str, bytes]] | None = None,
                 more_events: Callable[[dict[str, bytes]], list[tuple[str, Callable[[list[Any]], dict[str, Any]]]]] | None = None,
                 ) -> bytes:
    """The sealed auditor bundle; ``extra(records, totals)`` adds files before the seal, and
    ``more_events(files)`` events to the chain after them: (kind, payload made from the
    chain so far)."""
    rng = random.Random(seed)
    election = "bench-election"
    rh, ah = codes.hasher(codes.RECEIPT_TAG, election), codes.hasher(codes.AUDIT_TAG, election)
    rs = [rh(rng.randbytes(16)) for _ in range(n)]
    ds = [ah(rng.randbytes(16)) for _ in range(n)]
    key = signing.generate_key()
    rulebook = Rulebook().to_dict()
    man = make_manifest(election, rs, ds)
    g = chain.genesis(election, digest(rulebook), "0" * 64, signing.fingerprint(key.public_key()), at="2026-11-01")
    events = [g, chain.append(g, ek.BALLOTS_PRINTED, {"batch": 0, "digest": man.digest, "receipt_count": n, "audit_count": n, "round": 1})]
    names = [f"B{i:03d}" for i in range(boxes)]
    deposits: dict[str, list[str]] = {b: [] for b in names}
    records = []
    for i in range(n):
        box = names[i % boxes]
        deposits[box].append(rs[i])
        marks = {}
        for post, info in POSTS.items():
            chosen = [c for j, c in enumerate(info["candidates"]) if rng.random() < (0.7 if j < info["seats"] else 0.3)]
            marks[post] = {"approve": chosen[: info["seats"]], "oppose": [], "write_ins": [], "unreadable": False}
        records.append(Record(ds[i], box, marks))
    per_box = Counter(r.box for r in records)
    book = Rulebook.from_dict(rulebook)
    # Each post's threshold the rulebook's for its key, as the app's posts have it (BodiesConfig.post_specs).
    thresholds = {"jdw_zhuren": book.jdw_zhuren_threshold, "jdw_weiyuan": book.jdw_weiyuan_threshold}
    posts = tuple(PostSpec(k, v["body"], k, v["seats"], v["rank"], thresholds.get(k, "majority"))  # type: ignore[arg-type]
                  for k, v in POSTS.items())
    cands = tuple(Candidate(c, c, f"候选人{c}", "", k) for k, v in POSTS.items() for c in v["candidates"])
    inp = TallyInput(Rulebook.from_dict(rulebook), n, n, n, posts, cands, ())
    totals, box_totals, scenario = tally_files(inp, records, names, 1, None)
    added = extra(records, totals) if extra is not None else {}
    for kind, payload in more_events(added) if more_events is not None else ():
        events.append(chain.append(events[-1], kind, payload(events)))
    parts = BundleParts(
        election_id=election, manifests=(man,), deposits={b: tuple(sorted(v)) for b, v in deposits.items()},
        boxes={b: BoxInfo("S1", per_box[b]) for b in names}, issuance={"S1": n}, spoiled=(), unused=(),
        rulebook=rulebook, totals=totals, box_totals=box_totals, tally_input=scenario,
        chain=tuple(events), election_key_pem=signing.public_key_to_pem(key.public_key()), records=tuple(records),
        # No audit.json: a real audit needs its sealed commitment in the chain (docs/AUDIT.md).
        audit=None,
        extra=added,
    )
    return bundle.write_bundle(bundle.seal(parts, key, "2026-11-23"))


def _floor(data: bytes) -> float:
    """The least a verifier must do, with the cyclic GC off: unzip every file, hash it with
    SHA-256, and parse it once (orjson; records.jsonl and chain.jsonl line by line).
    Process CPU seconds."""
    gc.disable()
    try:
        started = time.process_time()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                raw = archive.read(name)
                hashlib.sha256(raw).digest()
                if name.endswith(".jsonl"):
                    for line in raw.splitlines():
                        if line:
                            orjson.loads(line)
                elif name.endswith(".json"):
                    orjson.loads(raw)
        return time.process_time() - started
    finally:
        gc.enable()


def _peak_mb(data: bytes) -> float:
    """Peak resident memory (VmHWM) of ``python -m tools.verify`` run on the bundle as its
    own process, as a street office runs it."""
    import os
    import re
    import subprocess
    import tempfile

    probe = ("import re, sys\nfrom tools.verify.__main__ import main\ncode = main([sys.argv[1]])\n"
             "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
             "print('PEAK_KB', hwm)\nsys.exit(code)")
    with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as fh:
        fh.write(data)
    try:
        done = subprocess.run([sys.executable, "-c", probe, fh.name], capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(fh.name)
    found = re.search(r"PEAK_KB (\d+)", done.stdout)
    if done.returncode != 0 or found is None:
        raise AssertionError(f"tools.verify failed on the bench bundle: {done.stdout[-500:]} {done.stderr[-500:]}")
    return int(found.group(1)) / 1024


def bench_verify(n: int = 100_000, repeat: int = 2) -> dict:
    """Verifying the bundle (verify_bundle, as tools/verify does) as a ratio to the floor of
    ``_floor``, both in process CPU seconds (the machine is shared: wall time counts the
    neighbours), best of ``repeat`` each, interleaved in the same run; wall seconds beside,
    and the verifier's peak memory as its own process."""
    from election.protocol.verify import verify_bundle

    data = build_bundle(n)
    verifies, floors, walls = [], [], []
    checks: list = []
    for _ in range(repeat):
        floors.append(_floor(data))
        started, wall = time.process_time(), time.perf_counter()
        checks = verify_bundle(data)
        verifies.append(time.process_time() - started)
        walls.append(time.perf_counter() - wall)
    bad = [c for c in checks if not c.ok]
    if bad:
        raise AssertionError(f"bench bundle does not verify: {bad}")
    t_verify, t_floor = min(verifies), min(floors)
    return {"ratio": round(t_verify / t_floor, 2), "records": n, "verify_cpu_s": round(t_verify, 3),
            "floor_cpu_s": round(t_floor, 3), "verify_wall_s": round(min(walls), 3),
            "peak_mb": round(_peak_mb(data)), "zip_bytes": len(data), "checks": len(checks),
            "floor": "unzip + sha256 + one orjson parse of every file, GC off"}


if __name__ == "__main__":
    print(bench_verify(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
