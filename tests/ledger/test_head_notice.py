"""The daily chain-head notice (ISSUE: Ledger): a signed head printed as a PDF with a QR,
recorded as an event once per day; the signature verifies with the election key."""
from __future__ import annotations

import io

from pypdf import PdfReader

from election import clock
from election.ledger import keys
from election.ledger.events import events_of
from election.protocol import signing
from tests.conftest import csrf_token, login


def test_committee_prints_todays_notice_once(app, db, world):
    e = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    url = f"/e/{e.id}/result"
    res = client.post(f"/e/{e.id}/head-notice", data={"csrf_token": csrf_token(client, url)})
    assert res.status_code == 200 and res.data[:4] == b"%PDF"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.data)).pages)
    assert "链头公告" in text and keys.fingerprint_of(db, e) in text
    db.rollback()
    notices = [ev for ev in events_of(db, e) if ev.kind == "ledger.head_notice_printed"]
    assert len(notices) == 1 and notices[0].payload["day"] == clock.today().isoformat()
    p = notices[0].payload
    st = signing.head_statement(e.uid, p["seq"], p["head"], p["day"])
    key = signing.public_key_from_pem(keys.key_of(db, e).public_pem.encode())
    assert signing.verify(key, signing.SignedStatement(st, p["signature"], keys.fingerprint_of(db, e)))
    # The head printed is the head before the notice: the event after it links to it.
    assert notices[0].prev_hash == p["head"]
    again = client.post(f"/e/{e.id}/head-notice", data={"csrf_token": csrf_token(client, url)})
    assert again.status_code == 200
    db.rollback()
    assert len([ev for ev in events_of(db, e) if ev.kind == "ledger.head_notice_printed"]) == 1


def test_residents_cannot_print_the_notice(app, db, world):
    e = world["a"]["election"]
    client = app.test_client()
    res = client.post(f"/e/{e.id}/head-notice", data={"csrf_token": csrf_token(client, "/r")})
    assert res.status_code == 302 and "/login" in res.headers["Location"]
