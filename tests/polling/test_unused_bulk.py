"""Unused papers voided in bulk: a batch scan (stub and back of each paper, one submit,
each paper voided or refused on its own) and a whole print batch counted by hand (only when
the count equals the batch's open stubs and backs: a paper taken away or a deposited paper
not yet counted makes it refuse, naming why)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from election.errors import UserError
from election.models import AuditCode, ElectionEvent, Receipt
from election.polling import close, deposit, unused
from tests.conftest import csrf_token, login
from tests.polling.helpers import issue_and_hand_out, print_capturing


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_batch_scan_voids_each_paper_and_names_the_refused(app, db, poll, monkeypatch) -> None:
    election = poll["election"]
    papers = print_capturing(db, election, 6, monkeypatch)
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20], papers[0][0])
    deposit.deposit(db, election, poll["boxes"][0].id, papers[0][0])
    db.commit()
    client = _client(app, "a_clerk")
    url = f"/elections/{election.id}/polling/spoiled"
    scans = [papers[2][0], papers[2][1],      # stub then back
             papers[3][1], papers[3][0],      # back then stub: either order
             papers[0][0], papers[0][1],      # deposited: refused
             papers[4][1], papers[5][1],      # two backs: refused
             papers[5][0]]                    # one side only
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "kind": "unused_scans",
                                  "scans": "\n".join(scans)}).get_data(as_text=True)
    assert "已作废 2 张未用选票" in page and "3 张未能作废" in page
    rows = re.findall(r'<tr class="(good|bad)"><td>(\d)</td><td>([^<]*)</td>', page)
    assert [(r[0], r[1]) for r in rows] == [("good", "1"), ("good", "2"), ("bad", "3"), ("bad", "4"), ("bad", "5")]
    assert "已投入票箱" in rows[2][2] and "都是背面" in rows[3][2] and "只扫描了一面" in rows[4][2]
    db.rollback()
    rec = close.reconciliation(db, election)
    assert rec.unused == 2
    states = {r.state for r in db.scalars(select(Receipt))}
    assert states == {"printed", "deposited", "unused"}
    assert sum(1 for a in db.scalars(select(AuditCode)) if a.state == "voided") == 2


def test_whole_batch_voided_when_the_count_matches(app, db, poll, monkeypatch) -> None:
    election = poll["election"]
    print_capturing(db, election, 5, monkeypatch)
    db.commit()
    [left] = unused.batches_left(db, election)
    assert (left.printed, left.left, left.backs_left) == (5, 5, 5)
    client = _client(app, "a_committee")
    url = f"/elections/{election.id}/polling/spoiled"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "kind": "unused_batch", "batch": str(left.batch),
                                  "counted": "4"}, follow_redirects=True).get_data(as_text=True)
    assert "第 1 批选票系统中尚有 5 张未投入、未作废，清点为 4 张，不一致" in page  # the first batch is 第 1 批, not 第 0 批
    assert "第 1 批（印制 5 张，尚余 5 张）" in page
    english = client.get(url + "?lang=en").get_data(as_text=True)
    client.get(url + "?lang=zh")
    assert "（印制" not in english
    db.rollback()
    assert close.reconciliation(db, election).unused == 0
    client.post(url, data={"csrf_token": csrf_token(client, url), "kind": "unused_batch", "batch": str(left.batch),
                           "counted": "5"})
    db.rollback()
    assert close.reconciliation(db, election).unused == 5
    assert {a.state for a in db.scalars(select(AuditCode))} == {"voided"}
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "polling.unused_voided"))
    assert event.payload == {"round": 1, "batch": left.batch, "papers": 5} and event.actor == "a_committee"
    # The clerk may scan but not void a whole batch.
    clerk = _client(app, "a_clerk")
    page = clerk.post(url, data={"csrf_token": csrf_token(clerk, url), "kind": "unused_batch", "batch": "0",
                                 "counted": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "整批作废未用选票须由选举委员会进行" in page


def test_whole_batch_refused_while_deposited_papers_are_not_counted(db, poll, monkeypatch) -> None:
    election = poll["election"]
    papers = print_capturing(db, election, 4, monkeypatch)
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][20], papers[0][0])
    deposit.deposit(db, election, poll["boxes"][0].id, papers[0][0])
    db.commit()
    [left] = unused.batches_left(db, election)
    assert (left.left, left.backs_left) == (3, 4)
    with pytest.raises(UserError, match="还有 1 张已发出的选票尚未计票"):
        unused.void_batch(db, election, left.batch, 3, "a_committee")
    db.rollback()
    assert {r.state for r in db.scalars(select(Receipt))} == {"printed", "deposited"}
    # A paper handed out and taken away is not an unused paper: never in the batch's rest.
    issue_and_hand_out(db, election, poll["desks"][0], poll["voters"][21], papers[1][0])
    [left] = unused.batches_left(db, election)
    assert (left.left, left.backs_left) == (2, 4)
    with pytest.raises(UserError, match="还有 2 张已发出的选票尚未计票"):
        unused.void_batch(db, election, left.batch, 2, "a_committee")
