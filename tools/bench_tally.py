"""Bench: the tally of 100,000 paper records loaded from the database, as a ratio to its
floor measured in the same run: fetching the same marks, decoding each with orjson and one
Counter pass over the approvals with the cyclic GC off (`make bench` runs `bench_tally`).
It runs on a temp-file SQLite database removed afterwards (or JUXUAN_BENCH_DB)."""
from __future__ import annotations

import gc
import os
import random
import tempfile
import time
from collections import Counter
from datetime import date

import orjson
from sqlalchemy import Text, cast, insert, select

from election.counting.result import compute_result
from election.db import make_engine, make_sessionmaker
from election.models import AuditCode, Base, Candidate, Election, Household, Issuance, PollingStation, Resident, Round
from election.setup.service import ElectionDraft, create_community, create_election


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _populate(db, n: int, seed: int, data_key: str | None = None):
    rng = random.Random(seed)
    community = create_community(db, "基准社区", "基准街道", n)
    election = create_election(db, "bench", community, ElectionDraft(
        title="基准选举", election_day=date(2027, 1, 1), method="direct", preset="national",
        jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), data_key or _fernet_key())
    house = Household(election_id=election.id, number="1", building="1")
    station = PollingStation(election_id=election.id, name="站")
    db.add_all([house, station])
    db.flush()
    voters = n + n // 5
    db.execute(insert(Resident), [
        {"election_id": election.id, "household_id": house.id, "name": f"居民{i}", "sex": "女" if i % 2 else "男",
         "birth_date": date(1970, 1, 1), "id_cipher": "-", "id_hash": f"{i:064x}", "id_masked": "-", "category": "hukou",
         "status": "registered", "eligible": True, "voter_number": i + 1}
        for i in range(voters)])
    ids = list(db.scalars(select(Resident.id).where(Resident.election_id == election.id).order_by(Resident.id)))
    posts = {"jwh_zhuren": (1, ids[0:2]), "jwh_fu_zhuren": (1, ids[2:4]), "jwh_weiyuan": (3, ids[4:9]),
             "jdw_zhuren": (1, ids[9:11]), "jdw_weiyuan": (2, ids[11:14])}
    round_posts = {}
    for post, (seats, people) in posts.items():
        rows = [Candidate(election_id=election.id, resident_id=r, post=post, status="formal", ballot_order=k)
                for k, r in enumerate(people)]
        db.add_all(rows)
        db.flush()
        round_posts[post] = {"seats": seats, "candidates": [c.id for c in rows]}
    db.add(Round(election_id=election.id, number=1, kind="main", posts=round_posts))
    db.execute(insert(Issuance), [{"election_id": election.id, "round_number": 1, "voter_id": ids[i],
                                   "station_id": station.id, "clerk": "b"} for i in range(n)])
    records = []
    for _ in range(n):
        marks = {}
        for post, (seats, people) in posts.items():
            pick = rng.sample(people, rng.randint(0, seats))
            rest = [p for p in people if p not in pick]
            marks[post] = {"approve": [str(p) for p in pick], "oppose": [str(p) for p in rest[:1]] if rng.random() < .2 else [],
                           "write_ins": [str(ids[20 + rng.randrange(50)])] if rng.random() < .01 else [],
                           "unreadable": rng.random() < .005}
        records.append({"election_id": election.id, "d_hash": f"{rng.getrandbits(256):064x}", "round_number": 1,
                        "batch": 1, "state": "counted", "marks": marks})
    records.sort(key=lambda r: str(r["d_hash"]))
    db.execute(insert(AuditCode), records)
    db.commit()
    return election


def _floor(sessions, eid: int, n: int) -> float:
    """The least a tally must do: fetch the marks, decode each with orjson, one counting
    pass over the approvals, with the cyclic GC off."""
    with sessions() as db:
        gc.disable()
        try:
            start = time.perf_counter()
            raws = db.scalars(select(cast(AuditCode.marks, Text)).where(
                AuditCode.election_id == eid, AuditCode.round_number == 1, AuditCode.state == "counted")).all()
            votes: dict[str, Counter] = {}
            for raw in raws:
                for post, m in orjson.loads(raw).items():
                    c = votes.get(post)
                    if c is None:
                        c = votes[post] = Counter()
                    c.update(m["approve"])
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
    assert len(raws) == n
    return elapsed


def _tally(sessions, eid: int, n: int) -> float:
    with sessions() as db:
        start = time.perf_counter()
        result = compute_result(db, db.get(Election, eid), 1)
        elapsed = time.perf_counter() - start
    assert result.papers_returned == n
    return elapsed


def bench_tally(n: int = 100_000, seed: int = 7, repeat: int = 3) -> dict:
    """Best of ``repeat`` for the tally and for its floor, interleaved in the same run."""
    with tempfile.TemporaryDirectory(prefix="juxuan-bench-tally-") as folder:
        url = os.environ.get("JUXUAN_BENCH_DB") or f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        try:
            with sessions() as db:
                eid = _populate(db, n, seed).id
            floors, tallies = [], []
            for _ in range(repeat):
                floors.append(_floor(sessions, eid, n))
                tallies.append(_tally(sessions, eid, n))
        finally:
            if os.environ.get("JUXUAN_BENCH_DB"):
                Base.metadata.drop_all(engine)
            engine.dispose()
    floor, count = min(floors), min(tallies)
    return {"ratio": round(count / floor, 2), "records": n, "tally_s": round(count, 3), "floor_s": round(floor, 3),
            "floor": "fetch + orjson decode + one Counter pass, GC off"}


if __name__ == "__main__":
    print(bench_tally())
