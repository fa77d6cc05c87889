"""Exactly-once under races (issue 17): one stub scanned at once at two boxes, or synced
from a mobile box while a station box scans it, or spoiled while deposited, is accepted
exactly once on both databases; every loser gets a Chinese refusal, never an error page.
`make test` runs a few trials; the soak lane runs 200 of each."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election.models import Election, Receipt
from election.polling import deposit
from election.polling.stations import create_station
from election.protocol import codes
from tests.polling.helpers import print_capturing
from tests.races import SOAK_TRIALS, SUITE_TRIALS, race

SCANS_PER_BOX = 8  # 16 scans of one stub per trial, as in the finding


def _stored(db, election, t_qr) -> Receipt:
    db.rollback()
    return db.get(Receipt, (election.id, codes.receipt_hash(election.uid, codes.parse(t_qr))))


def _deposit_split(app, db, poll, monkeypatch, trials: int) -> None:
    election, (box_a, box_b) = poll["election"], poll["boxes"][:2]
    papers = print_capturing(db, election, trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    for t_qr, _ in papers:
        def scan(box_id):
            def act(s):
                e = s.get(Election, election.id)
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
    mobile_box, station_box = mobile.boxes[0].id, poll["boxes"][0].id
    papers = print_capturing(db, election, trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    for i, (t_qr, _) in enumerate(papers):
        def sync(s):
            e = s.get(Election, election.id)
            [answer] = deposit.deposit_batch(s, e, mobile_box, [{"id": str(i), "code": t_qr, "hour": "2027-03-15T10"}])
            return "ok mobile" if answer["status"] == "ok" else answer["status"]

        def scan(s):
            e = s.get(Election, election.id)
            deposit.deposit(s, e, station_box, t_qr)
            return "ok station"
        outcomes = race(sessions, [sync] * 6 + [scan] * 4)
        accepted = [o for o in outcomes if o.startswith("ok")]
        assert len(accepted) == 1, outcomes
        row = _stored(db, election, t_qr)
        assert row.state == "deposited"
        assert row.box_id == (mobile_box if accepted[0] == "ok mobile" else station_box), outcomes
        if accepted[0] == "ok station":
            assert "duplicate" not in outcomes, outcomes
    assert db.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.election_id == election.id, Receipt.state == "deposited")) == trials


def _spoil_against_deposit(app, db, poll, monkeypatch, trials: int) -> None:
    """写错换票 and a deposit of the same paper at once: exactly one of them happens."""
    election, station, box = poll["election"], poll["station"], poll["boxes"][0]
    papers = print_capturing(db, election, trials, monkeypatch)
    sessions = app.extensions["juxuan.sessions"]
    for t_qr, a_qr in papers:
        def spoil(s):
            deposit.spoil(s, s.get(Election, election.id), station.id, t_qr, a_qr)
            return "ok spoiled"

        def void(s):
            deposit.void_unused(s, s.get(Election, election.id), t_qr, a_qr)
            return "ok unused"

        def scan(s):
            deposit.deposit(s, s.get(Election, election.id), box.id, t_qr)
            return "ok deposited"
        outcomes = race(sessions, [spoil] * 3 + [void] * 3 + [scan] * 3)
        accepted = [o for o in outcomes if o.startswith("ok")]
        assert len(accepted) == 1, outcomes
        assert _stored(db, election, t_qr).state == accepted[0].split()[1]


def test_deposit_split_across_two_boxes_accepted_once(app, db, poll, monkeypatch) -> None:
    _deposit_split(app, db, poll, monkeypatch, SUITE_TRIALS)


def test_mobile_sync_against_station_box_accepted_once(app, db, poll, monkeypatch) -> None:
    _mobile_sync(app, db, poll, monkeypatch, SUITE_TRIALS)


def test_spoil_void_and_deposit_of_one_paper_happen_once(app, db, poll, monkeypatch) -> None:
    _spoil_against_deposit(app, db, poll, monkeypatch, SUITE_TRIALS)


@pytest.mark.soak
def test_soak_deposit_split_200_trials(app, db, poll, monkeypatch) -> None:
    _deposit_split(app, db, poll, monkeypatch, SOAK_TRIALS)


@pytest.mark.soak
def test_soak_mobile_sync_200_trials(app, db, poll, monkeypatch) -> None:
    _mobile_sync(app, db, poll, monkeypatch, SOAK_TRIALS)


@pytest.mark.soak
def test_soak_spoil_against_deposit_200_trials(app, db, poll, monkeypatch) -> None:
    _spoil_against_deposit(app, db, poll, monkeypatch, SOAK_TRIALS)
