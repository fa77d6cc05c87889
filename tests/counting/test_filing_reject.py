"""驳回 of a filing: the street office's auditor returns a filed result report with a
required reason (an event); the committee sees the reason on the counting page and files
again; a returned filing cannot be received until then."""
from __future__ import annotations

from sqlalchemy import select

from election.models import ElectionEvent, Filing
from tests.conftest import DATA_KEY, csrf_token, login
from tests.counting.builder import published


def _published(db, election):
    published(db, election, DATA_KEY)


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
