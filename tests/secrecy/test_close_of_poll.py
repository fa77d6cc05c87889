"""Issue 15: closing the poll on the reconciliation page (闭票：全部小时) runs the storage
scrub; the issuance rows keep the hour only and the same voters, the scrub is an event."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from election.models import ElectionEvent, Issuance
from election.polling import deposit, handout, issuance
from tests.conftest import csrf_token, login
from tests.polling.helpers import print_capturing


def test_final_close_scrubs_storage(app, db, poll, monkeypatch) -> None:
    election = poll["election"]
    papers = print_capturing(db, election, 4, monkeypatch)
    voters = [v.id for v in poll["voters"][20:24]]
    for i, v in enumerate(voters):
        issuance.issue_ballot(db, election, poll["desks"][i % 2].id, v, "a_clerk")
        handout.hand_out(db, election, poll["station"].id, papers[i][0])
        deposit.deposit(db, election, poll["boxes"][i % 2].id, papers[i][0])
    ids_before = sorted(db.scalars(select(Issuance.id).where(Issuance.election_id == election.id)))
    url = f"/elections/{election.id}/polling/reconcile"
    # An open reader (this session) would hold the -wal checkpoint: it waits busy_timeout, then says so.
    db.rollback()
    client = app.test_client()
    login(client, "a_committee")
    resp = client.post(url, data={"action": "close_hours", "final": "1", "csrf_token": csrf_token(client, url)},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "条按小时汇总的发票和投票数" in page and "存储已整理" in page
    # The page says the poll is closed and no longer offers to close it (it said nothing).
    assert 'id="poll-closed"' in page and "已闭票" in page and 'id="final"' not in page
    db.rollback()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.election_id == election.id,
                                                  ElectionEvent.kind == "polling.storage_scrubbed"))
    assert event is not None and event.payload["issuances"] == 4
    rows = list(db.scalars(select(Issuance).where(Issuance.election_id == election.id)))
    assert sorted(r.voter_id for r in rows) == sorted(voters)
    assert sorted(r.id for r in rows) == ids_before  # same ids, handed out in hash order
    for r in rows:
        at = r.issued_at if r.issued_at.tzinfo else r.issued_at.replace(tzinfo=timezone.utc)
        assert at == datetime(at.year, at.month, at.day, at.hour, tzinfo=timezone.utc)


def test_assisted_writing_is_stamped_with_the_hour_only(db, poll) -> None:
    """代写 names the voter in the public chain: its time is the hour, as every act touching a
    voter on the day (PROTOCOL §3), never the second the voter was in the booth."""
    from election.counting.staff import record_assisted

    election, voters = poll["election"], poll["voters"]
    record_assisted(db, election, 1, str(voters[30].voter_number), str(voters[31].voter_number), "a_committee")
    db.commit()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.election_id == election.id,
                                                  ElectionEvent.kind == "polling.writing_assisted"))
    assert event is not None and len(event.at) == len("2026-11-29T10"), event.at


def test_a_typed_receipt_code_is_answered_without_a_url_holding_it(app, db) -> None:
    """The receipt form answers the POST itself: a redirect to /r/<code> would put a typed
    code into the browser's history and every reverse proxy's access log."""
    from election.protocol import codes

    client = app.test_client()
    code = codes.human(bytes(16))
    res = client.post("/r", data={"code": code, "csrf_token": csrf_token(client, "/r")})
    assert res.status_code == 200 and "Location" not in res.headers
    import re

    links = re.findall(r'(?:href|action|src)="([^"]*)"', res.get_data(as_text=True))
    assert not [u for u in links if codes.compact(bytes(16)) in u.upper().replace("-", "")]


def test_a_failed_statement_names_no_values(app) -> None:
    """SQLAlchemy puts a failed statement's parameters into its message, which the error log
    prints with the time: an R or a voter id there would be one half of a pairing. The app's
    engine hides them."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = app.extensions["juxuan.engine"]
    secret = "c0ffee" * 10
    with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
        conn.execute(text("INSERT INTO no_such_table (r_hash) VALUES (:r)"), {"r": secret})
    assert secret not in str(caught.value) and "no_such_table" in str(caught.value)
