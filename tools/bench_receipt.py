"""Bench: one receipt check against a sealed bundle of 100,000 deposits (the public
receipt page's work: the code's R, the box it is in, its inclusion path to the signed box
root) as a ratio of p99 times to the floor — computing R and one dictionary lookup. The
box trees are built once per sealed bundle (their build time is reported beside).

Beside it, the whole page as a resident gets it (``GET /r/<code>`` through the app on a
SQLite database: the rate limit's write, the lookup over every election, the published
summary, the template), p99 over the same codes after one warming request: the goal is
p99 <= 20 ms. ``python -m tools.bench_receipt [N]``."""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import orjson

from election.protocol import bundle, codes, merkle
from election.publication.receipts import sealed_boxes
from tools.bench_verify import build_bundle

LOOKUPS = 2000
PAGES = 500


def _p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


def bench_receipt(n: int = 100_000, pages: int = PAGES) -> dict:
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
        page = _page_times(files, texts[:pages])
    p99, p99_floor = _p99(check), _p99(floor)
    return {"ratio": round(p99 / p99_floor, 1), "deposits": n, "p99_ms": round(p99 * 1000, 3),
            "floor_p99_ms": round(p99_floor * 1000, 4), "trees_built_s": round(t_build, 2), "lookups": LOOKUPS,
            "page_p99_ms": round(_p99(page["page"]) * 1000, 2), "page_p50_ms": round(sorted(page["page"])[len(page["page"]) // 2] * 1000, 2),
            "page_first_ms": round(page["first"] * 1000, 1), "healthz_p99_ms": round(_p99(page["healthz"]) * 1000, 2),
            "page_cpu_ms": round(page["page_cpu"] * 1000, 2), "healthz_cpu_ms": round(page["healthz_cpu"] * 1000, 2),
            "page_goal_p99_ms": 20, "pages": len(page["page"])}


def _page_times(files: dict[str, bytes], texts: list[str]) -> dict:
    """The receipt page through the app (SQLite in a temp folder): the first request (it
    builds the caches) and each later one, with /healthz through the same client beside."""
    from datetime import date

    from cryptography.fernet import Fernet

    from election.app import create_app
    from election.db import make_engine, make_sessionmaker
    from election.models import Base, Election
    from election.publication.published import bundle_path
    from election.setup.service import create_community

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        db = make_sessionmaker(engine)()
        key = Fernet.generate_key().decode("ascii")
        # The bundle's election by its uid (R is hashed with it); no signing key is needed
        # to answer from a sealed bundle, and none is made.
        election = Election(uid="bench-election", community=create_community(db, "基准社区", "基准街道", 10),
                            title="基准选举", election_day=date(2027, 1, 1), method="direct", preset="national",
                            rulebook={}, jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2)
        db.add(election)
        db.commit()
        path = bundle_path(tmp, election, 1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bundle.write_files(files))
        summary_root = orjson.loads(files["deposits.json"])["root"].encode()
        db.close()
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-" * 6, "DATA_KEY": key,
                          "RECEIPT_LOOKUP_BURST": 10 ** 9})
        client = app.test_client()
        t0 = time.perf_counter()
        answer = client.get(f"/r/{texts[0]}")
        first = time.perf_counter() - t0
        if answer.status_code != 200 or b"B0" not in answer.data or summary_root not in answer.data:
            raise RuntimeError(f"receipt page did not find the code: {answer.status_code}")
        times, health, cpu = [], [], [0.0, 0.0]
        for text in texts:
            c0, t0 = time.process_time(), time.perf_counter()
            answer = client.get(f"/r/{text}")
            times.append(time.perf_counter() - t0)
            cpu[0] += time.process_time() - c0
            if answer.status_code != 200:
                raise RuntimeError(f"receipt page failed: {answer.status_code}")
            c0, t0 = time.process_time(), time.perf_counter()
            client.get("/healthz")
            health.append(time.perf_counter() - t0)
            cpu[1] += time.process_time() - c0
        app.extensions["juxuan.sessions"].kw["bind"].dispose()
    return {"first": first, "page": times, "healthz": health, "page_cpu": cpu[0] / len(texts),
            "healthz_cpu": cpu[1] / len(texts)}


if __name__ == "__main__":
    print(bench_receipt(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
