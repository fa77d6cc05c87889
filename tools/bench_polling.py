"""Bench of polling day (`make bench` runs both):

- ``bench_printing(n)``: papers per second of the printing *service* (codes, hashing, PDF,
  sorted R/D rows, signed manifest) against ballots.bench's text-only pages of the same paper.
- ``bench_checkins()``: check-ins per second under 16 concurrent clients against gunicorn
  -w 4 with PostgreSQL, as a ratio to a trivial endpoint (/healthz) on the same server.
  Loopback only, a bounded number of requests, a fresh database dropped afterwards, and the
  server is stopped in every case.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("JUXUAN_BENCH_PG_URL") or os.environ.get("JUXUAN_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CLIENTS = 16
PASSWORD = "bench-password-1"


def _fernet() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _populate(db, data_key: str, voters: int, candidates: bool = True):
    from election.accounts.service import create_user
    from election.models import Candidate, Household, Resident
    from election.polling.stations import create_station
    from election.rules.bodies import BodiesConfig
    from election.setup.service import ElectionDraft, create_community, create_election

    community = create_community(db, "基准社区", "基准街道", voters)
    election = create_election(db, "bench", community, ElectionDraft(
        title="基准社区第十二届居民委员会换届选举", election_day=date.today() + timedelta(days=20), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), data_key)
    house = Household(election_id=election.id, number="1", building="1栋")
    db.add(house)
    db.flush()
    db.execute(insert(Resident), [
        {"election_id": election.id, "household_id": house.id, "name": f"居民{i}", "sex": "男", "birth_date": date(1970, 1, 1),
         "id_cipher": "-", "id_hash": f"{i:064x}", "id_masked": f"{i:018d}", "category": "hukou", "status": "registered",
         "eligible": True, "voter_number": i + 1, "card_code": f"BENCH{i:08d}", "group_name": "第一居民小组"}
        for i in range(voters)
    ])
    if candidates:
        ids = list(db.scalars(text("SELECT id FROM resident ORDER BY id")))
        it = iter(ids)
        config = BodiesConfig(election.jwh_deputies, election.jwh_members, election.jdw_deputies, election.jdw_members)
        for post in config.posts():
            for order in range(post.seats + 1):
                db.add(Candidate(election_id=election.id, resident_id=next(it), post=post.key, status="formal", ballot_order=order + 1))
    station = create_station(db, election, "bench", "基准投票站", desks=2, boxes=1)
    create_user(db, "bench_clerk", PASSWORD, "clerk", community=community)
    db.commit()
    return election, station


def bench_printing(n: int = 2000) -> dict:
    """The printing service (through election.polling.printing) vs text-only pages."""
    from ballots.bench import _baseline, _throwaway_codes
    from ballots.fonts import font_name
    from election.db import make_engine, make_sessionmaker
    from election.models import Base
    from election.polling import printing

    font_name()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        Base.metadata.create_all(engine)
        db = make_sessionmaker(engine)()
        key = _fernet()
        election, _ = _populate(db, key, 40)
        spec = printing.ballot_specs(db, election)[0][1]
        started = time.perf_counter()
        with open(Path(tmp) / "out.pdf", "wb") as out:
            printing.print_papers(db, election, n, out, "bench", key, "HTTPS://JX.EXAMPLE.CN/R")
        db.commit()
        service_s = time.perf_counter() - started
        started = time.perf_counter()
        _baseline(spec, list(_throwaway_codes(n)))
        baseline_s = time.perf_counter() - started
        db.close()
        engine.dispose()
    return {"ratio": round((n / service_s) / (n / baseline_s), 3), "papers": n,
            "service_papers_per_second": round(n / service_s, 1), "text_only_pages_per_second": round(n / baseline_s, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opener.open(base + "/login", urllib.parse.urlencode({"username": "bench_clerk", "password": PASSWORD, "csrf_token": token}).encode(), timeout=30)
    return opener


def _run_clients(work: list, fire) -> float:
    """Run ``fire(client_index, item)`` over ``work`` with CLIENTS threads; returns seconds."""
    chunks = [work[i::CLIENTS] for i in range(CLIENTS)]
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for item in chunks[i]:
                fire(i, item)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def bench_checkins(n: int = 1600) -> dict:
    """Check-ins/s under 16 clients vs /healthz on the same gunicorn -w 4 + PostgreSQL."""
    from election.db import make_engine, make_sessionmaker
    from election.models import Base

    name = f"juxuan_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    proc = None
    tmp = tempfile.TemporaryDirectory()
    try:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        db = make_sessionmaker(engine)()
        key = _fernet()
        election, station = _populate(db, key, n)
        # Papers go out on the voting day only, with the roll frozen and the round printed
        # (election.polling.day): the bench's election is on that day.
        import io

        from election import clock
        from election.models import utcnow
        from election.polling import printing

        printing.print_papers(db, election, 1, io.BytesIO(), "bench", key, "HTTPS://JX.EXAMPLE.CN/R")
        election.election_day, election.roll_frozen_at = clock.today(), utcnow()
        db.commit()
        desk_ids = [d.id for d in station.desks]
        voter_ids = list(db.scalars(text("SELECT id FROM resident ORDER BY id")))
        db.close()
        engine.dispose()
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "JUXUAN_DATA_KEY": key, "SECRET_KEY": uuid.uuid4().hex,
               "JUXUAN_INSTANCE": tmp.name}
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        clients = [_login(base) for _ in range(CLIENTS)]
        tokens = []
        for c in clients:
            page = c.open(f"{base}/elections/{election.id}/polling/desks/{desk_ids[0]}", timeout=30).read().decode()
            tokens.append(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
        refused = []

        def checkin(i: int, voter_id: int) -> None:
            desk = desk_ids[voter_id % len(desk_ids)]
            body = urllib.parse.urlencode({"voter_id": voter_id, "csrf_token": tokens[i]}).encode()
            req = urllib.request.Request(f"{base}/elections/{election.id}/polling/desks/{desk}/issue", data=body,
                                         headers={"Accept": "application/json"})
            try:
                clients[i].open(req, timeout=60).read()
            except urllib.error.HTTPError as error:
                refused.append(error.code)

        def healthz(i: int, _item: int) -> None:
            clients[i].open(base + "/healthz", timeout=60).read()

        health_s = _run_clients(list(range(n)), healthz)
        checkin_s = _run_clients(voter_ids, checkin)
        if refused:
            raise RuntimeError(f"{len(refused)} check-ins refused: {sorted(set(refused))}")
        check = create_engine(url)
        with check.connect() as conn:
            issued = conn.execute(text("SELECT count(*) FROM issuance")).scalar()
        check.dispose()
        if issued != n:
            raise RuntimeError(f"expected {n} issuances, found {issued}")
        return {"ratio": round((n / checkin_s) / (n / health_s), 3), "checkins": n, "clients": CLIENTS,
                "checkins_per_second": round(n / checkin_s, 1), "healthz_per_second": round(n / health_s, 1)}
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        tmp.cleanup()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    if which in ("printing", "both"):
        print(json.dumps(bench_printing(int(os.environ.get("BENCH_PAPERS", "2000"))), ensure_ascii=False))
    if which in ("checkins", "both"):
        print(json.dumps(bench_checkins(), ensure_ascii=False))
