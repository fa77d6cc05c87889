"""Running one action from many threads at once, each with its own database session, as
many desks, boxes or counters would: the outcomes of every thread, in no order."""
from __future__ import annotations

import threading
from collections.abc import Callable

from election.errors import UserError

SUITE_TRIALS = 8  # per race test in `make test`; the soak lane runs SOAK_TRIALS
SOAK_TRIALS = 200


def race(sessions, actions: list[Callable]) -> list[str]:
    """Start ``actions`` (each ``f(session) -> str``) together behind a barrier. A UserError
    is the outcome "refused: <message>"; any other exception fails the race."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(action: Callable) -> None:
        s = sessions()
        try:
            barrier.wait()
            try:
                result = action(s)
            except UserError as error:
                s.rollback()
                result = "refused: " + "；".join(error.messages)
            with lock:
                outcomes.append(result)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            with lock:
                failures.append(error)
        finally:
            s.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return outcomes


def rendezvous(timeout: float = 2) -> Callable[[], None]:
    """The meeting point of a lock race's two sides, each held just before the lock the other
    takes: each waits for the other at most ``timeout`` seconds. A side that never arrives is
    waiting for a lock this one holds (the fix works): the barrier breaks and both go on."""
    meet = threading.Barrier(2, timeout=timeout)

    def wait() -> None:
        try:
            meet.wait()
        except threading.BrokenBarrierError:
            pass

    return wait


def meet_after(monkeypatch, owner, name: str, timeout: float = 2, meet: Callable[[], None] | None = None) -> None:
    """Hold each call of ``owner.name`` (a module's function, read before a lock is taken)
    at one rendezvous just after it returns: both sides of the race have read, neither has
    taken the lock yet. ``meet``: a rendezvous the other side's own hook shares."""
    real, meet = getattr(owner, name), meet or rendezvous(timeout)

    def held(*args, **kwargs):
        out = real(*args, **kwargs)
        meet()
        return out

    monkeypatch.setattr(owner, name, held)


class OtherWriter:
    """A second SQLite connection that tries to write while a unit of work is under way
    (between its reads and its first write): ``attempt()`` changes the election's title (a
    real change: an update that changes nothing goes unnoticed) and records "written" or
    SQLite's refusal in ``outcome``. A unit that took the write lock before its first read
    gives ``["database is locked"]``; one that read first lets the write through and then
    fails its own write."""

    def __init__(self, schema: str, election_id: int) -> None:
        import sqlite3

        self._error = sqlite3.OperationalError
        self.connection = sqlite3.connect(schema.removeprefix("sqlite:///"), timeout=0)
        self.election_id = election_id
        self.outcome: list[str] = []

    def attempt(self) -> None:
        try:
            self.connection.execute("UPDATE election SET title = title || '·' WHERE id = ?", (self.election_id,))
            self.connection.commit()
            self.outcome.append("written")
        except self._error as error:
            self.connection.rollback()
            self.outcome.append(str(error))

    def close(self) -> None:
        self.connection.close()
