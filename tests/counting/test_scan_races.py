"""Exactly-once for scanned papers (issue 21): several people entering one paper at once
leave one entry; several approving it at once record it once; two scrutineers approving one
batch at once record its papers once. The loser is refused in Chinese, on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election.counting import mixing
from election.counting.scan_batches import approve_batch, approve_reading, enter_reading
from election.counting.service import d_from_scan
from election.models import AuditCode, Election, ElectionEvent, ScanBatch, ScanPaper
from tests.conftest import DATA_KEY
from tests.races import SOAK_TRIALS, SUITE_TRIALS, race, rendezvous

from .builder import build, entry_fields

PEOPLE = 6


def _count(db, model, *where) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _scan_race(app, db, world, trials: int) -> None:
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=max(12, 2 * trials), papers=2 * trials, boxes=1)
    box = b.boxes[0]
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", "s")
    batch = ScanBatch(election_id=election.id, round_number=1, box_id=box.id, label="x", pages=4 * trials, read_by="c")
    db.add(batch)
    db.flush()
    marks = entry_fields(b, {"jwh_zhuren": {0: "1"}})
    proposed = {"jwh_zhuren": {"approve": [str(b.candidates["jwh_zhuren"][0].resident_id)], "oppose": [],
                               "write_ins": [], "unreadable": False}}
    people, sure = [], []
    for i, scan in enumerate(b.scans):
        token = f"{i:032x}"
        state = "to_people" if i < trials else "confident"
        db.add(ScanPaper(election_id=election.id, token=token, batch_id=batch.id, pages=f"{2 * i + 1}-{2 * i + 2}",
                         d_hash=d_from_scan(election, scan), state=state, reasons=[], proposed=proposed, boxes=[]))
        (people if i < trials else sure).append(token)
    db.commit()
    sessions = app.extensions["juxuan.sessions"]

    def act(call):
        def run(s):
            call(s, s.get(Election, election.id))
            s.commit()
            return "ok"
        return run

    for token in people:
        outcomes = race(sessions, [act(lambda s, e, n=n, t=token: enter_reading(s, e, t, marks, f"c{n}"))
                                   for n in range(PEOPLE)])
        assert outcomes.count("ok") == 1, outcomes
        assert all(o.startswith("refused: 这张选票不在待人工认定之列") for o in outcomes if o != "ok"), outcomes
        outcomes = race(sessions, [act(lambda s, e, n=n, t=token: approve_reading(s, e, t, f"s{n}"))
                                   for n in range(PEOPLE)])
        assert outcomes.count("ok") == 1, outcomes
    outcomes = race(sessions, [act(lambda s, e, n=n: approve_batch(s, e, batch.id, f"s{n}")) for n in range(PEOPLE)])
    assert outcomes.count("ok") == 1, outcomes
    # A loser is refused either at the batch (already approved) or, on SQLite where it may read
    # the batch before the winner commits, at the paper (its D already counted): one result.
    assert all("不能再次确认" in o or "不得重复计入" in o for o in outcomes if o != "ok"), outcomes
    assert _count(db, AuditCode, AuditCode.election_id == election.id, AuditCode.state == "counted") == 2 * trials
    assert _count(db, ElectionEvent, ElectionEvent.kind == "counting.paper_counted") == 2 * trials
    assert _count(db, ElectionEvent, ElectionEvent.kind == "counting.scan_paper_entered") == trials
    assert _count(db, ElectionEvent, ElectionEvent.kind == "counting.scan_batch_approved") == 1


def test_scanned_papers_are_recorded_once_under_races(app, db, world):
    _scan_race(app, db, world, max(2, SUITE_TRIALS // 4))


@pytest.mark.soak
def test_scanned_papers_are_recorded_once_under_races_soak(app, db, world):
    _scan_race(app, db, world, SOAK_TRIALS // 4)


def test_a_batch_approved_while_one_of_its_papers_is_entered_by_hand(app, db, world, monkeypatch):
    """A scrutineer approves a scanned batch while a counter enters one of its papers by hand
    (record_paper, as every entry does): the paper is recorded once, by one of them, and the
    other is refused in Chinese; PostgreSQL aborts neither as a deadlock. The batch used to
    record its papers one by one, each with its event: holding the chain head after the
    first, it then waited for the hand entry's paper, which waited for the chain head. Hooks
    hold each side just there (the batch before its second paper, the hand entry before its
    event) until the other arrives, or for a moment when it cannot (it waits for a lock)."""
    import threading

    from election.counting import scan_batches, service
    from election.counting.scan_batches import papers_of

    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=3, boxes=1)
    box = b.boxes[0]
    mixing.confirm_mixed(db, election, 1, box.id, "监票人甲、乙", "s")
    batch = ScanBatch(election_id=election.id, round_number=1, box_id=box.id, label="x", pages=6, read_by="c")
    db.add(batch)
    db.flush()
    proposed = {"jwh_zhuren": {"approve": [str(b.candidates["jwh_zhuren"][0].resident_id)], "oppose": [],
                               "write_ins": [], "unreadable": False}}
    for i, scan in enumerate(b.scans):
        db.add(ScanPaper(election_id=election.id, token=f"{i:032x}", batch_id=batch.id, pages=f"{2 * i + 1}-{2 * i + 2}",
                         d_hash=d_from_scan(election, scan), state="confident", reasons=[], proposed=proposed, boxes=[]))
    db.commit()
    second = papers_of(db, election, batch.id)[1].d_hash
    election_id, batch_id, box_id = election.id, batch.id, box.id

    meet = rendezvous()
    by_hand = threading.local()

    real_record, real_event = scan_batches.record_paper, service.record_event
    calls = []

    def batch_record(db, election, box, d_hash, *args, **kwargs):
        calls.append(d_hash)
        if len(calls) == 2:
            meet()
        return real_record(db, election, box, d_hash, *args, **kwargs)

    def event(*args, **kwargs):
        if getattr(by_hand, "on", False):
            meet()
        return real_event(*args, **kwargs)

    monkeypatch.setattr(scan_batches, "record_paper", batch_record)
    monkeypatch.setattr(service, "record_event", event)

    def approve(s):
        approve_batch(s, s.get(Election, election_id), batch_id, "s1")
        s.commit()
        return "approved"

    def enter(s):
        from election.models import BallotBox

        by_hand.on = True
        service.record_paper(s, s.get(Election, election_id), s.get(BallotBox, box_id), second, proposed, "c1")
        s.commit()
        return "entered"

    outcomes = race(app.extensions["juxuan.sessions"], [approve, enter])
    refused = "refused: 此选票已经录入过，不得重复计入，请交选举委员会处理"
    assert sorted(outcomes) in (["approved", refused], ["entered", refused]), outcomes
    counted = _count(db, AuditCode, AuditCode.election_id == election.id, AuditCode.state == "counted")
    events = _count(db, ElectionEvent, ElectionEvent.election_id == election.id,
                    ElectionEvent.kind == "counting.paper_counted")
    assert (counted, events) == ((3, 3) if "approved" in outcomes else (1, 1)), (outcomes, counted, events)
