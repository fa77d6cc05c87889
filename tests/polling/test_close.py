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


def test_the_first_paper_counted_closes_the_poll_in_the_chain(db, poll, monkeypatch) -> None:
    """A round counted before the committee closed its poll: the first paper entered writes the
    close first -- every hour's counts (issued per station, deposited per box) and polling.closed
    with the round's electors -- then counting.paper_counted; later papers and the committee's
    close of poll add no second polling.closed (the verifiers refuse a round counted without
    a close before its first counting event)."""
    from election.counting.service import enter_scanned
    from election.protocol import event_kinds as ek
    from election.roll.electors import round_electors
    from tests.counting.voting import fields_for

    election = poll["election"]
    papers = print_capturing(db, election, 4, monkeypatch)
    _vote(db, poll, papers, 3)
    deposit.void_unused(db, election, *papers[3])
    for i in range(2):
        enter_scanned(db, election, poll["boxes"][i % 2].id, papers[i][1], fields_for(db, election, 1, {}), "a_counter", 1)
        db.commit()
    events = list(db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id).order_by(ElectionEvent.seq)))
    kinds = [e.kind for e in events]
    first = kinds.index(ek.COUNTING_PAPER_COUNTED)
    assert kinds.count(ek.POLLING_CLOSED) == 1 and kinds.index(ek.POLLING_CLOSED) == first - 1
    closed = events[first - 1].payload
    assert (closed["round"], closed["registered_voters"]) == (1, round_electors(db, election, 1))
    before = events[:first]
    assert sum(e.payload["issued"] for e in before if e.kind == ek.POLLING_ISSUANCE_HOUR_RECORDED) == 3
    assert sum(e.payload["deposited"] for e in before if e.kind == ek.POLLING_DEPOSIT_HOUR_RECORDED) == 3
    turnout.close_of_poll(db, election, "a_committee", 1)
    assert list(db.scalars(select(ElectionEvent.kind).where(ElectionEvent.election_id == election.id))).count(ek.POLLING_CLOSED) == 1
