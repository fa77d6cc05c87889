"""Running the polling day: the actors, the kill -9, and the check afterwards."""
from __future__ import annotations

import os
import queue
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from election.protocol import event_kinds as ek

from .client import Client, Down
from .report import Stats, percentile
from .server import Server
from .world import PASSWORD, Community, build

MAX_SECONDS, MAX_DESKS, MAX_COMMUNITIES = 600, 200, 50
PG_ADMIN = (os.environ.get("JUXUAN_BENCH_PG_URL") or os.environ.get("JUXUAN_TEST_DATABASE_URL")
            or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@dataclass
class LoadConfig:
    database: str = "sqlite"  # or "postgresql" (a fresh database on PG_ADMIN's server)
    communities: int = 1
    desks: int = 4  # per community
    seconds: float = 20
    pace: float = 2.0  # seconds per voter at a desk; 0 runs the desks flat out
    workers: int | None = None  # gunicorn workers: 1 on SQLite, 4 on PostgreSQL
    threads: int | None = None  # threads per worker: 8 on SQLite, 4 on PostgreSQL
    kill_at: float | None = None  # seconds into the run to kill -9 and restart the server
    voters: int | None = None  # per community; enough for the run by default

    def checked(self) -> LoadConfig:
        if self.database not in ("sqlite", "postgresql"):
            raise ValueError("database is sqlite or postgresql")
        if not (0 < self.seconds <= MAX_SECONDS and 0 < self.desks <= MAX_DESKS and 0 < self.communities <= MAX_COMMUNITIES):
            raise ValueError(f"bounded run: seconds <= {MAX_SECONDS}, desks <= {MAX_DESKS}, communities <= {MAX_COMMUNITIES}")
        sqlite = self.database == "sqlite"
        self.workers = self.workers or (1 if sqlite else 4)
        self.threads = self.threads or (8 if sqlite else 4)
        if sqlite and self.workers != 1:
            raise ValueError("SQLite is served by one worker with threads")
        if self.voters is None:
            per_desk = self.seconds / self.pace if self.pace > 0 else self.seconds * 40
            self.voters = int(min(20000, max(60, per_desk * self.desks * 1.3 + 20)))
        return self


class Day:
    """What the actors share: the server, stop flag, stats and the acknowledged actions."""

    def __init__(self, server: Server, seconds: float) -> None:
        self.server, self.seconds = server, seconds
        self.stop = threading.Event()
        self.up = threading.Event()
        self.up.set()
        self.stats = Stats()
        self.lock = threading.Lock()
        self.issued: set[tuple[int, int]] = set()  # (election, voter)
        self.attempted: set[tuple[int, int]] = set()
        self.deposited: dict[tuple[int, str], int] = {}  # (election, stub) -> box
        self.counted: set[tuple[int, str]] = set()  # (election, body)
        self.receipts: list[tuple[int, str]] = []

    def call(self, client: Client, action: str, path: str, data: dict | None = None, accept: str = "text/html",
             landed=None, ok=None) -> str:
        """One action, retried while the server is down. Returns "ok", "landed" (a retry
        was refused because the first try had happened) or "refused"."""
        retry = False
        while True:
            if not self.up.wait(timeout=120):
                raise RuntimeError("server did not come back")
            try:
                status, body, seconds = client.request(path, data, accept)
            except Down:
                self.stats.note(action, "down")
                retry = True
                time.sleep(0.2)
                continue
            if status >= 500:
                self.stats.note(action, "server_error", seconds)
                return "refused"
            if (ok(status, body) if ok else status < 400):
                self.stats.note(action, "ok", seconds)
                return "ok"
            if retry and landed is not None and landed(body):
                self.stats.note(action, "landed", seconds)
                return "landed"
            self.stats.note(action, "refused", seconds)
            return "refused"


def _login(day: Day, community: Community, role: str, address: str) -> Client:
    client = Client(day.server.base, address)
    for _ in range(100):
        day.up.wait(timeout=120)
        try:
            client.login(community.user(role), PASSWORD)
            return client
        except Down:
            time.sleep(0.2)
    raise RuntimeError(f"could not log in as {community.user(role)}")


def desk(day: Day, c: Community, client: Client, index: int, pace: float, papers: queue.Queue, pool: list) -> None:
    desk_id = c.desk_ids[index]
    for voter_id, card in c.voters[index::len(c.desk_ids)]:
        if day.stop.is_set():
            return
        started = time.perf_counter()
        day.call(client, "lookup", f"/elections/{c.election_id}/polling/desks/{desk_id}?scan={card}")
        with day.lock:
            day.attempted.add((c.election_id, voter_id))
        outcome = day.call(client, "issue", f"/elections/{c.election_id}/polling/desks/{desk_id}/issue",
                           {"voter_id": voter_id}, accept="application/json",
                           landed=lambda body: "已领取选票" in body)
        if outcome in ("ok", "landed"):
            with day.lock:
                day.issued.add((c.election_id, voter_id))
                paper = pool.pop() if pool else None
            if paper is not None:
                # The paper handed across: its stub into the station's pool (a box takes no other).
                day.call(client, "hand_out", f"/elections/{c.election_id}/polling/desks/{desk_id}/hand-out",
                         {"stub": paper[0]}, accept="application/json",
                         landed=lambda body: "已在本投票站发出" in body)
                papers.put(paper)
        if pace > 0:
            time.sleep(max(0.0, random.uniform(0.7, 1.3) * pace - (time.perf_counter() - started)))


def scrutineer(day: Day, c: Community, client: Client, box_id: int, papers: queue.Queue, counting: queue.Queue) -> None:
    path = f"/elections/{c.election_id}/polling/boxes/{box_id}"
    while not (day.stop.is_set() and papers.empty()):
        try:
            stub, body = papers.get(timeout=0.2)
        except queue.Empty:
            continue
        outcome = day.call(client, "deposit", path, {"stub": stub}, landed=lambda page: "已投入票箱" in page)
        if outcome in ("ok", "landed"):
            with day.lock:
                day.deposited[(c.election_id, stub)] = box_id
                day.receipts.append((c.election_id, stub))
            counting.put((box_id, body))


def counter(day: Day, c: Community, client: Client, counting: queue.Queue, scrutineers_done: threading.Event) -> None:
    # The scrutineers confirm each box's papers were mixed before its first entry.
    for box_id in c.box_ids:
        day.call(client, "mixed", f"/elections/{c.election_id}/counting/1/entry?box={box_id}",
                 {"action": "mixed", "witnesses": "监票人甲、监票人乙"})
    while not (scrutineers_done.is_set() and counting.empty()):
        try:
            box_id, body = counting.get(timeout=0.2)
        except queue.Empty:
            continue
        outcome = day.call(client, "record", f"/elections/{c.election_id}/counting/1/entry?box={box_id}",
                           {"scan": body, **c.entry_fields}, ok=lambda status, page: "已记录" in page,
                           landed=lambda page: "已经录入过" in page)
        if outcome in ("ok", "landed"):
            with day.lock:
                day.counted.add((c.election_id, body))


def resident(day: Day, c: Community) -> None:
    """Residents at home checking their stubs, each from an address of their own."""
    rng = random.Random(c.election_id)
    while not day.stop.is_set():
        time.sleep(rng.uniform(0.5, 1.5))
        with day.lock:
            mine = [s for e, s in day.receipts if e == c.election_id]
        if not mine:
            continue
        stub = rng.choice(mine)
        client = Client(day.server.base, f"100.{rng.randrange(64, 128)}.{rng.randrange(256)}.{rng.randrange(1, 255)}")
        day.call(client, "receipt", "/R/" + stub.rsplit("/", 1)[1])


def watcher(day: Day, c: Community, client: Client) -> None:
    while not day.stop.is_set():
        day.call(client, "tally", f"/elections/{c.election_id}/counting/1/tally.json", accept="application/json")
        time.sleep(1.0)


def floor_prober(day: Day) -> None:
    """The true floor in the same run: /healthz on the same loaded server."""
    client = Client(day.server.base, "10.9.9.9")
    while not day.stop.is_set():
        day.call(client, "healthz", "/healthz")
        time.sleep(0.2)


def _database(config: LoadConfig, folder: Path) -> tuple[str, Callable[[], None]]:
    if config.database == "sqlite":
        return f"sqlite:///{folder / 'load.db'}", lambda: None
    name = f"juxuan_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), drop


def verify(url: str, day: Day, communities: list[Community]) -> dict:
    """Every acknowledged issuance, deposit and record is in the database exactly once."""
    from election.db import make_engine, make_sessionmaker
    from election.models import AuditCode, ElectionEvent, Issuance, Receipt
    from election.protocol import codes

    engine = make_engine(url)
    db = make_sessionmaker(engine)()
    problems: list[str] = []
    lost = duplicated = 0
    try:
        rows = db.execute(select(Issuance.election_id, Issuance.voter_id, func.count())
                          .group_by(Issuance.election_id, Issuance.voter_id)).all()
        stored = {(e, v): n for e, v, n in rows}
        for key, n in stored.items():
            if n > 1:
                duplicated += n - 1
                problems.append(f"issuance {key} stored {n} times")
            elif key not in day.attempted:
                duplicated += 1
                problems.append(f"issuance {key} stored but never asked for")
        for key in day.issued:
            if key not in stored:
                lost += 1
                problems.append(f"acknowledged issuance {key} missing")
        uids = {c.election_id: c.uid for c in communities}
        for (election_id, stub), box_id in day.deposited.items():
            r = codes.receipt_hash(uids[election_id], codes.parse(stub))
            row = db.get(Receipt, (election_id, r))
            if row is None or row.state != "deposited" or row.box_id != box_id:
                lost += 1
                problems.append(f"acknowledged deposit in box {box_id} missing ({row.state if row else 'no row'})")
        deposited = db.scalar(select(func.count()).select_from(Receipt).where(Receipt.state == "deposited")) or 0
        if deposited != len(day.deposited):
            duplicated += max(0, deposited - len(day.deposited))
            problems.append(f"{deposited} stubs deposited in the database, {len(day.deposited)} acknowledged")
        for election_id, body in day.counted:
            d = codes.audit_hash(uids[election_id], codes.parse_audit_qr(body))
            record = db.get(AuditCode, (election_id, d))
            if record is None or record.state != "counted":
                lost += 1
                problems.append("acknowledged record missing")
        counted = db.scalar(select(func.count()).select_from(AuditCode).where(AuditCode.state == "counted")) or 0
        events = db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.kind == ek.COUNTING_PAPER_COUNTED))
        if counted != len(day.counted):
            duplicated += max(0, counted - len(day.counted))
            problems.append(f"{counted} papers counted in the database, {len(day.counted)} acknowledged")
        if events != counted:
            problems.append(f"{events} counting.paper_counted events for {counted} counted papers")
        return {"issued": len(day.issued), "deposited": len(day.deposited), "counted": len(day.counted),
                "stored_issuances": sum(stored.values()), "lost": lost, "duplicated": duplicated,
                "events_match": events == counted, "problems": problems,
                "ok": lost == 0 and duplicated == 0 and events == counted and len(day.issued) > 0}
    finally:
        db.close()
        engine.dispose()


def run_load(config: LoadConfig) -> dict:
    """Run one polling day; returns the report (see tools/load/__init__.py)."""
    from cryptography.fernet import Fernet

    from election.db import make_engine, make_sessionmaker
    from election.schema import upgrade

    config = config.checked()
    folder = Path(tempfile.mkdtemp(prefix="juxuan-load-"))
    url, drop = _database(config, folder)
    server = None
    try:
        data_key = Fernet.generate_key().decode("ascii")
        engine = make_engine(url)
        upgrade(engine)
        db = make_sessionmaker(engine)()
        started = time.perf_counter()
        assert config.voters is not None and config.workers is not None and config.threads is not None  # set by checked()
        communities = build(db, data_key, config.communities, config.desks, config.voters)
        setup_s = time.perf_counter() - started
        db.close()
        engine.dispose()
        server = Server({"DATABASE_URL": url, "JUXUAN_DATA_KEY": data_key, "SECRET_KEY": uuid.uuid4().hex,
                         "JUXUAN_INSTANCE": str(folder / "instance")}, config.workers, config.threads, folder / "server.log")
        server.start()
        day = Day(server, config.seconds)
        floor = _floor(server)
        threads: list[threading.Thread] = []
        box_threads: list[threading.Thread] = []
        counter_threads: list[threading.Thread] = []
        done_events = []
        # Everyone logs in before the clock starts (Argon2 at production cost is slow on
        # purpose; a polling day's logins happen before the doors open).
        logins = []
        for c in communities:
            cid = c.election_id % 250
            logins += [(c, "clerk", f"10.1.{cid}.{i + 1}") for i in range(len(c.desk_ids))]
            logins += [(c, "scrutineer", f"10.2.{cid}.{n + 1}") for n in range(len(c.box_ids))]
            logins += [(c, "counter", f"10.3.{cid}.1"), (c, "committee", f"10.4.{cid}.1")]
        clients: dict[tuple[int, str], Client] = {}

        def log_in(item) -> None:
            c, role, address = item
            clients[(c.election_id, address)] = _login(day, c, role, address)
        _parallel(log_in, logins, 8)
        for c in communities:
            cid = c.election_id % 250
            papers: queue.Queue = queue.Queue()
            counting: queue.Queue = queue.Queue()
            pool = list(reversed(c.papers))
            scrutineers_done = threading.Event()
            done_events.append(scrutineers_done)
            for i in range(len(c.desk_ids)):
                threads.append(threading.Thread(target=desk, args=(
                    day, c, clients[(c.election_id, f"10.1.{cid}.{i + 1}")], i, config.pace, papers, pool), daemon=True))
            box_threads += [threading.Thread(target=scrutineer, args=(
                day, c, clients[(c.election_id, f"10.2.{cid}.{n + 1}")], b, papers, counting), daemon=True)
                for n, b in enumerate(c.box_ids)]
            counter_threads.append(threading.Thread(target=counter, args=(
                day, c, clients[(c.election_id, f"10.3.{cid}.1")], counting, scrutineers_done), daemon=True))
            threads += [threading.Thread(target=resident, args=(day, c), daemon=True),
                        threading.Thread(target=watcher, args=(day, c, clients[(c.election_id, f"10.4.{cid}.1")]),
                                         daemon=True)]
        threads.append(threading.Thread(target=floor_prober, args=(day,), daemon=True))
        began = time.perf_counter()
        for t in threads + box_threads + counter_threads:
            t.start()
        kill = None
        if config.kill_at is not None and 0 < config.kill_at < config.seconds:
            time.sleep(config.kill_at)
            day.up.clear()
            server.kill9()
            at = time.perf_counter() - began
            restart_s = server.start()
            day.up.set()
            kill = {"at": round(at, 2), "downtime_s": round(restart_s, 2)}
        time.sleep(max(0.0, config.seconds - (time.perf_counter() - began)))
        day.stop.set()
        for t in threads:
            t.join(timeout=120)
        # The boxes take every paper the desks handed out, then the counters finish.
        for t in box_threads:
            t.join(timeout=300)
        for e in done_events:
            e.set()
        for t in counter_threads:
            t.join(timeout=300)
        elapsed = time.perf_counter() - began
        server.stop()
        verified = verify(url, day, communities)
        actions = day.stats.summary(elapsed)
        report = {"config": asdict(config), "seconds": round(elapsed, 2), "setup_s": round(setup_s, 2),
                  "floor_healthz_per_second": floor, "actions": actions, "kill": kill, "verified": verified}
        issue = actions.get("issue", {})
        healthz = actions.get("healthz", {})
        if issue.get("p50_ms") and healthz.get("p50_ms"):
            report["issue_p50_over_healthz_p50"] = round(issue["p50_ms"] / healthz["p50_ms"], 2)
        return report
    finally:
        if server is not None:
            server.stop()
        drop()
        import shutil
        if os.environ.get("JUXUAN_LOAD_KEEP"):
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _parallel(function: Callable[[Any], object], items: list[Any], n: int) -> None:
    """Run ``function`` over ``items`` from ``n`` threads; the first error is raised."""
    pending: queue.Queue[Any] = queue.Queue()
    for item in items:
        pending.put(item)
    errors: list[BaseException] = []

    def work() -> None:
        while True:
            try:
                item = pending.get_nowait()
            except queue.Empty:
                return
            try:
                function(item)
            except BaseException as error:  # noqa: BLE001 - raised below
                errors.append(error)
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _floor(server: Server, clients: int = 8, seconds: float = 2.0) -> float:
    """Requests per second of /healthz from ``clients`` threads before the day starts."""
    counts = [0] * clients
    stop = time.perf_counter() + seconds

    def hammer(i: int) -> None:
        client = Client(server.base, "10.9.9.8")
        while time.perf_counter() < stop:
            try:
                client.request("/healthz")
                counts[i] += 1
            except Down:
                pass
    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(sum(counts) / seconds, 1)


__all__ = ["LoadConfig", "run_load", "percentile"]
