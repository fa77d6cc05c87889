"""Papers are handed out only on the round's voting day (the project clock), after the roll
is frozen and the round is printed; a committee override is recorded for one date with its
reason (issue 17: papers were once issued a month early)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from election import clock
from election.errors import UserError
from election.models import ElectionEvent, Issuance
from election.polling import day, issuance
from tests.conftest import csrf_token, login
from tests.polling.helpers import print_capturing


def _at(d) -> None:
    clock.pin(datetime.combine(d, time(9, 30)))


def _issued(db) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Issuance))


def test_issuance_refused_before_the_voting_day(db, poll, monkeypatch):
    election, desk, voter = poll["election"], poll["desks"][0], poll["voters"][25]
    print_capturing(db, election, 2, monkeypatch)
    _at(election.election_day - timedelta(days=31))
    with pytest.raises(UserError) as info:
        issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk")
    message = "；".join(info.value.messages)
    assert "不是第 1 轮的投票日" in message and clock.cn_date(election.election_day) in message
    assert _issued(db) == 0
    _at(election.election_day + timedelta(days=1))  # the day after is no better
    with pytest.raises(UserError, match="不是第 1 轮的投票日"):
        issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk")
    _at(election.election_day)
    issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk")
    assert _issued(db) == 1


def test_refused_while_the_roll_is_open_or_nothing_is_printed(db, poll, monkeypatch):
    election, desk, voter = poll["election"], poll["desks"][0], poll["voters"][25]
    with pytest.raises(UserError, match="第 1 轮的选票尚未印制"):
        issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk")
    print_capturing(db, election, 2, monkeypatch)
    election.roll_frozen_at = None
    db.commit()
    with pytest.raises(UserError, match="选民名单尚未冻结"):
        issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk")
    assert _issued(db) == 0


def test_committee_override_holds_for_its_date_only(db, poll, monkeypatch):
    election, desk = poll["election"], poll["desks"][0]
    print_capturing(db, election, 2, monkeypatch)
    early = election.election_day - timedelta(days=2)
    _at(early)
    rnd = issuance.current_round(db, election)
    with pytest.raises(UserError, match="理由"):
        day.record_override(db, election, rnd, "a_committee", "")
    day.record_override(db, election, rnd, "a_committee", "街道办事处批准提前投票（街发〔2027〕3号）")
    db.commit()
    issuance.issue_ballot(db, election, desk.id, poll["voters"][25].id, "a_clerk")
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == day.OVERRIDE))
    assert event.payload["day"] == early.isoformat() and "街发" in event.reason
    _at(early + timedelta(days=1))
    with pytest.raises(UserError, match="不是第 1 轮的投票日"):
        issuance.issue_ballot(db, election, desk.id, poll["voters"][26].id, "a_clerk")
    assert _issued(db) == 1


def test_desk_answers_the_refusal_in_chinese_over_http(app, db, poll, monkeypatch):
    election, desk, voter = poll["election"], poll["desks"][0], poll["voters"][25]
    print_capturing(db, election, 2, monkeypatch)
    _at(election.election_day - timedelta(days=31))
    client = app.test_client()
    login(client, "a_clerk")
    url = f"/elections/{election.id}/polling/desks/{desk.id}"
    answer = client.post(url + "/issue", data={"voter_id": voter.id, "csrf_token": csrf_token(client, url)},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 409 and "不是第 1 轮的投票日" in answer.get_json()["message"]
    assert _issued(db) == 0


def test_committee_records_the_override_on_the_polling_page(app, db, poll, monkeypatch):
    election = poll["election"]
    print_capturing(db, election, 2, monkeypatch)
    _at(election.election_day - timedelta(days=3))
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/polling"
    assert "不是本轮投票日" in client.get(url).get_data(as_text=True)
    page = client.post(url + "/day-override", data={"reason": "街道办事处批准提前投票", "csrf_token": csrf_token(client, url)},
                       follow_redirects=True).get_data(as_text=True)
    assert "已登记：今天可以发放本轮选票" in page
    issuance.issue_ballot(db, election, poll["desks"][0].id, poll["voters"][25].id, "a_clerk")
    assert _issued(db) == 1
