"""Turnout and reconciliation at close (选票清点, DESIGN.md ledger step 5): printed =
issued + spoiled + unused; stubs deposited <= papers issued per station; differences are
shown and explained by an event."""
from __future__ import annotations

from sqlalchemy import select

from election.models import ElectionEvent
from election.polling import close, deposit, issuance, turnout
from tests.conftest import csrf_token, login
from tests.polling.helpers import hand_out, plant_in_pool, print_capturing


def _vote(db, poll, papers, n):
    election = poll["election"]
    for i in range(n):
        issuance.issue_ballot(db, election, poll["desks"][i % 2].id, poll["voters"][20 + i].id, "a_clerk")
        hand_out(db, election, poll["station"], papers[i][0])
        deposit.deposit(db, election, poll["boxes"][i % 2].id, papers[i][0])


def test_balanced_day_reconciles(db, poll, monkeypatch) -> None:
    election = poll["election"]
    papers = print_capturing(db, election, 6, monkeypatch)
    _vote(db, poll, papers, 3)
    # One of the three spoiled a paper first (handed out to them before the one they deposited).
    plant_in_pool(db, election, poll["station"], papers[3][0])
    deposit.spoil(db, election, poll["station"].id, papers[3][0], papers[3][1])
    for t, a in papers[4:]:
        deposit.void_unused(db, election, t, a)
    rec = close.reconciliation(db, election)
    assert (rec.printed, rec.issued, rec.spoiled, rec.unused) == (6, 3, 1, 2)
    assert rec.findings == []


def test_planted_discrepancy_is_shown_in_red_and_explained(app, db, poll, monkeypatch) -> None:
    election = poll["election"]
    papers = print_capturing(db, election, 6, monkeypatch)
    _vote(db, poll, papers, 2)
    # Planted: a stub deposited without any issuance (a paper slipped into the box; the
    # pool refuses it, so it was put there behind the service's back).
    plant_in_pool(db, election, poll["station"], papers[5][0])
    deposit.deposit(db, election, poll["boxes"][0].id, papers[5][0])
    rec = close.reconciliation(db, election)
    codes_found = {f.code for f in rec.findings}
    assert "station.over" in codes_found and "papers.balance" in codes_found
    assert rec.stations[0]["over"] and rec.stations[0]["deposited"] == 3 and rec.stations[0]["issued"] == 2
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/polling/reconcile"
    page = client.get(url).get_data(as_text=True)
    assert "发出选票 2 张，票箱中却有存根 3 张" in page and "color:#b00" in page
    token = csrf_token(client, url)
    finding = next(f for f in rec.findings if f.code == "station.over")
    resp = client.post(url, data={"code": finding.code, "subject": finding.subject, "message": finding.message,
                                  "explanation": "监票人发现一名选民误投两张，已记录", "csrf_token": token}, follow_redirects=True)
    assert "误投两张" in resp.get_data(as_text=True)
    db.rollback()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "polling.difference_explained"))
    assert event.payload["code"] == "station.over" and "误投两张" in event.payload["explanation"]


def test_turnout_counts_and_json(app, db, poll, monkeypatch) -> None:
    election = poll["election"]
    papers = print_capturing(db, election, 4, monkeypatch)
    _vote(db, poll, papers, 4)
    data = turnout.turnout(db, election)
    assert data["registered"] == 40 and data["issued"] == 4 and data["percent"] == 10.0
    assert data["stations"] == [{"name": "第一投票站", "issued": 4}]
    svg = turnout.turnout_svg(data)
    assert svg.startswith("<svg") and ">4<" in svg
    client = app.test_client()
    login(client, "a_committee")
    sent = client.get(f"/elections/{election.id}/polling/turnout.json").get_json()
    assert sent == turnout.live(db, election, 1) and sent["issued"] == 4 and sent["round"] == 1 and sent["svg"] == svg
    page = client.get(f"/elections/{election.id}/polling/turnout").get_data(as_text=True)
    assert "<svg" in page and "10.0%" in page
    clerk = app.test_client()
    login(clerk, "a_clerk")
    assert clerk.get(f"/elections/{election.id}/polling/turnout").status_code == 403


def test_unexplained_reconciliation_blocks_the_result(db, poll, monkeypatch) -> None:
    """Papers printed but neither issued, spoiled nor voided block publication of the result
    until the committee voids them or explains the difference (DESIGN.md step 5)."""
    from election.counting.result import blockers

    election = poll["election"]
    papers = print_capturing(db, election, 4, monkeypatch)
    _vote(db, poll, papers, 2)
    blocking = [b for b in blockers(db, election, 1) if b.startswith("选票清点")]
    assert blocking, blockers(db, election, 1)
    for t, a in papers[2:]:
        deposit.void_unused(db, election, t, a)
    assert not [b for b in blockers(db, election, 1) if b.startswith("选票清点")]
