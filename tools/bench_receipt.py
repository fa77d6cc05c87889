"""Bench: one receipt check against a sealed bundle of 100,000 deposits (the public
receipt page's work: the code's R, the box it is in, its inclusion path to the signed box
root) as a ratio of p99 times to the floor — computing R and one dictionary lookup. The
box trees are built once per sealed bundle (their build time is reported beside).
``python -m tools.bench_receipt [N]``."""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from election.protocol import bundle, codes, merkle
from election.publication.receipts import sealed_boxes
from tools.bench_verify import build_bundle

LOOKUPS = 2000


def _p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


def bench_receipt(n: int = 100_000) -> dict:
    data = build_bundle(n)
    rng = random.Random(1)  # build_bundle draws the n receipt codes T first from this seed
    ts = [rng.randbytes(16) for _ in range(n)]
    files = {k: v for k, v in bundle.read_files(data).items() if k not in bundle.AUDITOR_ONLY}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "public.zip"
        path.write_bytes(bundle.write_files(files))
        t0 = time.perf_counter()
        sealed = sealed_boxes(path)
        t_build = time.perf_counter() - t0
        assert sealed is not None
        pick = random.Random(2)
        texts = [codes.human(ts[pick.randrange(n)]) for _ in range(LOOKUPS)]
        floor, check = [], []
        for text in texts:
            t0 = time.perf_counter()
            r = codes.receipt_hash("bench-election", codes.parse(text))
            sealed.where.get(r)
            floor.append(time.perf_counter() - t0)
        for text in texts:
            t0 = time.perf_counter()
            again = sealed_boxes(path)  # the cache: a stat of the file, no rebuild
            assert again is not None
            r = codes.receipt_hash("bench-election", codes.parse(text))
            box = again.where[r]
            tree = again.trees[box]
            proof = tree.proof(tree.index_of(r))
            check.append(time.perf_counter() - t0)
            assert merkle.verify_inclusion(r, proof, tree.root)
    p99, p99_floor = _p99(check), _p99(floor)
    return {"ratio": round(p99 / p99_floor, 1), "deposits": n, "p99_ms": round(p99 * 1000, 3),
            "floor_p99_ms": round(p99_floor * 1000, 4), "trees_built_s": round(t_build, 2), "lookups": LOOKUPS}


if __name__ == "__main__":
    print(bench_receipt(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
