"""Multi-round counting: a run-off round is created from the published result (its seats
and candidates from the TallyResult), counted through the same entry page, and decided
with the run-off rule (most votes, at least 1/3 of the papers of that round)."""
from __future__ import annotations

from sqlalchemy import select

from election.counting.result import publish_result
from election.counting.service import ballot_of, enter_scanned
from election.models import ElectionEvent, Round, RoundResult
from tests.conftest import DATA_KEY, csrf_token, login
from tests.counting.builder import board_as_counted

from .builder import add_round_papers, build, entry_fields, mix_boxes


def test_runoff_round_created_counted_and_decided(app, db, world):
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=12, papers=8, boxes=2)
    first = {"jwh_zhuren": {0: "1"}, "jwh_fu_zhuren": {0: "1"}, "jdw_zhuren": {0: "1"},
             "jdw_weiyuan": {0: "1", 1: "1"}, "jwh_weiyuan": {0: "1", 1: "1"}}
    for i, scan in enumerate(b.scans):
        enter_scanned(db, election, b.boxes[i % 2].id, scan, entry_fields(b, first), "c")
        db.commit()
    board_as_counted(db, election, 1)
    publish_result(db, election, 1, "a_committee")
    db.commit()

    rnd = db.scalar(select(Round).where(Round.election_id == election.id, Round.number == 2))
    assert rnd.kind == "runoff" and list(rnd.posts) == ["jwh_weiyuan"] and rnd.posts["jwh_weiyuan"]["seats"] == 1
    ballot = ballot_of(db, election, 2)
    names = [c.name for c in ballot.posts[0][1]]
    # Seats + 1 highest non-elected, ties at the cut included: 孙伟, 周丽, 吴刚 all had 0 votes.
    assert sorted(names) == sorted(["孙伟", "周丽", "吴刚"])
    assert db.scalar(select(ElectionEvent).where(ElectionEvent.kind == "round.created")).payload["kind"] == "runoff"

    scans = add_round_papers(db, election, b, 2, 8)
    client = app.test_client()
    login(client, "a_counter")
    token = csrf_token(client, f"/elections/{election.id}/counting/2/entry")
    mix_boxes(client, f"/elections/{election.id}/counting/2/entry", token, b.boxes)
    for i, scan in enumerate(scans):
        who = "周丽" if i < 5 else "孙伟"
        fields = {f"m-jwh_weiyuan-{c.id}": ("1" if c.name == who else "0") for c in ballot.posts[0][1]}
        r = client.post(f"/elections/{election.id}/counting/2/entry",
                        data={"csrf_token": token, "box": str(b.boxes[i % 2].id), "scan": scan, **fields})
        assert r.status_code == 302
    # A round-1 paper cannot slip into the round-2 count twice.
    r = client.post(f"/elections/{election.id}/counting/2/entry",
                    data={"csrf_token": token, "box": str(b.boxes[0].id), "scan": b.scans[0]}, follow_redirects=True)
    assert "此选票已经录入过" in r.get_data(as_text=True)
    db.rollback()
    board_as_counted(db, election, 2)
    publish_result(db, election, 2, "a_committee")
    db.commit()
    result = db.scalar(select(RoundResult).where(RoundResult.round_number == 2)).result
    post = result["posts"]["jwh_weiyuan"]
    assert post["threshold"]["min_votes"] == 3  # ⌈8 × 1/3⌉
    assert [(e["name"], e["votes"]) for e in post["elected"]] == [("周丽", 5)]
    assert result["bodies"]["jwh"]["elected"] == 5 and result["next_round"] == "none"


def test_count_demo_round_records_one_paper_per_stub(db, world):
    import random

    from election.counting.demo import count_demo_round
    from election.models import AuditCode

    election = world["a"]["election"]
    build(db, election, DATA_KEY, voters=20, papers=14, boxes=2)
    row = count_demo_round(db, election, random.Random(3))
    assert row.result["papers_returned"] == 14
    counted = db.scalars(select(AuditCode).where(AuditCode.state == "counted")).all()
    assert len(counted) == 14 and {c.box_id for c in counted} and all(c.marks for c in counted)
