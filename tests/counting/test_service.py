"""Counting services against the real database: one record per paper, exactly once;
box reconciliation; second entry; the hand tally board; publication and the next round."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from election.counting.result import (
    blockers,
    board_differences,
    box_counts,
    compute_result,
    enter_board,
    explain_board,
    explain_box,
    publish_result,
    running_tally,
)
from election.counting.service import (
    d_from_scan,
    enter_scanned,
    mismatches,
    record_paper,
    resolve_mismatch,
    second_entry,
)
from election.errors import UserError
from election.models import AuditCode, ElectionEvent, Round, RoundResult
from election.protocol import codes
from tests.conftest import DATA_KEY

from .builder import build, entry_fields


@pytest.fixture
def small(db, world):
    election = world["a"]["election"]
    return election, build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)


def test_paper_recorded_once_with_marks_and_no_link(db, small):
    """Rule (DESIGN §4): the record is (D, box, marks); a D already counted is refused."""
    election, b = small
    fields = entry_fields(b, {"jwh_zhuren": {0: "1", 1: "2"}})
    row = enter_scanned(db, election, b.boxes[0].id, b.scans[0], fields, "a_counter")
    db.commit()
    assert row.state == "counted" and row.box_id == b.boxes[0].id
    assert row.marks["jwh_zhuren"] == {"approve": [str(b.residents[0].id)], "oppose": [str(b.residents[1].id)],
                                       "write_ins": [], "unreadable": False}
    with pytest.raises(UserError, match="已经录入过"):
        enter_scanned(db, election, b.boxes[0].id, b.scans[0], fields, "a_counter")
    db.rollback()
    event = db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "counting.paper_counted")).one()
    assert row.d_hash not in str(event.payload) and "approve" not in str(event.payload)


def test_unknown_and_voided_codes_refused(db, small):
    election, b = small
    with pytest.raises(UserError, match="不是选票背面"):
        enter_scanned(db, election, b.boxes[0].id, "hello", {}, "c")
    db.rollback()
    with pytest.raises(UserError, match="不在本次选举的印制清单"):
        record_paper(db, election, b.boxes[0], "0" * 64, {}, "c")
    db.rollback()
    d = d_from_scan(election, b.scans[1])
    db.get(AuditCode, (election.id, d)).state = "voided"
    db.commit()
    with pytest.raises(UserError, match="已作废"):
        record_paper(db, election, b.boxes[0], d, {}, "c")
    db.rollback()
    assert db.get(AuditCode, (election.id, d)).state == "voided"


def test_concurrent_entry_of_same_paper_counts_once(app, db, small):
    """Rule: each paper exactly once, even when two counters scan it at the same moment."""
    election, b = small
    d = d_from_scan(election, b.scans[2])
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        s = app.extensions["juxuan.sessions"]()
        try:
            e = s.get(type(election), election.id)
            box = s.get(type(b.boxes[0]), b.boxes[0].id)
            barrier.wait()
            record_paper(s, e, box, d, {"jwh_zhuren": {"approve": [], "oppose": [], "write_ins": [], "unreadable": True}}, "c")
            s.commit()
            outcomes.append("ok")
        except UserError:
            s.rollback()
            outcomes.append("refused")
        finally:
            s.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "counting.paper_counted")).all().__len__() == 1


def test_first_papers_entered_at_once_close_the_poll_once(app, db, small):
    """Four counters entering the round's first four papers at the same moment: each paper is
    counted, and the close of poll written before the first (every hour's counts, then
    polling.closed) is written once -- not once per counter, which would double the hourly
    counts the verifiers hold the bundle to."""
    election, b = small
    ds = [d_from_scan(election, scan) for scan in b.scans[:4]]
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def worker(d: str) -> None:
        s = app.extensions["juxuan.sessions"]()
        try:
            e = s.get(type(election), election.id)
            box = s.get(type(b.boxes[0]), b.boxes[0].id)
            barrier.wait()
            record_paper(s, e, box, d, {}, "c")
            s.commit()
            outcomes.append("ok")
        finally:
            s.close()

    threads = [threading.Thread(target=worker, args=(d,)) for d in ds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["ok"] * 4
    kinds = [k for (k,) in db.execute(select(ElectionEvent.kind).where(ElectionEvent.election_id == election.id)
                                      .order_by(ElectionEvent.seq))]
    assert kinds.count("polling.closed") == 1 and kinds.count("counting.paper_counted") == 4
    assert kinds.index("polling.closed") < kinds.index("counting.paper_counted")
    hours = [(p["station"], p["hour"]) for p in db.scalars(select(ElectionEvent.payload).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == "polling.issuance_hour_recorded"))]
    assert hours and len(hours) == len(set(hours))
    deposits = [(p["box"], p["hour"]) for p in db.scalars(select(ElectionEvent.payload).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == "polling.deposit_hour_recorded"))]
    assert deposits and len(deposits) == len(set(deposits))


def test_write_in_matched_against_registered_voters(db, small):
    election, b = small
    fields = entry_fields(b, {}, write_ins={"jwh_weiyuan": "何静"})
    row = enter_scanned(db, election, b.boxes[0].id, b.scans[0], fields, "c")
    assert row.marks["jwh_weiyuan"]["write_ins"] == [str(b.residents[11].id)]
    db.rollback()
    with pytest.raises(UserError, match="不是登记选民"):
        enter_scanned(db, election, b.boxes[0].id, b.scans[0], entry_fields(b, {}, write_ins={"jwh_weiyuan": "无名氏"}), "c")
    db.rollback()
    assert db.get(AuditCode, (election.id, d_from_scan(election, b.scans[0]))).state == "printed"


def _count_all(db, election, b, marks):
    for i, scan in enumerate(b.scans):
        box = b.boxes[i % len(b.boxes)]
        enter_scanned(db, election, box.id, scan, entry_fields(b, marks), "a_counter")
        db.commit()


def test_box_difference_blocks_until_explained(db, small):
    """Rule (DESIGN §5): records == stubs per box, else the result waits for an explanation."""
    election, b = small
    for i, scan in enumerate(b.scans[:-1]):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, {}), "c")
        db.commit()
    rows = {r["label"]: r for r in box_counts(db, election, 1)}
    assert rows["2号票箱"]["records"] == 3 and rows["2号票箱"]["stubs"] == 4 and rows["2号票箱"]["differs"]
    assert any("2号票箱" in m for m in blockers(db, election, 1))
    with pytest.raises(UserError):
        publish_result(db, election, 1, "a_committee")
    db.rollback()
    # The explanation is public (the chain): a receipt code in it would be published beside
    # whoever it names (tests/secrecy/test_complaint_codes.py).
    with pytest.raises(UserError, match="票箱差异说明中不能写回执码"):
        explain_box(db, election, 1, b.boxes[1].id, "张三的存根 " + codes.human(bytes(range(16))) + " 已投入", "a_committee")
    db.rollback()
    explain_box(db, election, 1, b.boxes[1].id, "一张选票被选民带走，存根已投入", "a_committee")
    db.commit()
    assert not any("2号票箱" in m for m in blockers(db, election, 1))


def test_second_entry_mismatch_then_resolved(db, small):
    election, b = small
    enter_scanned(db, election, b.boxes[0].id, b.scans[0], entry_fields(b, {"jwh_zhuren": {0: "1"}}), "c1")
    db.commit()
    second_entry(db, election, b.scans[0], entry_fields(b, {"jwh_zhuren": {1: "1"}}), "c2")
    db.commit()
    [(d, first, second)] = mismatches(db, election, 1)
    assert first["jwh_zhuren"]["approve"] == [str(b.residents[0].id)]
    assert second["jwh_zhuren"]["approve"] == [str(b.residents[1].id)]
    resolve_mismatch(db, election, d, "second", "a_committee", "核对纸质选票，为李秀英")
    db.commit()
    assert mismatches(db, election, 1) == []
    assert db.get(AuditCode, (election.id, d)).marks["jwh_zhuren"]["approve"] == [str(b.residents[1].id)]


def test_board_difference_blocks_and_publish_creates_runoff(db, small):
    """Whole round: majority threshold, hand tally board compared, publication, run-off round."""
    election, b = small
    # Everyone approves candidate 0 for 主任 and only 4 of 5 委员 candidates get majority? no: nobody for 委员.
    _count_all(db, election, b, {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jdw_zhuren": {0: "1"},
                                 "jdw_weiyuan": {0: "1", 1: "1"}, "jwh_weiyuan": {0: "1", 1: "1"}})
    running = running_tally(db, election, 1)
    zhuren = next(p for p in running["posts"] if p["key"] == "jwh_zhuren")
    assert zhuren["threshold"] == 8 // 2 + 1 and zhuren["rows"][0]["votes"] == 8
    totals = {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}
    totals["jwh_zhuren"][str(b.residents[0].id)] = 7
    enter_board(db, election, 1, totals, "a_scrutineer")
    db.commit()
    assert board_differences(db, election, 1)[0]["records"] == 8
    assert "计票板合计与录入记录不一致，且未说明原因" in blockers(db, election, 1)
    with pytest.raises(UserError, match="计票板差异说明中不能写回执码"):
        explain_board(db, election, 1, "回执 " + codes.compact(bytes(range(16))) + " 的选票少画一笔", "a_committee")
    db.rollback()
    explain_board(db, election, 1, "计票板少画一笔，重新点数为 8 票", "a_committee")
    db.commit()
    assert blockers(db, election, 1) == []
    result = compute_result(db, election, 1)
    assert result.elected_ids("jwh_zhuren") == [str(b.residents[0].id)]
    publish_result(db, election, 1, "a_committee")
    db.commit()
    assert db.scalar(select(RoundResult)).result["posts"]["jwh_zhuren"]["elected"][0]["votes"] == 8
    nxt = db.scalar(select(Round).where(Round.number == 2))
    assert nxt.kind == "runoff" and "jwh_weiyuan" in nxt.posts
    assert nxt.posts["jwh_weiyuan"]["seats"] == 1
    assert "已公布" in blockers(db, election, 1)[-1]


def test_void_election_published_and_report_states_reason(db, world):
    """Rule (RULES.md Validity): returned papers must exceed half the registered voters."""
    import io

    from pypdf import PdfReader

    from election.counting.reports import report_pdf

    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=6, boxes=1)
    _count_all(db, election, b, {"jwh_zhuren": {0: "1"}})
    totals = {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running_tally(db, election, 1)["posts"]}
    enter_board(db, election, 1, totals, "s")
    row = publish_result(db, election, 1, "a_committee")
    db.commit()
    assert row.result["valid"] is False and row.result["next_round"] == "new_election"
    # A void round is held again (重新选举): round 2 has the same posts and candidates.
    again = db.scalar(select(Round).where(Round.number == 2))
    assert again is not None and again.kind == "main" and again.posts == db.scalar(select(Round).where(Round.number == 1)).posts
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(db, election, 1))).pages)
    assert "选举无效" in text and "6" in text
