"""Deposit, spoiled and unused papers (DESIGN.md ledger steps 3 and 5): R under a box with
the hour only; unknown, spoiled, unused or already-deposited stubs refused; the offline
batch sync is idempotent; counts per hour become events, never one event per deposit."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from election.errors import UserError
from election.models import AuditCode, ElectionEvent, Receipt, SpoilRecord
from election.polling import deposit, issuance, turnout
from election.protocol import codes
from tests.conftest import csrf_token, login
from tests.polling.helpers import hand_out, issue_and_hand_out, print_capturing


def _receipt(db, election, t_qr):
    db.rollback()
    return db.get(Receipt, (election.id, codes.receipt_hash(election.uid, codes.parse(t_qr))))


def test_deposit_records_box_and_hour_and_refuses_twice(db, poll, monkeypatch) -> None:
    election, box = poll["election"], poll["boxes"][0]
    papers = print_capturing(db, election, 4, monkeypatch)
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20], papers[0][0])
    at = datetime(2027, 3, 15, 9, 42, 17)
    result = deposit.deposit(db, election, box.id, papers[0][0], at)
    assert result.hour == "2027-03-15T09"
    row = _receipt(db, election, papers[0][0])
    assert (row.state, row.box_id, row.deposited_hour) == ("deposited", box.id, "2027-03-15T09")
    with pytest.raises(UserError) as info:
        deposit.deposit(db, election, poll["boxes"][1].id, papers[0][0])
    assert "已投入票箱" in info.value.messages[0]
    with pytest.raises(UserError) as info:
        deposit.deposit(db, election, box.id, "HTTPS://JX.EXAMPLE.CN/R/" + codes.compact(codes.new_code()))
    assert "未知存根" in info.value.messages[0]
    with pytest.raises(UserError) as info:
        deposit.deposit(db, election, box.id, papers[1][1])  # the body QR is not a stub
    assert "审计码" in info.value.messages[0]


def test_spoiled_and_unused_are_voided_and_refused_at_the_box(db, poll, monkeypatch) -> None:
    election, station, box = poll["election"], poll["station"], poll["boxes"][0]
    papers = print_capturing(db, election, 3, monkeypatch)
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20], papers[0][0])
    deposit.spoil(db, election, station.id, papers[0][0], papers[0][1])
    deposit.void_unused(db, election, papers[1][0], papers[1][1])
    assert _receipt(db, election, papers[0][0]).state == "spoiled"
    assert _receipt(db, election, papers[1][0]).state == "unused"
    assert db.scalar(select(func.count()).select_from(AuditCode).where(AuditCode.state == "voided")) == 2
    assert db.scalar(select(func.count()).select_from(SpoilRecord).where(SpoilRecord.station_id == station.id)) == 1
    for t_qr, _ in papers[:2]:
        with pytest.raises(UserError) as info:
            deposit.deposit(db, election, box.id, t_qr)
        assert "拒绝" in info.value.messages[0]


def test_offline_batch_sync_is_idempotent(db, poll, monkeypatch) -> None:
    election, box = poll["election"], poll["boxes"][1]
    papers = print_capturing(db, election, 3, monkeypatch)
    for i in range(2):
        issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20 + i], papers[i][0])
    batch = [{"id": "a", "code": papers[0][0], "hour": "2027-03-15T10"}, {"id": "b", "code": papers[1][0]},
             {"id": "c", "code": "not a code"}]
    first = deposit.deposit_batch(db, election, box.id, batch)
    assert [r["status"] for r in first] == ["ok", "ok", "refused"]
    again = deposit.deposit_batch(db, election, box.id, batch)  # the phone re-sends after a lost answer
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "refused"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Receipt).where(Receipt.state == "deposited")) == 2
    assert _receipt(db, election, papers[0][0]).deposited_hour == "2027-03-15T10"


def test_box_page_and_sync_endpoint_over_http(app, db, poll, monkeypatch) -> None:
    election, box = poll["election"], poll["boxes"][0]
    papers = print_capturing(db, election, 2, monkeypatch)
    for i in range(2):
        issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20 + i], papers[i][0])
    client = app.test_client()
    login(client, "a_scrutineer")
    url = f"/elections/{election.id}/polling/boxes/{box.id}"
    token = csrf_token(client, url)
    ok = client.post(url, data={"stub": papers[0][0], "csrf_token": token})
    assert ok.status_code == 200 and "已投入" in ok.get_data(as_text=True)
    again = client.post(url, data={"stub": papers[0][0], "csrf_token": token})
    assert again.status_code == 422 and 'role="alert"' in again.get_data(as_text=True)
    sync = client.post(url + "/sync", json={"scans": [{"id": "x", "code": papers[1][0]}]}, headers={"X-CSRFToken": token})
    assert sync.get_json() == {"results": [{"id": "x", "status": "ok"}]}


def test_hourly_count_events_not_per_deposit(db, poll, monkeypatch) -> None:
    election, box, desk = poll["election"], poll["boxes"][0], poll["desks"][0]
    papers = print_capturing(db, election, 3, monkeypatch)
    for i in range(3):
        issuance.issue_ballot(db, election, desk.id, poll["voters"][20 + i].id, "a_clerk")
        hand_out(db, election, poll["station"], papers[i][0])
        deposit.deposit(db, election, box.id, papers[i][0], datetime(2027, 3, 15, 9, 5 * i))
    assert db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.kind.in_(["polling.issuance_hour_recorded", "polling.deposit_hour_recorded"]))) == 0
    n = turnout.close_hours(db, election, "a_committee", final=True)
    db.commit()
    events = list(db.scalars(select(ElectionEvent).where(ElectionEvent.kind.in_(["polling.issuance_hour_recorded", "polling.deposit_hour_recorded"]))))
    assert n == 2 and len(events) == 2
    dep = next(e for e in events if e.kind == "polling.deposit_hour_recorded")
    assert dep.payload == {"round": 1, "box": box.label, "hour": "2027-03-15T09", "deposited": 3} and dep.at == "2027-03-15T09"
    iss = next(e for e in events if e.kind == "polling.issuance_hour_recorded")
    assert iss.payload["issued"] == 3 and len(iss.at) == 13
    assert turnout.close_hours(db, election, "a_committee", final=True) == 0  # never twice


def test_box_takes_only_stubs_handed_out_at_its_station(db, poll, monkeypatch) -> None:
    """Issue 23, chain voting: a paper never handed out at a desk (carried out of the store or
    the station unscanned) or handed out at another station is refused at the box, in
    Chinese; a station hands out no more papers than its check-ins call for."""
    from election.polling import handout
    from election.polling.stations import create_station

    election, station, box = poll["election"], poll["station"], poll["boxes"][0]
    other = create_station(db, election, "t", "第二投票站", desks=1, boxes=1)
    db.commit()
    papers = print_capturing(db, election, 5, monkeypatch)
    with pytest.raises(UserError) as info:
        deposit.deposit(db, election, box.id, papers[0][0])  # never handed out
    assert "没有在本投票站的发票台发出" in info.value.messages[0]
    with pytest.raises(UserError) as info:
        hand_out(db, election, station, papers[0][0])  # nobody checked in yet
    assert "已达到登记领票" in info.value.messages[0] and "0 张" in info.value.messages[0]
    issue_and_hand_out(db, election, other.desks[0], poll["voters"][20], papers[0][0])
    with pytest.raises(UserError) as info:
        deposit.deposit(db, election, box.id, papers[0][0])  # handed out at the other station
    assert "是在“第二投票站”发出的" in info.value.messages[0]
    with pytest.raises(UserError) as info:
        hand_out(db, election, station, papers[0][0])
    assert "已在“第二投票站”发出" in info.value.messages[0]
    deposit.deposit(db, election, other.boxes[0].id, papers[0][0])  # its own station's box takes it
    issue_and_hand_out(db, election, poll["desks"][1], poll["voters"][21], papers[1][0])
    with pytest.raises(UserError) as info:
        hand_out(db, election, station, papers[2][0])  # one check-in, one paper
    assert "已发出 1 张" in info.value.messages[0]
    with pytest.raises(UserError) as info:
        deposit.void_unused(db, election, papers[1][0], papers[1][1])
    assert "已在发票台发出" in info.value.messages[0]
    with pytest.raises(UserError) as info:
        deposit.spoil(db, election, other.id, papers[1][0], papers[1][1])
    assert "没有在第二投票站发出" in info.value.messages[0]
    # The voter spoils the paper: the station may hand out one more.
    deposit.spoil(db, election, station.id, papers[1][0], papers[1][1])
    hand_out(db, election, station, papers[2][0])
    deposit.deposit(db, election, box.id, papers[2][0])
    db.rollback()
    assert handout.allowance(db, election, station, 1) == (2, 2)
    pool = {c.name for c in Receipt.__table__.columns}
    assert pool == {"election_id", "r_hash", "round_number", "batch", "state", "box_id", "deposited_hour",
                    "handed_station_id"}  # no voter, desk, clerk or time beside the deposit's hour


def test_mobile_box_hands_out_and_takes_stubs_offline(db, poll, monkeypatch) -> None:
    """A mobile box's phone queues hand-outs and deposits offline and syncs them in order:
    its own papers go in; a paper of the station's desks is refused; re-sent items are
    duplicates."""
    from election.polling.stations import create_station, register_mobile_voter

    election = poll["election"]
    mobile = create_station(db, election, "t", "流动票箱一", mobile=True, scrutineers=["甲", "乙", "丙"])
    register_mobile_voter(db, election, "t", mobile.boxes[0].id, poll["voters"][30], "年老体弱")
    db.commit()
    box = mobile.boxes[0]
    papers = print_capturing(db, election, 3, monkeypatch)
    issuance.issue_mobile(db, election, box.id, poll["voters"][30].id, "a_scrutineer")
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20], papers[1][0])
    batch = [{"id": "h", "code": papers[0][0], "kind": "handout", "hour": "2027-03-15T10"},
             {"id": "d", "code": papers[0][0], "hour": "2027-03-15T10"},
             {"id": "x", "code": papers[1][0]}, {"id": "y", "code": papers[2][0], "kind": "handout"}]
    first = deposit.deposit_batch(db, election, box.id, batch)
    assert [r["status"] for r in first] == ["ok", "ok", "refused", "refused"], first
    assert "是在“第一投票站”发出的" in first[2]["message"] and "已发出 1 张" in first[3]["message"]
    again = deposit.deposit_batch(db, election, box.id, batch)
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "refused", "refused"]
    assert _receipt(db, election, papers[0][0]).box_id == box.id
