"""The daily chain-head notice (ISSUE: Ledger): a signed head printed as a PDF with a QR,
recorded as an event once per day; the signature verifies with the election key."""
from __future__ import annotations

import io

from pypdf import PdfReader

from election import clock
from election.ledger import keys
from election.ledger.events import events_of
from election.protocol import signing
from tests.conftest import DATA_KEY, csrf_token, login
from tests.races import OtherWriter


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


def test_the_notice_holds_the_write_lock_from_its_first_read(db, world, schema, monkeypatch):
    """SQLite: the day's notice read (is there one today, the chain's head) as a reader and
    wrote the notice and its event after, so anyone committing in between made the write fail
    with "database is locked". The write lock is taken first: another writer meanwhile is
    refused (at once, no busy wait) and the notice is made."""

    import pytest

    from election.publication import notices

    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")
    e = world["a"]["election"]
    db.commit()
    other = OtherWriter(schema, e.id)
    real = notices.sign_head

    def meanwhile(*args, **kwargs):  # after today's notice was looked for, before anything is written
        other.attempt()
        return real(*args, **kwargs)

    monkeypatch.setattr(notices, "sign_head", meanwhile)
    try:
        notice = notices.daily_notice(db, e, DATA_KEY, "a_committee")
        db.commit()
    finally:
        other.close()
    assert other.outcome == ["database is locked"]
    assert [ev.seq for ev in events_of(db, e) if ev.kind == "ledger.head_notice_printed"] == [notice.seq + 1]
