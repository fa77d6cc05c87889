"""A whole small election counted through the web pages: every paper entered through the
entry endpoint, the hand tally board, publication, the result report PDF read back with
pypdf, the announcement, certificates, and filing received by the street's auditor."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from election.models import AuditCode, ElectionEvent, Filing, RoundResult
from tests.conftest import DATA_KEY, csrf_token, login

from .builder import build, entry_fields, mix_boxes

PATTERNS = [  # (papers, marks by candidate position, write-ins, unreadable posts)
    (20, {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jwh_weiyuan": {0: "1", 1: "1", 2: "1"},
          "jdw_zhuren": {0: "1"}, "jdw_weiyuan": {0: "1", 1: "1"}}, {}, ()),
    (8, {"jwh_zhuren": {1: "1", 0: "2"}, "jwh_weiyuan": {3: "1"}}, {"jwh_weiyuan": "居民020"}, ()),
    (2, {}, {}, ("jwh_zhuren",)),
]


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_whole_election_counted_through_web(app, db, world):
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=40, papers=30, boxes=2)
    base = f"/elections/{election.id}/counting"
    counter = app.test_client()
    login(counter, "a_counter")
    token = csrf_token(counter, f"{base}/1/entry")
    # Issue 15: a box whose mixing no scrutineer confirmed is not counted; the page asks for it.
    page = counter.get(f"{base}/1/entry?box={b.boxes[0].id}").get_data(as_text=True)
    assert "确认本票箱选票已混合" in page
    # Counted papers are kept as the box's stack the audit counts positions in (docs/AUDIT.md §3).
    assert 'id="stack-note"' in page and "背面朝上按计票顺序叠放" in page and "装袋封存" in page
    refused = counter.post(f"{base}/1/entry", data={"csrf_token": token, "box": str(b.boxes[0].id), "scan": b.scans[0],
                                                   **entry_fields(b, {})}, follow_redirects=True)
    assert "尚未确认已混合" in refused.get_data(as_text=True)
    mix_boxes(counter, f"{base}/1/entry", token, b.boxes)
    assert "确认本票箱选票已混合" not in counter.get(f"{base}/1/entry?box={b.boxes[0].id}").get_data(as_text=True)
    papers = [(m, w, u) for n, m, w, u in PATTERNS for _ in range(n)]
    for i, (scan, (marks, write_ins, unreadable)) in enumerate(zip(b.scans, papers)):
        box = b.boxes[i % 2]
        form = {"csrf_token": token, "box": str(box.id), "scan": scan, **entry_fields(b, marks, write_ins, unreadable)}
        r = counter.post(f"{base}/1/entry", data=form)
        assert r.status_code == 302 and f"box={box.id}" in r.headers["Location"]
    # Rule: a paper already counted is refused loudly, and the records stay as they were.
    again = counter.post(f"{base}/1/entry", data={"csrf_token": token, "box": str(b.boxes[0].id), "scan": b.scans[0],
                                                 **entry_fields(b, {})}, follow_redirects=True)
    assert "此选票已经录入过" in again.get_data(as_text=True)
    assert len(db.scalars(select(AuditCode).where(AuditCode.state == "counted")).all()) == 30
    page = counter.get(f"{base}/1/entry?box={b.boxes[0].id}").get_data(as_text=True)
    assert "已录入 15 张，存根 15 张" in page

    scrutineer = app.test_client()
    login(scrutineer, "a_scrutineer")
    running = scrutineer.get(f"{base}/1/tally.json").get_json()
    zhuren = next(p for p in running["posts"] if p["key"] == "jwh_zhuren")
    assert running["returned"] == 30 and zhuren["threshold"] == 16
    assert [(r["name"], r["votes"]) for r in zhuren["rows"]] == [("张建国", 20), ("李秀英", 8)]
    weiyuan = next(p for p in running["posts"] if p["key"] == "jwh_weiyuan")
    assert {"name": "居民020", "votes": 8, "write_in": True}.items() <= next(r for r in weiyuan["rows"] if r["write_in"]).items()
    # A poll at the same ledger position is answered from the kept tally: 304 for its ETag.
    tag = scrutineer.get(f"{base}/1/tally.json").headers["ETag"]
    assert scrutineer.get(f"{base}/1/tally.json", headers={"If-None-Match": tag}).status_code == 304
    assert "当选票数线" in scrutineer.get(f"{base}/1/projector").get_data(as_text=True)

    clerk = app.test_client()
    login(clerk, "a_clerk")
    assert clerk.get(f"{base}/1/tally.json").status_code == 403

    # The hand tally board: one figure off blocks the result until it is explained.
    board = {f"b-{p['key']}-{r['person']}": str(r["votes"]) for p in running["posts"] for r in p["rows"]}
    board[f"b-jwh_zhuren-{b.residents[1].id}"] = "9"
    board["csrf_token"] = csrf_token(scrutineer, f"{base}/1/board")
    assert scrutineer.post(f"{base}/1/board", data=board).status_code == 302
    # The board's event moved the ledger but not the running tally: still 304 for the same ETag.
    assert scrutineer.get(f"{base}/1/tally.json", headers={"If-None-Match": tag}).status_code == 304

    committee = app.test_client()
    login(committee, "a_committee")
    ctoken = csrf_token(committee, base)
    r = committee.post(f"{base}/1/publish", data={"csrf_token": ctoken}, follow_redirects=True)
    assert "计票板合计与录入记录不一致" in r.get_data(as_text=True)
    assert db.scalar(select(RoundResult)) is None
    committee.post(f"{base}/1/board/explain", data={"csrf_token": ctoken, "text": "计票板多画一笔，重数为 8 票"})
    r = committee.post(f"{base}/1/publish", data={"csrf_token": ctoken}, follow_redirects=True)
    assert "结果已公布" in r.get_data(as_text=True)

    db.rollback()  # end the read snapshot: the app committed in its own session
    result = db.scalar(select(RoundResult)).result
    assert [e["name"] for e in result["posts"]["jwh_zhuren"]["elected"]] == ["张建国"]
    assert sorted(e["name"] for e in result["posts"]["jwh_weiyuan"]["elected"]) == sorted(["陈强", "赵敏", "孙伟"])
    assert result["next_round"] == "none"
    event = db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "result.published"))
    assert event.payload["posts"]["jwh_zhuren"]["elected"] == [str(b.residents[0].id)]

    pdf = committee.get(f"{base}/1/report.pdf")
    assert pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    for expected in ("选举结果报告单", "张建国", "李秀英", "居民020", "当选", "总监票人", "计票人"):
        assert expected in text, (expected, text)
    assert re.search(r"张建国\s*候选人\s*20\s*当选", text) and "当选票数线 16 票" in text, text
    assert "30" in text and "40" in text
    notice = _pdf_text(committee.get(f"{base}/1/notice.pdf").data)
    assert "选举结果公告" in notice and "赵敏" in notice
    certs = PdfReader(io.BytesIO(committee.get(f"{base}/certificates.pdf").data))
    assert len(certs.pages) == sum(len(p["elected"]) for p in result["posts"].values())

    # Filing (备案): the auditor of the street office lists it and records receipt.
    committee.post(f"{base}/1/file", data={"csrf_token": ctoken})
    auditor = app.test_client()
    login(auditor, "a_auditor")
    listing = auditor.get("/filings").get_data(as_text=True)
    assert election.title in listing
    db.rollback()
    filing = db.scalar(select(Filing))
    auditor.post(f"/filings/{filing.id}/receive", data={"csrf_token": csrf_token(auditor, "/filings")})
    db.rollback()  # end the read snapshot: the app committed in its own session
    assert db.scalar(select(Filing)).received_by == "a_auditor"
    assert db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "result.filing_received")) is not None
    other = app.test_client()
    login(other, "b_auditor")
    assert election.title not in other.get("/filings").get_data(as_text=True)
    assert other.get(f"{base}/1/report.pdf").status_code == 404


def test_second_entry_mismatch_shown_side_by_side_and_resolved(app, db, world):
    """Rule (issue): a second counter re-enters papers; mismatches block until resolved."""
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=4, boxes=1)
    base = f"/elections/{election.id}/counting"
    first, second = app.test_client(), app.test_client()
    login(first, "a_counter")
    token = csrf_token(first, f"{base}/1/entry")
    mix_boxes(first, f"{base}/1/entry", token, b.boxes)
    first.post(f"{base}/1/entry", data={"csrf_token": token, "box": str(b.boxes[0].id), "scan": b.scans[0],
                                        **entry_fields(b, {"jwh_zhuren": {0: "1"}})})
    login(second, "a_committee")
    token2 = csrf_token(second, f"{base}/1/second")
    r = second.post(f"{base}/1/second", data={"csrf_token": token2, "scan": b.scans[0],
                                              **entry_fields(b, {"jwh_zhuren": {1: "1"}})}, follow_redirects=True)
    assert "已记录" in r.get_data(as_text=True)
    page = second.get(base).get_data(as_text=True)
    assert "复核不一致的选票" in page
    assert "居民委员会主任：赞成 张建国" in page and "居民委员会主任：赞成 李秀英" in page
    d = re.search(r'/mismatch/([0-9a-f]{64})"', page).group(1)
    r = second.post(f"{base}/1/mismatch/{d}", data={"csrf_token": token2, "keep": "first", "text": "纸质选票为张建国"},
                    follow_redirects=True)
    assert "已按核对结果更正" in r.get_data(as_text=True) and "复核不一致的选票" not in r.get_data(as_text=True)
    db.rollback()
    assert db.get(AuditCode, (election.id, d)).marks["jwh_zhuren"]["approve"] == [str(b.residents[0].id)]
