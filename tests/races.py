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
