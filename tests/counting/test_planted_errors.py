"""Counting errors planted the way a careless or dishonest counter would, each against the
real database, asserting the layer that catches it and that no wrong result is published
quietly (docs/AUDIT.md; the audit's side of the same kinds: tests/audit/test_rla_planted.py,
test_rla_error_kinds.py, test_rla_found_in_sample.py).

Every round here has 8 papers in two boxes (tests/counting/builder.py). The scrutineers'
hand tally board (计票板) is what they tallied from the papers as each was read out: it is
built here from the *true* papers (``true_board``), the records from what the counter
entered. Layers:

* the entry desk: refuses (a paper twice, a paper of another round, a paper after
  publication, a board after publication);
* the tally rules: an over-voted post is invalid on that paper whatever the counter enters;
* the reconciliation and the tally board: publication is refused (blockers) while a box's
  records differ from its stubs or the board differs from the records, unexplained;
* second entry: a second counter's entry of the same paper differs and blocks publication
  until the committee has read the paper.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election.counting.result import (
    RunningSheet,
    blockers,
    box_counts,
    build_input,
    enter_board,
    explain_board,
    explain_box,
    publish_result,
    running_counts,
    running_tally,
    running_view,
    to_paper,
)
from election.counting.scan_batches import approve_batch
from election.counting.service import ballot_of, d_from_scan, enter_scanned, marks_from_entry, mismatches, second_entry
from election.errors import UserError
from election.models import AuditCode, ElectionEvent, Round, RoundResult, ScanBatch, ScanPaper, TallyBoard
from tests.conftest import DATA_KEY

from .builder import ALL_FILLED, add_round_papers, build, entry_fields

Fields = dict[str, str]


@pytest.fixture
def table(db, world):
    election = world["a"]["election"]
    return election, build(db, election, DATA_KEY, voters=14, papers=8, boxes=2)


def _box(b, i: int) -> int:
    """The box paper i was deposited in (builder: alternately)."""
    return b.boxes[i % 2].id


def true_board(db, election, papers: list[Fields], number: int = 1) -> tuple[dict, dict]:
    """The scrutineers' board tallied from the papers themselves: (赞成 totals, [反对, 弃权])."""
    ballot = ballot_of(db, election, number)
    marks = [to_paper(marks_from_entry(db, election, ballot, f)) for f in papers]
    inp, people = build_input(db, election, number, papers=marks, running=True)
    view = running_view(RunningSheet.of(ballot), inp, people, running_counts(inp, inp.papers))
    totals = {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in view["posts"]}
    against = {p["key"]: {r["person"]: [r["opposed"], r["abstained"]] for r in p["rows"] if not r["write_in"]}
               for p in view["posts"]}
    return totals, against


def count_table(db, election, b, papers: list[Fields], entered: dict[int, Fields] | None = None,
                skip: tuple[int, ...] = (), box_of: dict[int, int] | None = None, read_out: bool = True) -> None:
    """Enter every paper as ``entered`` says (else as it is), except ``skip``, into its own
    box unless ``box_of`` moves it; then the board as the scrutineers tallied the papers read
    out (the skipped ones too unless not ``read_out``)."""
    for i, f in enumerate(papers):
        if i in skip:
            continue
        enter_scanned(db, election, (box_of or {}).get(i, _box(b, i)), b.scans[i], (entered or {}).get(i, f), "a_counter", 1)
    db.commit()
    totals, against = true_board(db, election, [f for i, f in enumerate(papers) if read_out or i not in skip])
    enter_board(db, election, 1, totals, "a_scrutineer", against)
    db.commit()


def refused(db, election, *why: str) -> None:
    """Publication is refused naming each reason, and the database is left as it was."""
    events = db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.election_id == election.id))
    for reason in why:
        assert any(reason in str(x) for x in blockers(db, election, 1)), blockers(db, election, 1)
    with pytest.raises(UserError) as caught:
        publish_result(db, election, 1, "a_committee")
    db.rollback()
    assert all(any(reason in m for m in caught.value.messages) for reason in why), caught.value.messages
    assert db.scalar(select(RoundResult.id).where(RoundResult.election_id == election.id)) is None
    assert db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.election_id == election.id)) == events
    assert db.get_one(Round, db.scalar(select(Round.id).where(Round.election_id == election.id,
                                                               Round.number == 1))).status != "published"


BOARD = "计票板合计与录入记录不一致"


def _papers(b) -> list[Fields]:
    """8 papers approving the first candidate(s) of every post (every seat filled)."""
    return [entry_fields(b, ALL_FILLED) for _ in range(8)]


def _counted(db, election) -> int:
    return db.scalar(select(func.count()).select_from(AuditCode).where(
        AuditCode.election_id == election.id, AuditCode.state == "counted")) or 0


# ---------------------------------------------------------------------- the entry desk

def test_a_paper_entered_twice_is_refused_at_the_desk(db, table):
    election, b = table
    f = entry_fields(b, ALL_FILLED)
    enter_scanned(db, election, _box(b, 0), b.scans[0], f, "a_counter", 1)
    db.commit()
    for box in (_box(b, 0), _box(b, 1)):  # again, into its box or the other one
        with pytest.raises(UserError, match="已经录入过，不得重复计入"):
            enter_scanned(db, election, box, b.scans[0], f, "b_counter", 1)
        db.rollback()
    assert _counted(db, election) == 1


def test_a_runoff_paper_on_the_main_rounds_page_is_refused(db, table):
    """A round-2 paper brought to round 1's entry page is refused naming its round; entered
    on no page at all it is recorded in its own round, never in round 1's count."""
    election, b = table
    db.add(Round(election_id=election.id, number=2, kind="runoff",
                 posts={"jwh_zhuren": {"seats": 1, "candidates": [c.id for c in b.candidates["jwh_zhuren"]]}}))
    db.commit()
    scans = add_round_papers(db, election, b, 2, 4)
    with pytest.raises(UserError, match="此选票是第 2 轮的选票，请在第 2 轮的录入页面录入"):
        enter_scanned(db, election, _box(b, 0), scans[0], entry_fields(b, ALL_FILLED), "a_counter", 1)
    db.rollback()
    assert _counted(db, election) == 0
    enter_scanned(db, election, _box(b, 0), scans[0], entry_fields(b, ALL_FILLED), "a_counter")
    db.commit()
    assert running_tally(db, election, 1)["returned"] == 0 and running_tally(db, election, 2)["returned"] == 1


def test_nothing_of_the_count_is_entered_after_publication(db, table):
    """Papers, second entries, scanned batches, the board and its explanations: all refused
    once the round's result is published, the database unchanged."""
    election, b = table
    papers = _papers(b)
    count_table(db, election, b, papers, skip=(7,), read_out=False)
    for box in box_counts(db, election, 1):
        if box["differs"]:
            explain_box(db, election, 1, box["box_id"], "一张选票遗落在票箱外，已由监票人封存", "a_committee")
    db.commit()
    publish_result(db, election, 1, "a_committee")
    db.commit()
    events = db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.election_id == election.id))
    board = dict(db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id)).totals)
    late = [
        (lambda: enter_scanned(db, election, _box(b, 7), b.scans[7], papers[7], "a_counter", 1), "结果已公布"),
        (lambda: enter_scanned(db, election, _box(b, 7), b.scans[7], papers[7], "a_counter"), "结果已公布"),
        (lambda: second_entry(db, election, b.scans[0], papers[0], "b_counter", 1), "结果已公布"),
        (lambda: enter_board(db, election, 1, {"jwh_zhuren": {str(b.residents[0].id): 99}}, "a_scrutineer"), "结果已公布"),
        (lambda: explain_board(db, election, 1, "改过了", "a_committee"), "结果已公布"),
        (lambda: explain_box(db, election, 1, _box(b, 7), "另一个说法", "a_committee"), "结果已公布"),
    ]
    for act, why in late:
        with pytest.raises(UserError, match=why):
            act()
        db.rollback()
    batch = ScanBatch(election_id=election.id, round_number=1, box_id=_box(b, 7), label="late.pdf", pages=2, read_by="a_counter")
    db.add(batch)
    db.flush()
    db.add(ScanPaper(election_id=election.id, token="late7", batch_id=batch.id, pages="1-2",
                     d_hash=db.scalar(select(AuditCode.d_hash).where(AuditCode.election_id == election.id,
                                                                     AuditCode.state == "printed")),
                     state="confident", proposed={}))
    db.commit()
    with pytest.raises(UserError, match="结果已公布"):
        approve_batch(db, election, batch.id, "a_scrutineer")
    db.rollback()
    assert _counted(db, election) == 7
    assert dict(db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id)).totals) == board
    assert db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.election_id == election.id)) == events


# ---------------------------------------------------------------------- the tally rules

def test_an_overvoted_paper_is_invalid_for_that_post_whatever_is_entered(db, table):
    """Two 赞成 for the one 主任 seat, entered as marked: the rules make that post invalid on
    the paper (national: the post only); it adds to nobody's votes."""
    election, b = table
    papers = _papers(b)
    papers[0] = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {0: "1", 1: "1"}})
    count_table(db, election, b, papers)
    row = publish_result(db, election, 1, "a_committee")
    db.commit()
    post = row.result["posts"]["jwh_zhuren"]
    assert post["invalid_papers"] == 1 and post["valid_papers"] == 7
    assert post["votes"].get(str(b.residents[0].id)) == 7 and not post["votes"].get(str(b.residents[1].id))


# ---------------------------------------------------------------------- the tally board

@pytest.mark.parametrize("kind", ["transposition", "blank_as_vote", "invalid_as_valid", "valid_as_invalid",
                                  "overvote_trimmed", "write_in_as_listed"])
def test_a_paper_entered_wrong_is_caught_by_the_board(db, table, kind):
    """One paper's marks entered wrong: the board tallied from the papers differs from the
    records, so publication is refused until the committee has looked (and a second
    counter's entry of the same paper differs too)."""
    election, b = table
    papers = _papers(b)
    wrong = dict(papers[0])
    zhuren = b.candidates["jwh_zhuren"]
    if kind == "transposition":  # the 赞成 put under the neighbouring candidate
        wrong = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {1: "1"}})
    elif kind == "blank_as_vote":
        papers[0] = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {}})
    elif kind == "invalid_as_valid":  # an unreadable 主任 section entered as a 赞成
        papers[0] = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {}}, unreadable=("jwh_zhuren",))
    elif kind == "valid_as_invalid":
        wrong = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {}}, unreadable=("jwh_zhuren",))
    elif kind == "overvote_trimmed":  # two 赞成 for one seat, one of them left out
        papers[0] = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {0: "1", 1: "1"}})
    elif kind == "write_in_as_listed":  # 另选 a resident entered as a 赞成 for the first candidate
        papers[0] = entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {}}, write_ins={"jwh_zhuren": b.residents[12].name})
    assert kind != "transposition" or wrong[f"m-jwh_zhuren-{zhuren[1].id}"] == "1"
    count_table(db, election, b, papers, entered={0: wrong})
    refused(db, election, BOARD)
    second_entry(db, election, b.scans[0], papers[0], "b_counter", 1)
    db.commit()
    assert len(mismatches(db, election, 1)) == 1
    refused(db, election, BOARD, "复核录入与第一次录入不一致")


def test_a_hand_total_that_disagrees_with_the_papers_blocks_until_explained(db, table):
    """The board's 主任 total one off the records: refused; published only once the
    committee's explanation is on the chain."""
    election, b = table
    papers = _papers(b)
    count_table(db, election, b, papers)
    board = db.scalar(select(TallyBoard).where(TallyBoard.election_id == election.id))
    totals = {k: dict(v) for k, v in board.totals.items()}
    first = str(b.residents[0].id)
    totals["jwh_zhuren"][first] -= 1
    with pytest.raises(UserError, match="每位候选人的赞成、反对、弃权之和都应等于本职位有效票数"):
        enter_board(db, election, 1, totals, "a_scrutineer", board.against)  # the board's own columns disagree
    db.rollback()
    enter_board(db, election, 1, totals, "a_scrutineer")
    db.commit()
    refused(db, election, BOARD)
    explain_board(db, election, 1, "计票板主任栏少划一票，已按录入记录核对纸质选票", "a_committee")
    row = publish_result(db, election, 1, "a_committee")
    db.commit()
    assert row.result["posts"]["jwh_zhuren"]["votes"][first] == 8
    assert db.scalar(select(ElectionEvent.id).where(ElectionEvent.election_id == election.id,
                                                    ElectionEvent.kind == "counting.tally_board_explained"))


def test_a_scanned_batch_approved_with_a_misread_mark_is_caught_by_the_board(db, table):
    """The reader read paper 0's 主任 mark under the neighbouring candidate, confidently, and
    the batch was approved: the records are wrong, the board is not."""
    election, b = table
    papers = _papers(b)
    ballot = ballot_of(db, election, 1)
    batch = ScanBatch(election_id=election.id, round_number=1, box_id=_box(b, 0), label="box1.pdf", pages=2, read_by="scanner")
    db.add(batch)
    db.flush()
    misread = marks_from_entry(db, election, ballot, entry_fields(b, {**ALL_FILLED, "jwh_zhuren": {1: "1"}}))
    db.add(ScanPaper(election_id=election.id, token="p0", batch_id=batch.id, pages="1-2",
                     d_hash=d_from_scan(election, b.scans[0]), state="confident", proposed=misread))
    db.commit()
    assert approve_batch(db, election, batch.id, "a_scrutineer") == 1
    db.commit()
    for i in range(1, 8):
        enter_scanned(db, election, _box(b, i), b.scans[i], papers[i], "a_counter", 1)
    db.commit()
    totals, against = true_board(db, election, papers)
    enter_board(db, election, 1, totals, "a_scrutineer", against)
    db.commit()
    refused(db, election, BOARD)


# ---------------------------------------------------------------------- the reconciliation

@pytest.mark.parametrize("read_out", [True, False])
def test_a_skipped_paper_is_caught_by_the_reconciliation(db, table, read_out):
    """Paper 3 never entered: its box has a stub more than records; read out and tallied on
    the board (but not entered), the board differs too."""
    election, b = table
    papers = _papers(b)
    count_table(db, election, b, papers, skip=(3,), read_out=read_out)
    label = b.boxes[1].label
    refused(db, election, f"票箱“{label}”记录 3 张，存根 4 张", *([BOARD] if read_out else []))
    assert read_out or not any(BOARD in str(x) for x in blockers(db, election, 1))


def test_papers_entered_into_the_other_box_are_caught_by_the_reconciliation(db, table):
    """Paper 0 of box 1 entered as box 2's: the marks are right (the board agrees), the
    boxes are not."""
    election, b = table
    papers = _papers(b)
    count_table(db, election, b, papers, box_of={0: _box(b, 1)})
    one, two = b.boxes[0].label, b.boxes[1].label
    assert not any(BOARD in str(x) for x in blockers(db, election, 1))
    refused(db, election, f"票箱“{one}”记录 3 张，存根 4 张", f"票箱“{two}”记录 5 张，存根 4 张")


# ---------------------------------------------------------------------- the public verifier

def test_a_recorded_correction_verifies_and_nothing_else_changes_a_published_count(db):
    """The verifiers take the result in force: one published, reopened (a recorded
    correction) and published again verifies (both verifiers used to refuse it: "第 1 轮的结果
    公布事件有 2 个"). A count changed after the result without a reopening cannot come from
    the app (above) and fails result_event (tests/protocol/forgeries.py: board_entered_after_result,
    paper_counted_after_result, board_explained_after_result, result_published_twice)."""
    from election.counting.result import reopen_result
    from tests.counting.builder import board_as_counted
    from tests.ledger.helpers import export, simulated
    from tools.verify import run

    e = simulated(db).election
    board_as_counted(db, e, 1)
    publish_result(db, e, 1, "committee")
    db.commit()
    assert all(c.ok for c in run(export(db, e))), [c for c in run(export(db, e)) if not c.ok]
    reopen_result(db, e, 1, "核对纸质选票后更正一张选票的录入", "committee")
    publish_result(db, e, 1, "committee")
    db.commit()
    checks = {c.name_en: c for c in run(export(db, e))}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
