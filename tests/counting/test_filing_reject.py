"""驳回 of a filing: the street office's auditor returns a filed result report with a
required reason (an event); the committee sees the reason on the counting page and files
again; a returned filing cannot be received until then."""
from __future__ import annotations

from sqlalchemy import select

from election.counting.result import enter_board, publish_result, running_tally
from election.counting.service import enter_scanned
from election.models import ElectionEvent, Filing
from tests.conftest import DATA_KEY, csrf_token, login

from .builder import build, entry_fields


def _published(db, election):
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    marks = {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jdw_zhuren": {0: "1"},
             "jdw_weiyuan": {0: "1", 1: "1"}, "jwh_weiyuan": {0: "1", 1: "1", 2: "1"}}
    for i, scan in enumerate(b.scans):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, marks), "c")
    running = running_tally(db, election, 1)
    enter_board(db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, "s")
    publish_result(db, election, 1, "a_committee")
    db.commit()


def test_auditor_returns_a_filing_and_the_committee_files_again(app, db, world):
    election = world["a"]["election"]
    _published(db, election)
    committee = app.test_client()
    login(committee, "a_committee")
    base = f"/elections/{election.id}/counting"
    committee.post(f"{base}/1/file", data={"csrf_token": csrf_token(committee, base)})
    assert "已报街道备案，待签收" in committee.get(base).get_data(as_text=True)
    db.rollback()
    filing = db.scalar(select(Filing))

    auditor = app.test_client()
    login(auditor, "a_auditor")
    listing = auditor.get("/filings").get_data(as_text=True)
    assert "驳回理由" in listing and ">驳回<" in listing
    page = auditor.post(f"/filings/{filing.id}/reject", data={"csrf_token": csrf_token(auditor, "/filings"), "reason": ""},
                        follow_redirects=True).get_data(as_text=True)
    assert "驳回备案须填写驳回理由" in page
    reason = "报告单缺总监票人签名"
    auditor.post(f"/filings/{filing.id}/reject", data={"csrf_token": csrf_token(auditor, "/filings"), "reason": reason})
    db.rollback()
    db.expire_all()
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "result.filing_rejected"))
    assert event.reason == reason and event.actor == "a_auditor"
    page = auditor.post(f"/filings/{filing.id}/receive", data={"csrf_token": csrf_token(auditor, "/filings")},
                        follow_redirects=True).get_data(as_text=True)
    assert "已驳回，须待选举委员会重新报备" in page

    overview = committee.get(base).get_data(as_text=True)
    assert "街道已驳回备案" in overview and reason in overview and "重新报街道备案" in overview
    committee.post(f"{base}/1/file", data={"csrf_token": csrf_token(committee, base)})
    auditor.post(f"/filings/{filing.id}/receive", data={"csrf_token": csrf_token(auditor, "/filings")})
    db.rollback()
    db.expire_all()
    row = db.scalar(select(Filing))
    assert row.received_by == "a_auditor" and row.rejected_at is None
    assert "街道已签收备案" in committee.get(base).get_data(as_text=True)
    kinds = [e.kind for e in db.scalars(select(ElectionEvent).order_by(ElectionEvent.seq))]
    assert kinds[-4:] == ["result.filed", "result.filing_rejected", "result.filed", "result.filing_received"]
