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


def test_two_filings_and_a_receipt_with_a_return_at_once_give_one(app, db, world, monkeypatch):
    """Two committee members file round 1 at once, then the street office receives and returns
    it at once: one filing and one of the two answers, the other refused in Chinese, on both
    databases. Each read the filing as a reader and wrote after: SQLite refused the second
    writer's lock upgrade at once ("database is locked"), PostgreSQL let both insert the
    filing (a duplicate key, a 500) or both answer it. The write lock (SQLite) and the
    round's and the filing's row locks (PostgreSQL) now come before the reads."""
    from election import models
    from election.counting import reports
    from election.models import Election, User
    from tests.races import meet_after, race, rendezvous

    election = world["a"]["election"]
    _published(db, election)
    sessions = app.extensions["juxuan.sessions"]
    meet_after(monkeypatch, reports, "_published")  # after the round was read, before the filing is

    def file(s):
        reports.file_result(s, s.get(Election, election.id), 1, "a_committee")
        s.commit()
        return "filed"

    outcomes = race(sessions, [file, file])
    assert sorted(outcomes) == ["filed", "refused: 第 1 轮结果报告单已报街道备案"], outcomes
    db.rollback()
    filing = db.scalar(select(Filing))
    real_now, meet = models.utcnow, rendezvous()

    def held_now():  # after the checks, before the answer is written
        meet()
        return real_now()

    monkeypatch.setattr(models, "utcnow", held_now)

    def answer(how):
        def act(s):
            auditor = s.scalar(select(User).where(User.username == "a_auditor"))
            if how == "receive":
                reports.receive_filing(s, filing.id, auditor)
            else:
                reports.reject_filing(s, filing.id, auditor, "报告单缺总监票人签名")
            s.commit()
            return how
        return act

    outcomes = race(sessions, [answer("receive"), answer("reject")])
    assert len([o for o in outcomes if not o.startswith("refused")]) == 1, outcomes
    assert any(o.startswith("refused: 备案编号") for o in outcomes), outcomes
    db.rollback()
    kinds = [e.kind for e in db.scalars(select(ElectionEvent).order_by(ElectionEvent.seq))]
    assert kinds.count("result.filed") == 1
    assert kinds.count("result.filing_received") + kinds.count("result.filing_rejected") == 1
