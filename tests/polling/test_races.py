"""Exactly-once under races (issue 17): one stub scanned at once at two boxes, or synced
from a mobile box while a station box scans it, or spoiled while deposited, is accepted
exactly once on both databases; every loser gets a Chinese refusal, never an error page.
The pool of handed-out papers (issue 23) under races: one stub handed out at two desks at
once goes into the pool once, and a station's allowance holds when its desks hand out
together. `make test` runs a few trials; the soak lane runs 200 of each."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election.models import Election, Receipt
from election.polling import deposit, handout, issuance
from election.polling.stations import create_station
from election.protocol import codes
from tests.polling.helpers import plant_in_pool, print_capturing
from tests.races import SOAK_TRIALS, SUITE_TRIALS, race

SCANS_PER_BOX = 8  # 16 scans of one stub per trial, as in the issue's finding


def _stored(db, election, t_qr) -> Receipt:
    db.rollback()
    return db.get(Receipt, (election.id, codes.receipt_hash(election.uid, codes.parse(t_qr))))


def _deposit_split(app, db, poll, monkeypatch, trials: int) -> None:
    election, (box_a, box_b) = poll["election"], poll["boxes"][:2]
    election_id = election.id  # the threads must not lazy-load through the test's own session
    papers = print_capturing(db, election, trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    for t_qr, _ in papers:
        plant_in_pool(db, election, poll["station"], t_qr)  # handed out at the station's desk

        def scan(box_id):
            def act(s):
                e = s.get(Election, election_id)
                deposit.deposit(s, e, box_id, t_qr)
                return f"ok {box_id}"
            return act
        outcomes = race(sessions, [scan(box_a.id)] * SCANS_PER_BOX + [scan(box_b.id)] * SCANS_PER_BOX)
        accepted = [o for o in outcomes if o.startswith("ok")]
        assert len(accepted) == 1, outcomes
        assert all(o.startswith("refused: 拒绝") for o in outcomes if not o.startswith("ok")), outcomes
        row = _stored(db, election, t_qr)
        assert row.state == "deposited" and accepted[0] == f"ok {row.box_id}"
    assert db.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.election_id == election.id, Receipt.state == "deposited")) == trials


def _mobile_sync(app, db, poll, monkeypatch, trials: int) -> None:
    """A mobile box's phone re-sends its queue twice at once while a station box scans the
    same stub: one acceptance; a re-sent item of the winning mobile box is "duplicate"."""
    election = poll["election"]
    mobile = create_station(db, election, "t", "流动票箱一", boxes=1, mobile=True, scrutineers=["甲", "乙", "丙"])
    db.commit()
    election_id = election.id
    mobile_box, station_box = mobile.boxes[0].id, poll["boxes"][0].id
    papers = print_capturing(db, election, trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    for i, (t_qr, _) in enumerate(papers):
        # Handed out by the mobile box, or (every other trial) at the station's desk: only
        # the box of that station may take it, whichever scans first.
        handed_by = mobile if i % 2 == 0 else poll["station"]
        plant_in_pool(db, election, handed_by, t_qr)

        def sync(s):
            e = s.get(Election, election_id)
            [answer] = deposit.deposit_batch(s, e, mobile_box, [{"id": str(i), "code": t_qr, "hour": "2027-03-15T10"}])
            return "ok mobile" if answer["status"] == "ok" else answer["status"]

        def scan(s):
            e = s.get(Election, election_id)
            deposit.deposit(s, e, station_box, t_qr)
            return "ok station"
        outcomes = race(sessions, [sync] * 6 + [scan] * 4)
        accepted = [o for o in outcomes if o.startswith("ok")]
        assert len(accepted) == 1, outcomes
        row = _stored(db, election, t_qr)
        assert row.state == "deposited"
        assert row.box_id == (mobile_box if accepted[0] == "ok mobile" else station_box), outcomes
        assert accepted[0] == ("ok mobile" if handed_by is mobile else "ok station"), outcomes
        if accepted[0] == "ok station":
            assert "duplicate" not in outcomes, outcomes
    assert db.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.election_id == election.id, Receipt.state == "deposited")) == trials


def _spoil_against_deposit(app, db, poll, monkeypatch, trials: int) -> None:
    """写错换票 and a deposit of the same paper at once: exactly one of them happens."""
    election, station, box = poll["election"], poll["station"], poll["boxes"][0]
    # Ids read here: the threads must not lazy-load through the test's own session.
    station_id, box_id, election_id = station.id, box.id, election.id
    papers = print_capturing(db, election, trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    for i, (t_qr, a_qr) in enumerate(papers):
        if i % 2:  # handed out: spoiled or deposited; else never handed out: only voided as unused
            plant_in_pool(db, election, station, t_qr)

        def spoil(s):
            deposit.spoil(s, s.get(Election, election_id), station_id, t_qr, a_qr)
            return "ok spoiled"

        def void(s):
            deposit.void_unused(s, s.get(Election, election_id), t_qr, a_qr)
            return "ok unused"

        def scan(s):
            deposit.deposit(s, s.get(Election, election_id), box_id, t_qr)
            return "ok deposited"
        outcomes = race(sessions, [spoil] * 3 + [void] * 3 + [scan] * 3)
        accepted = [o for o in outcomes if o.startswith("ok")]
        assert len(accepted) == 1, outcomes
        assert _stored(db, election, t_qr).state == accepted[0].split()[1]
        assert (accepted[0] == "ok unused") == (i % 2 == 0), outcomes


def _hand_out_race(app, db, poll, monkeypatch, trials: int) -> None:
    """Two desks of the station scan one stub into the pool at once (eight times each):
    exactly one acceptance. Then, with room for one more paper, each desk hands out a
    different paper at once: exactly one is taken, the other refused naming the allowance."""
    election, station = poll["election"], poll["station"]
    election_id, station_id = election.id, station.id
    papers = print_capturing(db, election, 3 * trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    voters = iter(poll["voters"])
    for i in range(trials):
        t_qr, a, b = (p[0] for p in papers[3 * i:3 * i + 3])
        issuance.issue_ballot(db, election, poll["desks"][0].id, next(voters).id, "a_clerk")

        def give(code):
            def act(s):
                handout.hand_out(s, s.get(Election, election_id), station_id, code)
                return "ok " + code
            return act
        outcomes = race(sessions, [give(t_qr)] * 8)
        assert [o for o in outcomes if o.startswith("ok")] == ["ok " + t_qr], outcomes
        assert all("已在本投票站发出" in o or "达到" in o for o in outcomes if not o.startswith("ok")), outcomes
        assert _stored(db, election, t_qr).handed_station_id == station.id
        # Room for one more (one more check-in): two desks, two different papers.
        issuance.issue_ballot(db, election, poll["desks"][1].id, next(voters).id, "a_clerk")
        outcomes = race(sessions, [give(a), give(b)])
        accepted = [o for o in outcomes if o.startswith("ok")]
        assert len(accepted) == 1 and any("达到" in o for o in outcomes if not o.startswith("ok")), outcomes
        db.rollback()
        handed, allowed = handout.allowance(db, db.get(Election, election.id), station, 1)
        assert handed == allowed


def test_deposit_split_across_two_boxes_accepted_once(app, db, poll, monkeypatch) -> None:
    _deposit_split(app, db, poll, monkeypatch, SUITE_TRIALS)


def test_mobile_sync_against_station_box_accepted_once(app, db, poll, monkeypatch) -> None:
    _mobile_sync(app, db, poll, monkeypatch, SUITE_TRIALS)


def test_spoil_void_and_deposit_of_one_paper_happen_once(app, db, poll, monkeypatch) -> None:
    _spoil_against_deposit(app, db, poll, monkeypatch, SUITE_TRIALS)


def test_one_stub_handed_out_once_and_the_allowance_holds(app, db, poll, monkeypatch) -> None:
    _hand_out_race(app, db, poll, monkeypatch, 4)


@pytest.mark.soak
def test_soak_deposit_split_200_trials(app, db, poll, monkeypatch) -> None:
    _deposit_split(app, db, poll, monkeypatch, SOAK_TRIALS)


@pytest.mark.soak
def test_soak_mobile_sync_200_trials(app, db, poll, monkeypatch) -> None:
    _mobile_sync(app, db, poll, monkeypatch, SOAK_TRIALS)


@pytest.mark.soak
def test_soak_spoil_against_deposit_200_trials(app, db, poll, monkeypatch) -> None:
    _spoil_against_deposit(app, db, poll, monkeypatch, SOAK_TRIALS)


def test_two_hand_overs_and_two_mobile_registrations_at_once(app, db, poll, monkeypatch) -> None:
    """The committee hands papers to a station twice at once: both counted (PostgreSQL added
    each to the count it had read, one was lost; SQLite answered "database is locked" to the
    second writer's lock upgrade). Two clerks register one voter for the mobile box at once:
    registered once and the other refused in Chinese (PostgreSQL: a duplicate key, a 500).
    Each now takes the write lock and its row (the station; the voter) before reading."""
    from election.models import MobileBoxVoter, PollingStation
    from election.polling import stations
    from tests.races import meet_after

    election_id, station_id = poll["election"].id, poll["station"].id
    mobile = create_station(db, poll["election"], "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"])
    db.commit()
    box_id, voter = mobile.boxes[0].id, poll["voters"][30]
    sessions = app.extensions["juxuan.sessions"]
    meet_after(monkeypatch, stations, "station_of")  # the station read, before its count is written

    def hand(count):
        def act(s):
            stations.hand_over(s, s.get(Election, election_id), "c", station_id, count, "王")
            s.commit()
            return f"handed {count}"
        return act

    assert sorted(race(sessions, [hand(100), hand(50)])) == ["handed 100", "handed 50"]
    db.rollback()
    assert db.get(PollingStation, station_id).papers_handed_over == 150
    meet_after(monkeypatch, stations, "box_of")  # the voter found, before the registration is checked and written

    def register(s):
        stations.register_mobile_voter(s, s.get(Election, election_id), "c", box_id, str(voter.voter_number), "年老体弱")
        s.commit()
        return "registered"

    outcomes = race(sessions, [register, register])
    assert sorted(outcomes) == ["refused: “" + voter.name + "”已登记使用流动票箱", "registered"], outcomes
    db.rollback()
    assert db.scalar(select(func.count()).select_from(MobileBoxVoter)) == 1


def test_recording_the_hours_holds_the_write_lock_from_its_first_read(db, poll, schema, monkeypatch) -> None:
    """SQLite: the close-of-poll page's hourly counts read what was recorded as a reader and
    wrote after, so a desk or box committing in between made the write fail with "database is
    locked". The write lock is taken first: the other writer is refused at once and the hours
    are recorded."""
    from election.polling import turnout
    from tests.races import OtherWriter

    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")
    election = poll["election"]
    db.commit()
    other = OtherWriter(schema, election.id)
    real = turnout._recorded

    def meanwhile(*args, **kwargs):  # after the round was checked, before anything is written
        other.attempt()
        return real(*args, **kwargs)

    monkeypatch.setattr(turnout, "_recorded", meanwhile)
    try:
        turnout.close_hours(db, election, "c", final=True)
        db.commit()
    finally:
        other.close()
    assert other.outcome[0] == "database is locked"
