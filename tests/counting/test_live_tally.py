"""The running tally the watchers poll (counting/live.py) is kept per round and ledger
position, and papers entered since are added to it: after any sequence of first entries
(polled after each or after several), second entries that agree or differ, mismatches
resolved either way, and write-ins, what a poll answers equals a full recount of the
database; also while several counters enter papers at once and a watcher polls.

A change that moved the tally without moving the ledger would be answered from the kept
copy, stale; a paper added twice or a correction added as a paper would be counted wrong:
that is what these tests catch (on SQLite and on PostgreSQL)."""
from __future__ import annotations

import itertools
import threading

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.engine import Engine

from election.counting import live
from election.counting.result import running_tally
from election.counting.service import enter_scanned, mismatches, resolve_mismatch, second_entry
from election.models import Election
from tests.conftest import DATA_KEY
from tests.factories import new_election
from tests.races import race

from .builder import build, entry_fields

PAPERS = 8
_names = itertools.count()

# One paper's marks: for each post a mark per candidate position (赞成 1, 反对 2, blank 0).
_MARKS = st.fixed_dictionaries({
    "jwh_zhuren": st.dictionaries(st.integers(0, 1), st.sampled_from("120"), max_size=2),
    "jwh_weiyuan": st.dictionaries(st.integers(0, 4), st.sampled_from("1120"), max_size=5),
    "jdw_weiyuan": st.dictionaries(st.integers(0, 2), st.sampled_from("10"), max_size=3),
})
_STEP = st.tuples(st.one_of(
    st.tuples(st.just("enter"), _MARKS, st.sampled_from(["", "王明", "居民013"])),
    st.tuples(st.just("second"), _MARKS, st.booleans()),
    st.tuples(st.just("resolve"), st.sampled_from(["first", "second"]), st.none()),
    st.tuples(st.just("poll"), st.none(), st.none()),
), st.booleans())  # polled after the step, or not (several entries between two polls)


def _fresh(db):
    election = new_election(db, f"实时计票社区{next(_names)}", days=0)
    built = build(db, election, DATA_KEY, voters=14, papers=PAPERS, boxes=2)
    db.commit()
    return election, built


def _assert_poll_is_recount(db, election: Election) -> None:
    db.rollback()  # a poll is a request of its own: it sees what is committed
    polled = live.live_state(db, election, 1)
    assert polled.data == running_tally(db, election, 1)
    assert polled.body == live.orjson.dumps(running_tally(db, election, 1))


# Each example builds an election of its own: no shrinking in the suite (a failure prints
# the whole sequence of steps, short enough to read).
@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(_STEP, min_size=1, max_size=14))
# Papers added between polls, a record corrected after the first poll, more papers after.
@example(steps=[(("enter", {"jwh_zhuren": {0: "1"}}, ""), True), (("enter", {"jwh_weiyuan": {1: "1"}}, "王明"), False),
                (("enter", {}, ""), True), (("second", {"jwh_zhuren": {1: "1"}}, False), True),
                (("resolve", "second", None), True), (("enter", {"jwh_zhuren": {1: "2"}}, "居民013"), True)])
def test_poll_equals_a_full_recount_after_any_entries(db, steps) -> None:
    election, b = _fresh(db)
    entered: list[tuple[str, dict]] = []  # (scan, first-entry fields)
    seconded: set[str] = set()
    for (kind, arg, extra), poll in steps:
        if kind == "enter" and len(entered) < PAPERS:
            scan = b.scans[len(entered)]
            fields = entry_fields(b, arg, {"jwh_weiyuan": extra} if extra else None)
            enter_scanned(db, election, b.boxes[len(entered) % 2].id, scan, fields, "c1", 1)
            db.commit()
            entered.append((scan, fields))
        elif kind == "second":
            waiting = [(s, f) for s, f in entered if s not in seconded]
            if waiting:
                scan, first = waiting[0]
                second_entry(db, election, scan, first if extra else entry_fields(b, arg), "c2", 1)
                db.commit()
                seconded.add(scan)
        elif kind == "resolve":
            found = mismatches(db, election, 1)
            if found:
                resolve_mismatch(db, election, found[0][0], arg, "a_committee", "核对纸质选票")
                db.commit()
        if poll or kind == "poll":
            _assert_poll_is_recount(db, election)
    _assert_poll_is_recount(db, election)


def test_poll_equals_a_full_recount_with_counters_entering_at_once(app, db) -> None:
    """Four counters enter papers at once while a watcher polls without pause: every
    answer the watcher got was a tally of the database at some moment (its papers between
    what was committed before and after), and the poll after the last entry is the recount."""
    election, b = _fresh(db)
    sessions = app.extensions["juxuan.sessions"]
    marks = [{"jwh_zhuren": {i % 2: "1"}, "jwh_weiyuan": {i % 5: "1", (i + 2) % 5: "2"}} for i in range(PAPERS)]
    done = threading.Event()
    seen: list[int] = []
    failures: list[BaseException] = []

    def watch() -> None:
        s = sessions()
        try:
            mine = s.get(Election, election.id)
            while not done.is_set():
                s.rollback()
                seen.append(live.live_state(s, mine, 1).data["returned"])
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            s.close()

    def enter(k: int):
        def act(s):
            for i in range(k, PAPERS, 4):
                enter_scanned(s, s.get(Election, election.id), b.boxes[i % 2].id, b.scans[i], entry_fields(b, marks[i]),
                              f"c{k}", 1)
                s.commit()
            return "ok"
        return act

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        outcomes = race(sessions, [enter(k) for k in range(4)])
    finally:
        done.set()
        watcher.join()
    assert not failures, failures
    assert outcomes == ["ok"] * 4
    assert seen and all(0 <= n <= PAPERS for n in seen) and seen == sorted(seen)
    _assert_poll_is_recount(db, election)
    assert running_tally(db, election, 1)["returned"] == PAPERS


def test_a_poll_after_papers_entered_counts_those_papers_only(db, monkeypatch) -> None:
    """After the first poll, papers entered are added to the kept tally (no recount, a few
    statements whatever the papers so far); a second entry leaves the answer and its ETag
    as they were; a resolved mismatch (a record changed, not added) is counted afresh."""
    election, b = _fresh(db)
    for i in range(2):
        enter_scanned(db, election, b.boxes[i % 2].id, b.scans[i], entry_fields(b, {"jwh_zhuren": {0: "1"}}), "c1", 1)
    db.commit()
    _assert_poll_is_recount(db, election)
    recounts: list[int] = []
    recount = live._recount
    monkeypatch.setattr(live, "_recount", lambda *a: recounts.append(1) or recount(*a))
    statements: list[str] = []

    def on_statement(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own, not the poll's
            statements.append(statement)

    def poll() -> live.Live:
        db.rollback()
        election.uid  # noqa: B018 - loaded as the request's election is, before the poll
        statements.clear()
        event.listen(Engine, "before_cursor_execute", on_statement)
        try:
            return live.live_state(db, election, 1)
        finally:
            event.remove(Engine, "before_cursor_execute", on_statement)

    for i in range(2, 5):  # both boxes, one paper with a write-in
        enter_scanned(db, election, b.boxes[i % 2].id, b.scans[i],
                      entry_fields(b, {"jwh_weiyuan": {i % 5: "1"}}, {"jwh_weiyuan": "王明"} if i == 3 else None), "c1", 1)
    db.commit()
    added = poll()
    assert recounts == [] and len(statements) <= 4, statements
    assert added.data == running_tally(db, election, 1) and added.data["returned"] == 5
    assert any(r["write_in"] for p in added.data["posts"] for r in p["rows"])

    second_entry(db, election, b.scans[2], entry_fields(b, {"jwh_weiyuan": {0: "1", 1: "1"}}), "c2", 1)
    db.commit()
    same = poll()
    assert recounts == [] and len(statements) == 1 and same.etag == added.etag and same.data == added.data

    resolve_mismatch(db, election, mismatches(db, election, 1)[0][0], "second", "a_committee", "核对纸质选票")
    db.commit()
    corrected = poll()
    assert recounts == [1] and corrected.data == running_tally(db, election, 1) and corrected.data != added.data


def test_a_paper_committed_between_the_polls_two_reads_is_counted_once_without_recount(db, monkeypatch) -> None:
    """A poll reads the ledger's position, then the records: a paper committed in between
    is in what is kept though its event is after the kept position. The next poll sees
    that event and finds no new D for it: the paper stays counted once, no recount."""
    election, b = _fresh(db)
    enter_scanned(db, election, b.boxes[0].id, b.scans[0], entry_fields(b, {"jwh_zhuren": {0: "1"}}), "c1", 1)
    db.commit()
    before = live._position(db, election)
    enter_scanned(db, election, b.boxes[1].id, b.scans[1], entry_fields(b, {"jwh_zhuren": {1: "1"}}), "c1", 1)
    db.commit()
    db.rollback()
    monkeypatch.setattr(live, "_position", lambda *_: before)  # the position read before the second paper
    assert live.live_state(db, election, 1).data["returned"] == 2
    monkeypatch.undo()
    recounts: list[int] = []
    recount = live._recount
    monkeypatch.setattr(live, "_recount", lambda *a: recounts.append(1) or recount(*a))
    enter_scanned(db, election, b.boxes[1].id, b.scans[2], entry_fields(b, {"jwh_zhuren": {1: "1"}}), "c1", 1)
    db.commit()
    polled = live.live_state(db, election, 1)
    assert recounts == [] and polled.data == running_tally(db, election, 1) and polled.data["returned"] == 3
