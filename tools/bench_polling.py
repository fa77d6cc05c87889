"""Bench of polling day (`make bench` runs each):

- ``bench_printing(n)``: papers per second of the printing *service* (codes, hashing, PDF,
  sorted R/D rows, signed manifest) against the printing floor of ballots.bench.
- ``bench_checkins()``: check-ins per second against gunicorn -w 4 with PostgreSQL, the load
  (16 clients) from two processes of tools.bench_load, as a ratio to /healthz on the same
  server under the same load (alternating phases, median ratio) and to the check-in's own
  SQL replayed directly; the server's CPU per request; the statements and commits of one
  check-in. ``JUXUAN_BENCH_THREADS=N`` runs the workers as gthread with N threads.
- ``bench_live_tally()``: the running tally's poll at 10,000 counted papers with 4 watchers.

Loopback only, a bounded number of requests, fresh databases dropped afterwards, and the
server is stopped in every case.
"""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import bindparam, create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("JUXUAN_BENCH_PG_URL") or os.environ.get("JUXUAN_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CLIENTS = 16
THREADS = os.environ.get("JUXUAN_BENCH_THREADS", "").split() and ["--threads", os.environ["JUXUAN_BENCH_THREADS"]] or []
PASSWORD = "bench-password-1"


def _fernet() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _populate(db, data_key: str, voters: int, candidates: bool = True):
    from election.accounts.service import create_user
    from election.models import Candidate, Household, Resident
    from election.polling.stations import create_station
    from election.settings import posts_of
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
        for post in posts_of(election):
            for order in range(post.seats + 1):
                db.add(Candidate(election_id=election.id, resident_id=next(it), post=post.key, status="formal", ballot_order=order + 1))
    station = create_station(db, election, "bench", "基准投票站", desks=2, boxes=1)
    create_user(db, "bench_clerk", PASSWORD, "clerk", community=community)
    db.commit()
    return election, station


def bench_printing(n: int = 2000) -> dict:
    """The printing service (through election.polling.printing) vs the printing floor."""
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
            "service_papers_per_second": round(n / service_s, 1), "floor_pages_per_second": round(n / baseline_s, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """A fresh PostgreSQL database and gunicorn -w 4 serving it on loopback; both removed
    on exit, whatever happens."""

    def __init__(self) -> None:
        self.name = f"juxuan_bench_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        self.url = make_url(PG_ADMIN).set(database=self.name).render_as_string(hide_password=False)
        self.proc: subprocess.Popen | None = None
        self.tmp = tempfile.TemporaryDirectory(prefix="juxuan-bench-")
        self.key = _fernet()
        self.base = ""

    def __enter__(self) -> _Server:
        from election.db import make_engine
        from election.models import Base

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine = make_engine(self.url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return self

    def start(self) -> str:
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": self.url, "JUXUAN_DATA_KEY": self.key, "SECRET_KEY": uuid.uuid4().hex,
               "JUXUAN_INSTANCE": self.tmp.name}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "4", *THREADS, "-b", f"127.0.0.1:{port}", "--timeout", "120",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return self.base
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *_exc) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.tmp.cleanup()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def _workers_cpu(master: int) -> float:
    """CPU seconds (user + system) spent so far by the gunicorn master's workers: what the
    server spent, whatever the machine's other load did to the latencies."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _load(spec: dict, processes: int = 2, cpu=None) -> dict:
    """Run tools.bench_load in ``processes`` processes sharing ``spec``'s clients and work;
    all start at the same moment, once every process has logged in its clients (the logins'
    argon2 is not part of what is measured). Requests/s over the whole run, p50/p99 of every
    request; with ``cpu`` (a function of no arguments giving CPU seconds so far) what it grew
    by from that moment to the end."""
    specs = []
    for p in range(processes):
        one = {**spec, "clients": max(1, spec["clients"] // processes)}
        if "issue" in spec:
            one["issue"] = spec["issue"][p::processes]
        specs.append(one)
    procs = [subprocess.Popen([sys.executable, "-m", "tools.bench_load", json.dumps(one)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for one in specs]
    for proc in procs:  # each prints "ready" when its clients have logged in
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("a load process failed before it was ready")
    spent = -cpu() if cpu is not None else 0.0
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=1800)
        if proc.returncode:
            raise RuntimeError("a load process failed")
        outs.append(json.loads(out.strip().splitlines()[-1]))
    if cpu is not None:
        spent += cpu()
    latencies = sorted(x for o in outs for x in o["latencies_ms"])
    seconds = max(o["ended"] for o in outs) - min(o["started"] for o in outs)
    n = len(latencies)
    return {"requests": n, "seconds": round(seconds, 3), "per_second": round(n / seconds, 1),
            "p50_ms": latencies[n // 2], "p99_ms": latencies[min(n - 1, int(0.99 * n))],
            "errors": sorted({e for o in outs for e in o["errors"]}), "cpu_s": spent}


def _capture_checkin(url: str, key: str, election_id: int, desk_id: int, voter_id: int) -> tuple[list, int]:
    """One check-in through the app in this process: the statements it sent (with their
    parameters) and its commits."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from election.app import create_app

    instance = tempfile.TemporaryDirectory(prefix="juxuan-bench-")
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance.name,
                      "SECRET_KEY": uuid.uuid4().hex, "DATA_KEY": key, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "bench_clerk", "password": PASSWORD})
    statements: list = []
    commits = [0]

    def on_statement(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    def on_commit(_conn) -> None:
        commits[0] += 1

    event.listen(Engine, "before_cursor_execute", on_statement)
    event.listen(Engine, "commit", on_commit)
    try:
        answer = client.post(f"/elections/{election_id}/polling/desks/{desk_id}/issue", data={"voter_id": voter_id},
                             headers={"Accept": "application/json"})
    finally:
        event.remove(Engine, "before_cursor_execute", on_statement)
        event.remove(Engine, "commit", on_commit)
    if answer.status_code != 200:
        raise RuntimeError(f"check-in refused: {answer.data[:200]!r}")
    app.extensions["juxuan.sessions"].kw["bind"].dispose()
    instance.cleanup()
    return statements, commits[0]


def _bare_sql(url: str, statements: list, template_voter: int, voters: list[int], threads: int = 8) -> float:
    """The check-in's own statements replayed with psycopg for each voter (the template
    voter's id swapped for theirs), one transaction and commit each: check-ins/s."""
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def swap(params, voter: int):
        if isinstance(params, dict):
            return {k: (voter if v == template_voter else v) for k, v in params.items()}
        return [voter if v == template_voter else v for v in params]

    chunks = [voters[i::threads] for i in range(threads)]
    errors: list[BaseException] = []

    def worker(chunk: list[int]) -> None:
        try:
            with psycopg.connect(dsn) as conn:
                for voter in chunk:
                    with conn.cursor() as cur:
                        for statement, params in statements:
                            cur.execute(statement, swap(params, voter))
                    conn.commit()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return len(voters) / (time.perf_counter() - started)


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu(server: _Server) -> float:
    """CPU seconds spent so far by the gunicorn workers and by the PostgreSQL backends
    connected to the bench's database: what the server side spent, whatever the machine's
    other load (8 sessions share its 2 cores) did to the wall-clock rates."""
    assert server.proc is not None
    with server.admin.connect() as conn:
        backends = list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": server.name}).scalars())
    return _workers_cpu(server.proc.pid) + sum(_proc_cpu(pid) for pid in backends)


def bench_checkins(n: int = 1600, rounds: int = 4) -> dict:
    """Check-ins/s against gunicorn -w 4 + PostgreSQL under 16 clients in 2 load processes,
    as a ratio to /healthz on the same server under the same load, and to the check-in's
    own SQL replayed directly; the statements and commits of one check-in.

    The machine is shared, so the two loads alternate in ``rounds`` short phases (/healthz,
    then check-ins) and the ratio is the median of the phases' ratios; beside it, the
    server's CPU (workers + the database's backends) per check-in and per /healthz, which
    other load does not change."""
    from election.db import make_engine, make_sessionmaker

    with _Server() as server:
        engine = make_engine(server.url)
        db = make_sessionmaker(engine)()
        election, station = _populate(db, server.key, 2 * n + 1)
        # Papers go out on the voting day only, with the roll frozen and the round printed
        # (election.polling.day): the bench's election is on that day.
        from election import clock
        from election.models import utcnow
        from election.polling import printing

        printing.print_papers(db, election, 1, io.BytesIO(), "bench", server.key, "HTTPS://JX.EXAMPLE.CN/R")
        election.election_day, election.roll_frozen_at = clock.today(), utcnow()
        db.commit()
        eid, desk_ids = election.id, [d.id for d in station.desks]
        voters = list(db.scalars(text("SELECT id FROM resident ORDER BY id")))
        db.close()
        engine.dispose()
        http_voters, sql_voters, template = voters[:n], voters[n:2 * n], voters[-1]
        statements, commits = _capture_checkin(server.url, server.key, eid, desk_ids[0], template)
        base = server.start()
        spec = {"base": base, "username": "bench_clerk", "password": PASSWORD, "clients": CLIENTS}
        _load({**spec, "get": "/healthz", "count": 4}, processes=1)  # every worker up
        per = n // rounds
        ratios, health_rates, checkin_rates, p99s = [], [], [], []
        cpu = {"health": 0.0, "checkin": 0.0}
        done = {"health": 0, "checkin": 0}
        for k in range(rounds):
            health = _load({**spec, "get": "/healthz", "count": max(1, per // CLIENTS)}, cpu=lambda: _server_cpu(server))
            cpu["health"] += health["cpu_s"]
            done["health"] += health["requests"]
            chunk = http_voters[k * per:(k + 1) * per]
            desks = [f"/elections/{eid}/polling/desks/{desk_ids[v % len(desk_ids)]}" for v in chunk]
            checkins = _load({**spec, "issue": [[d, v] for d, v in zip(desks, chunk)]}, cpu=lambda: _server_cpu(server))
            cpu["checkin"] += checkins["cpu_s"]
            done["checkin"] += checkins["requests"]
            if checkins["errors"] or health["errors"]:
                raise RuntimeError(f"refused requests: {checkins['errors']} {health['errors']}")
            ratios.append(checkins["per_second"] / health["per_second"])
            health_rates.append(health["per_second"])
            checkin_rates.append(checkins["per_second"])
            p99s.append(checkins["p99_ms"])
        # The replay inserts too: the database then holds every check-in exactly once.
        sql_rate = _bare_sql(server.url, statements, template, sql_voters)
        check = create_engine(server.url)
        with check.connect() as conn:
            issued = conn.execute(text("SELECT count(*), count(DISTINCT voter_id) FROM issuance")).one()
        check.dispose()
        expected = rounds * per + len(sql_voters) + 1
        if tuple(issued) != (expected, expected):
            raise RuntimeError(f"expected {expected} distinct issuances, found {tuple(issued)}")
    checkin_cpu_ms = 1000 * cpu["checkin"] / max(1, done["checkin"])
    health_cpu_ms = 1000 * cpu["health"] / max(1, done["health"])
    return {"ratio": round(sorted(ratios)[len(ratios) // 2], 3), "checkins": done["checkin"],
            "clients": f"{CLIENTS} in 2 processes", "phases": rounds,
            "ratios": [round(r, 3) for r in ratios],
            "checkins_per_second_median": sorted(checkin_rates)[len(checkin_rates) // 2],
            "healthz_per_second_median": sorted(health_rates)[len(health_rates) // 2],
            "checkin_p99_ms_median": sorted(p99s)[len(p99s) // 2],
            "server_cpu_ms_per_checkin": round(checkin_cpu_ms, 2), "server_cpu_ms_per_healthz": round(health_cpu_ms, 2),
            "cpu_ratio": round(health_cpu_ms / max(checkin_cpu_ms, 1e-9), 3),
            "ratio_to_own_sql": round(sorted(checkin_rates)[len(checkin_rates) // 2] / sql_rate, 3),
            "own_sql_per_second": round(sql_rate, 1),
            "statements_per_checkin": len(statements), "commits_per_checkin": commits,
            "gunicorn": "-w 4" + (f" --threads {THREADS[1]}" if THREADS else "")}


def _boxes_and_papers_to_enter(db, election, boxes: int, entering: int) -> tuple[list[int], list[str], list[dict]]:
    """The counted papers spread over ``boxes`` boxes of the election's station (by their
    D's first hex digit), and ``entering`` printed papers still to enter: (box ids, their
    D's, marks to enter, taken from the counted papers)."""
    import random

    from election.models import AuditCode, BallotBox, PollingStation

    station = db.scalar(text("SELECT id FROM polling_station WHERE election_id = :e").bindparams(e=election.id))
    if station is None:
        row = PollingStation(election_id=election.id, name="基准投票站")
        db.add(row)
        db.flush()
        station = row.id
    rows = [BallotBox(election_id=election.id, station_id=station, label=f"{k + 1}号票箱") for k in range(boxes)]
    db.add_all(rows)
    db.flush()
    digits = "0123456789abcdef"
    for k, box in enumerate(rows):
        db.execute(text("UPDATE audit_code SET box_id = :b WHERE election_id = :e AND substr(d_hash, 1, 1) IN :first")
                   .bindparams(bindparam("first", expanding=True)),
                   {"b": box.id, "e": election.id, "first": [c for i, c in enumerate(digits) if i % boxes == k]})
    rng = random.Random(11)
    ds = [f"{rng.getrandbits(256):064x}" for _ in range(entering)]
    db.execute(insert(AuditCode), [{"election_id": election.id, "d_hash": d, "round_number": 1, "batch": 2,
                                    "state": "printed"} for d in ds])
    marks = [json.loads(m) for m in db.scalars(text(
        "SELECT CAST(marks AS TEXT) FROM audit_code WHERE election_id = :e AND state = 'counted' LIMIT 500")
        .bindparams(e=election.id))]
    db.commit()
    return [b.id for b in rows], ds, [marks[i % len(marks)] for i in range(entering)]


def _enter_while(url: str, election_id: int, box_ids: list[int], ds: list[str], marks: list[dict], per_second: float,
                 stop: threading.Event) -> dict:
    """Counters entering papers through the counting service (record_paper, one commit
    each) at ``per_second`` across the boxes until ``stop`` is set: papers entered and the
    entries' own p50/p99 in ms."""
    from election.counting.service import record_paper
    from election.db import make_engine, make_sessionmaker
    from election.models import BallotBox, Election

    engine = make_engine(url)
    took = []
    with make_sessionmaker(engine)() as db:
        election = db.get_one(Election, election_id)
        boxes = [db.get_one(BallotBox, b) for b in box_ids]
        due = time.perf_counter()
        for n, (d, m) in enumerate(zip(ds, marks)):
            if stop.is_set():
                break
            started = time.perf_counter()
            record_paper(db, election, boxes[n % len(boxes)], d, m, f"counter{n % 4}")
            db.commit()
            took.append(1000 * (time.perf_counter() - started))
            due += 1 / per_second
            time.sleep(max(0.0, due - time.perf_counter()))
    engine.dispose()
    took.sort()
    return {"entered": len(took), "entry_p50_ms": round(took[len(took) // 2], 1) if took else 0,
            "entry_p99_ms": round(took[min(len(took) - 1, int(0.99 * len(took)))], 1) if took else 0}


def _poll_statements(url: str, key: str, election_id: int, box_id: int, d: str, marks: dict) -> dict:
    """The statements of one tally.json poll through the app in this process: the first
    (a full recount), one with nothing changed, and one after a paper was entered."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from election.app import create_app
    from election.counting.service import record_paper
    from election.models import BallotBox, Election

    instance = tempfile.TemporaryDirectory(prefix="juxuan-bench-")
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance.name,
                      "SECRET_KEY": uuid.uuid4().hex, "DATA_KEY": key, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "bench_watcher", "password": PASSWORD})
    path = f"/elections/{election_id}/counting/1/tally.json"
    statements: list[str] = []

    def on_statement(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    def poll() -> int:
        statements.clear()
        event.listen(Engine, "before_cursor_execute", on_statement)
        try:
            if client.get(path).status_code != 200:
                raise RuntimeError("poll refused")
        finally:
            event.remove(Engine, "before_cursor_execute", on_statement)
        return len(statements)

    out = {"first": poll(), "unchanged": poll()}
    with app.extensions["juxuan.sessions"]() as db:
        record_paper(db, db.get_one(Election, election_id), db.get_one(BallotBox, box_id), d, marks, "counter_s")
        db.commit()
    out["after_a_paper"] = poll()
    app.extensions["juxuan.sessions"].kw["bind"].dispose()
    instance.cleanup()
    return out


def bench_live_tally(papers: int = 10_000, watchers: int = 4, polls: int = 100, entering_polls: int = 300,
                     per_second: float = 5.0, boxes: int = 8) -> dict:
    """The running tally page's poll (tally.json) with ``papers`` counted, ``watchers``
    clients in a load process polling back to back against gunicorn -w 4 + PostgreSQL: p50
    and p99 in ms (the goal is p99 <= 50 ms), beside /healthz under the same load and the
    first poll of a process (a full recount); the workers' CPU per poll and per /healthz
    (what the server spent, which the machine's other load does not change).

    Then "poll while entering": counters enter papers at ``per_second`` across ``boxes``
    boxes (through the counting service, one commit each) while the watchers poll again,
    ``entering_polls`` each: p50/p99 of those polls (each worker's first poll after a paper
    brings its kept tally up to date), and afterwards the answers are checked against a
    full recount. The statements of a poll: the first, unchanged, after a paper entered."""
    from election.accounts.service import create_user
    from election.counting.result import running_tally
    from election.db import make_engine, make_sessionmaker
    from election.models import Election
    from tools.bench_load import login
    from tools.bench_tally import _populate as populate_papers

    with _Server() as server:
        engine = make_engine(server.url)
        db = make_sessionmaker(engine)()
        election = populate_papers(db, papers, 7, server.key)  # the server opens its keys with this data key
        create_user(db, "bench_watcher", PASSWORD, "scrutineer", community=election.community)
        db.commit()
        eid = election.id
        box_ids, ds, marks = _boxes_and_papers_to_enter(db, election, boxes, 2000)
        db.close()
        base = server.start()
        spec = {"base": base, "username": "bench_watcher", "password": PASSWORD, "clients": watchers}
        path = f"/elections/{eid}/counting/1/tally.json"
        first = _load({**spec, "clients": 1, "get": path, "count": 1}, processes=1)
        _load({**spec, "get": path, "count": 10}, processes=1)  # every worker has counted once
        assert server.proc is not None
        master = server.proc.pid
        # The workers' CPU from the moment the watchers have logged in (their argon2 is not a poll).
        polled = _load({**spec, "get": path, "count": polls}, processes=1, cpu=lambda: _workers_cpu(master))
        poll_cpu_ms = 1000 * polled["cpu_s"] / max(1, polled["requests"])
        health = _load({**spec, "get": "/healthz", "count": polls}, processes=1, cpu=lambda: _workers_cpu(master))
        health_cpu_ms = 1000 * health["cpu_s"] / max(1, health["requests"])
        stop = threading.Event()
        entries: dict = {}
        counters = threading.Thread(target=lambda: entries.update(
            _enter_while(server.url, eid, box_ids, ds[1:], marks[1:], per_second, stop)))
        counters.start()
        try:
            busy = _load({**spec, "get": path, "count": entering_polls}, processes=1, cpu=lambda: _workers_cpu(master))
        finally:
            stop.set()
            counters.join()
        busy_cpu_ms = 1000 * busy["cpu_s"] / max(1, busy["requests"])
        if polled["errors"] or health["errors"] or busy["errors"]:
            raise RuntimeError(f"refused polls: {polled['errors']} {health['errors']} {busy['errors']}")
        # Every answer now is the recount of the database (8 polls, spread over the workers).
        with make_sessionmaker(engine)() as check:
            recount = running_tally(check, check.get_one(Election, eid), 1)
        answers = [json.loads(login(base, "bench_watcher", PASSWORD).open(base + path, timeout=60).read()) for _ in range(8)]
        if any(a != recount for a in answers):
            raise RuntimeError("a worker's live tally differs from the full recount")
        engine.dispose()
        statements = _poll_statements(server.url, server.key, eid, box_ids[0], ds[0], marks[0])
    return {"p99_ms": polled["p99_ms"], "papers": papers, "watchers": watchers, "polls": polled["requests"],
            "p50_ms": polled["p50_ms"], "polls_per_second": polled["per_second"],
            "healthz_p50_ms": health["p50_ms"], "healthz_p99_ms": health["p99_ms"],
            "first_poll_ms": first["p50_ms"], "goal_p99_ms": 50,
            "server_cpu_ms_per_poll": round(poll_cpu_ms, 2), "server_cpu_ms_per_healthz": round(health_cpu_ms, 2),
            "p50_ratio_to_healthz": round(polled["p50_ms"] / max(health["p50_ms"], 0.001), 2),
            # Poll while entering: the same watchers while counters enter papers.
            "entering_p99_ms": busy["p99_ms"], "entering_p50_ms": busy["p50_ms"], "entering_polls": busy["requests"],
            "entering_polls_per_second": busy["per_second"], "entering_papers_per_second_offered": per_second,
            "entering_boxes": boxes, **{f"entering_{k}": v for k, v in entries.items()},
            "entering_server_cpu_ms_per_poll": round(busy_cpu_ms, 2), "entering_equals_recount": True,
            **{f"statements_per_poll_{k}": v for k, v in statements.items()}}


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    if which in ("printing", "both"):
        print(json.dumps(bench_printing(int(os.environ.get("BENCH_PAPERS", "2000"))), ensure_ascii=False))
    if which in ("checkins", "both"):
        print(json.dumps(bench_checkins(), ensure_ascii=False))
    if which in ("live", "both"):
        print(json.dumps(bench_live_tally(), ensure_ascii=False))
