"""The recall vote on secret paper (issue 20): a round of kind "recall" printed by Juxuan with
the election's receipt and audit codes, one paper per voter at the desk, deposits, records,
the tally board and the published result, decided by the question rule (rules.question)
with the rulebook's recall_turnout and recall_approve; the outcome is the recall's (the seat
vacant when carried); the round's bundle verifies with tools/verify, including the recall's
events, and its audit works as for an election. The paper is read back from its PDF."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from ballots.ballot_paper import render_ballots
from ballots.ballot_spec import PaperCodes
from election.audit import service as audit_service
from election.clock import today
from election.counting import reports
from election.counting.result import enter_board, publish_result, running_tally
from election.errors import UserError
from election.ledger.events import events_of
from election.mandates import service as mandates
from election.models import RECALL_STATUSES
from election.polling import issuance, printing
from election.protocol import codes
from election.publication.bundle import export_bundle
from election.recall import documents as recall_docs
from election.recall import service as recalls
from election.roll.cards import assign_cards
from tests.audit import seeding
from tests.audit.test_rla_service import SEED, _enter_all, _sealed
from tests.ballots import pdfcheck
from tests.conftest import DATA_KEY
from tests.counting import voting
from tests.counting.builder import own_papers_link
from tests.meetings.test_by_election import _browser_verifier_agrees
from tests.polling.helpers import polling_day
from tools import verify

ALL = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2], "jdw_zhuren": [0], "jdw_weiyuan": [0, 1]}


def _elected(db, election, monkeypatch):
    w = voting.setup(db, election, voters=40)
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: ALL)
    assign_cards(db, election, "x")
    member = next(m for m in mandates.composition(db, election).serving if m.post == "jwh_weiyuan")
    signers = "\n".join(str(v.voter_number) for v in w.voters[30:38])  # 8 of 40: exactly 1/5
    row = recalls.propose(db, election, member.key, "长期不履行职责", "voters", signers, "a_committee")
    db.commit()
    return w, member, row


def _board(db, election, number):
    running = running_tally(db, election, number)
    enter_board(db, election, number, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]}
                                       for p in running["posts"]}, "a_scrutineer")


def _notice(db, election, recall_id: int) -> tuple[str, str]:
    """The recall's result notice read back: its title (the top line of the first page) and
    its whole text without white space (a long line wraps)."""
    reader = PdfReader(io.BytesIO(recall_docs.result_pdf(db, election, recall_id)))
    title = max(pdfcheck.pieces(reader, 0), key=lambda p: p.y).text
    return "".join(title.split()), "".join("".join(p.extract_text() for p in reader.pages).split())


def _only_its_own_papers(app, db, election, number: int, recall_id: int) -> None:
    """A recall round elects no one: the election's result report, notice and filing are
    refused naming the recall's notice, and the counting page links to that notice instead."""
    for paper in (reports.notice_pdf, reports.report_pdf):
        with pytest.raises(UserError, match=f"第 {number} 轮是罢免投票，没有当选人.*罢免结果公告"):
            paper(db, election, number)
    with pytest.raises(UserError, match="罢免投票，没有当选人"):
        reports.file_result(db, election, number, "a_committee")
    db.rollback()
    assert own_papers_link(app, election, number) == f"/elections/{election.id}/recalls/{recall_id}/result.pdf"


def test_recall_on_paper_from_printing_to_the_vacant_seat(app, db, world, monkeypatch, tmp_path):
    election = world["a"]["election"]
    w, member, row = _elected(db, election, monkeypatch)
    with pytest.raises(UserError, match="早于今天"):
        recalls.call_vote(db, election, row.id, today() - timedelta(days=1), "a_committee")
    rnd = recalls.call_vote(db, election, row.id, today(), "a_committee")
    db.commit()
    assert (rnd.number, rnd.kind, rnd.status) == (2, "recall", "open")
    assert rnd.posts[member.post]["question"] == f"罢免居民委员会委员{member.name}"
    with pytest.raises(UserError, match="已在投票中"):
        recalls.call_vote(db, election, row.id, today() + timedelta(days=7), "a_committee")
    with pytest.raises(UserError, match="不能另行录入"):
        recalls.record_vote(db, election, row.id, 30, 20, today(), "a_committee")

    # The paper read back: the question, its two marks, no 另选他人, the codes of the protocol.
    pdf = io.BytesIO()
    (_, spec), = printing.ballot_specs(db, election, 2)
    t, a = codes.new_code(), codes.new_code()
    render_ballots(spec, [PaperCodes(codes.human(t), codes.receipt_qr(t, "https://x/r"), codes.audit_qr(a))], pdf)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    assert f"罢免居民委员会委员{member.name}表决票" in text and "罢免投票" in text
    assert "同意的划" in text and "不同意的划" in text and "另选他人" not in text.replace("不得另写他人姓名", "")
    assert member.name in text and "应选" not in text

    # 25 of 40 voters vote (more than half): 20 agree (more than half of 25), 3 disagree, 2 blank.
    def marks(i):
        return {member.post: [0]} if i < 20 else ({f"oppose:{member.post}": [0]} if i < 23 else {})

    voting.vote_round(db, w, monkeypatch, 2, w.voters[:25], marks, publish=False)
    with polling_day(db, election, 2), pytest.raises(UserError):
        issuance.issue_ballot(db, election, w.station.desks[0].id, w.voters[0].id, "a_clerk", round_number=2)
    db.rollback()
    _board(db, election, 2)
    with pytest.raises(UserError, match="须在该罢免要求的页面公布"):
        publish_result(db, election, 2, "a_committee")
    done = recalls.publish_vote(db, election, row.id, "a_committee")
    db.commit()
    assert (done.status, done.registered, done.voted, done.in_favour) == ("carried", 40, 25, 20)
    assert "同意 20 票，不同意 3 票，弃权 2 票" in done.message and "罢免通过" in done.message
    # The result notice read back: carried in its title, the paper vote's figures, the
    # outcome and the seat left vacant; nothing of an election's notice (nobody is elected).
    title, notice = _notice(db, election, row.id)
    assert title == "罢免投票结果公告（罢免通过）"
    assert "登记选民40人，参加投票25人，赞成罢免20票" in notice
    assert "同意20票，不同意3票，弃权2票" in notice and "罢免通过" in notice and "罢免未通过" not in notice
    assert f"{member.name}的职务自" in notice and "该职位出缺，依法补选" in notice
    assert not any(w in notice for w in ("当选", "未达到当选票数", "任期", "应选"))
    _only_its_own_papers(app, db, election, 2, row.id)
    comp = mandates.composition(db, election)
    assert comp.vacancies == {member.post: 1}
    gone = next(m for m in comp.mandates if m.key == member.key)
    assert gone.reason == "被罢免" and gone.until == rnd.held_on
    kinds = [e.kind for e in events_of(db, election)]
    assert kinds[-3:] == ["result.published", "recall.vote_counted", "seat.vacated"] or \
        kinds[-3:][1:] == ["recall.vote_counted", "seat.vacated"]
    counted = next(e for e in reversed(events_of(db, election)) if e.kind == "recall.vote_counted")
    assert (counted.payload["agree"], counted.payload["disagree"], counted.payload["abstain"]) == (20, 3, 2)

    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data
    db.commit()
    checks = {c.name_en: c for c in verify.run(data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["recall_votes"].ok and "表决票" in checks["recall_votes"].detail
    # composition.json: who held which seat, the recalled member's end, the vacant seat.
    comp = json.loads(zipfile.ZipFile(BytesIO(data)).read("composition.json"))
    ended = next(m for m in comp["members"] if m["person"] == str(member.resident_id) and m["post"] == member.post)
    assert (ended["until"], ended["reason"]) == (rnd.held_on.isoformat(), "recalled")
    assert next(p for p in comp["posts"] if p["post"] == member.post)["vacant"] == 1
    assert checks["composition"].ok and "出缺 1 席" in checks["composition"].detail
    totals = json.loads(zipfile.ZipFile(BytesIO(data)).read("totals.json"))
    assert totals["result"]["question"]["carried"] is True
    _browser_verifier_agrees(data, list(checks.values()), tmp_path)

    # totals.json saying the recall failed does not verify (its forgeries of the chain's
    # figures are each named in tests/protocol/test_verify_between.py).
    assert not all(c.ok for c in verify.run(_forge_question(data)))

    # The audit works as for an election round: sealed, drawn, confirmed.
    _sealed(db, election, round_number=2)
    audit = seeding.start(db, election, SEED, "a_auditor", round_number=2)
    assert audit.status != "full_count"
    _enter_all(db, election, audit)
    assert audit_service.conclude(db, election, audit, "a_auditor").status == "confirmed"
    db.commit()


def _forge_question(data: bytes) -> bytes:
    """The bundle with totals.json saying the recall failed (nothing else changed)."""
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "totals.json":
                t = json.loads(body)
                t["result"]["question"]["carried"] = False
                body = json.dumps(t, ensure_ascii=False).encode()
            dst.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize(("voters", "agree", "oppose", "status"), [
    (20, 14, 6, "void"),     # exactly half of 40 voted: void, the member stays
    (21, 10, 6, "failed"),   # 10 of 21 is not more than half
])
def test_recall_on_paper_void_or_failed_keeps_the_member(app, db, world, monkeypatch, voters, agree, oppose, status):
    election = world["a"]["election"]
    w, member, row = _elected(db, election, monkeypatch)
    recalls.call_vote(db, election, row.id, today(), "a_committee")

    def marks(i):
        return {member.post: [0]} if i < agree else ({f"oppose:{member.post}": [0]} if i < agree + oppose else {})

    voting.vote_round(db, w, monkeypatch, 2, w.voters[:voters], marks, publish=False)
    _board(db, election, 2)
    done = recalls.publish_vote(db, election, row.id, "a_committee")
    db.commit()
    assert done.status == status
    assert mandates.composition(db, election).vacancies == {}
    # The notice read back: not carried in its title and its outcome, the member keeps the seat.
    title, notice = _notice(db, election, row.id)
    assert title == f"罢免投票结果公告（{RECALL_STATUSES[status]}）"
    assert f"登记选民40人，参加投票{voters}人，赞成罢免{agree}票" in notice and "".join(done.message.split()) in notice
    assert not any(w in notice for w in ("罢免通过", "出缺", "职务自", "当选", "任期"))
    _only_its_own_papers(app, db, election, 2, row.id)
    checks = verify.run(export_bundle(db, election, DATA_KEY, "a_committee", auditor=True, round_number=2).data)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
