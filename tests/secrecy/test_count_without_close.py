"""A round's poll is closed by the committee (闭票, which scrubs storage) or by the count's
first step (turnout.close_before_counting). The second closed the poll in the chain but
never scrubbed: a round counted without the committee's close kept the polling day's order
of check-ins and deposits (issuance ids and rowid, PostgreSQL xmin/ctid and the voter rows'
xmax, SQLite's -wal) beside the counted marks for the rest of the election. The attacker of
`test_no_order` links far more voters than chance after the first paper is entered on the
counting page; now the page scrubs once that paper is committed, and removes the round's
print PDFs nobody downloaded, as the committee's close does."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from election import jobs
from election.models import ElectionEvent
from election.polling import printing
from tests.conftest import csrf_token, login
from tests.secrecy.test_no_order import CHANCE_MAX, _attack, polled_day


@pytest.fixture
def counted_day(db, world, monkeypatch):
    return polled_day(db, world, monkeypatch)


def test_the_first_paper_counted_without_the_committees_close_scrubs(app, db, counted_day):
    election, box, papers, truth = counted_day
    before = _attack(db, election, truth)
    assert max(before.values()) > CHANCE_MAX  # the polling day's storage links voters
    db.close()
    # A print PDF of the round nobody downloaded (every T beside its A) waits in print-jobs.
    folder = printing.jobs_dir(app.instance_path)
    (folder / "abc123.pdf").write_bytes(b"%PDF-1.4 T and A")
    jobs.write_state(folder, "abc123", {"election_id": election.id, "round": 1, "state": "ready"})
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/counting/1/entry?box={box.id}"
    client.post(url, data={"action": "mixed", "witnesses": "甲、乙", "csrf_token": csrf_token(client, url)})
    res = client.post(url, data={"scan": papers[5][1], "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "已记录" in res.get_data(as_text=True)
    db.close()
    after = _attack(db, election, truth)
    print("after", sorted(after.items(), key=lambda kv: -kv[1])[:6])
    assert max(after.values()) <= CHANCE_MAX, after
    assert not (folder / "abc123.pdf").exists()
    kinds = [k for k in db.scalars(select(ElectionEvent.kind).where(ElectionEvent.election_id == election.id)
                                   .order_by(ElectionEvent.seq))]
    # Closed by the count, scrubbed once, the paper counted after the close.
    assert kinds.count("polling.closed") == 1 and kinds.count("polling.storage_scrubbed") == 1
    assert kinds.index("polling.closed") < kinds.index("counting.paper_counted")
    # The next paper finds nothing pending: no second scrub.
    db.close()
    client.post(url, data={"scan": papers[7][1], "csrf_token": csrf_token(client, url)})
    db.close()
    assert len(list(db.scalars(select(ElectionEvent.id).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == "polling.storage_scrubbed")))) == 1
