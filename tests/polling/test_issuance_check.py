"""A resident checks with their voter-card code whether a paper was issued against their
name: yes with the station, or no — the same no for an unknown code — and nothing else
(no hour, desk or clerk); the check is rate-limited per address like the receipt page."""
from __future__ import annotations

from sqlalchemy import select

from election.models import Issuance, PollingStation, Resident
from tests.conftest import csrf_token
from tests.ledger.helpers import simulated


def test_card_check_says_yes_with_the_station_or_no(app, db):
    sim = simulated(db)
    issued = db.scalars(select(Issuance).where(Issuance.election_id == sim.election.id)).first()
    voter = db.get(Resident, issued.voter_id)
    voter.card_code = "CARDYES1"
    station = db.get(PollingStation, issued.station_id).name
    taken = select(Issuance.voter_id).where(Issuance.election_id == sim.election.id)
    other = db.scalars(select(Resident).where(Resident.election_id == sim.election.id, Resident.id.not_in(taken))).first()
    other.card_code = "CARDNO22"
    db.commit()
    client = app.test_client()

    def ask(code: str, addr: str = "10.1.0.1") -> tuple[int, str]:
        res = client.post("/card", data={"code": code, "csrf_token": csrf_token(client, "/card")},
                          environ_base={"REMOTE_ADDR": addr})
        return res.status_code, res.get_data(as_text=True)

    status, html = ask("cardyes1")
    assert status == 200 and "有领票记录" in html and station in html and issued.clerk not in html
    _, no = ask("CARDNO22")
    _, unknown = ask("NOSUCHCARD")
    assert "没有领票记录" in no and "没有领票记录" in unknown
    strip = lambda h: h.split('id="answer"', 1)[1]  # noqa: E731
    assert strip(no) == strip(unknown)  # an unknown card is no oracle
    statuses = [ask("NOSUCHCARD", "10.1.0.9")[0] for _ in range(40)]
    assert 429 in statuses and statuses[0] == 200
