"""Counting staff and 代写 (RULES.md "Counting and results", "Voting: secret booth"):
candidates and their near relatives may not be scrutineers, counters, readers or writers,
nor write a voter's paper; assisted writing is recorded (who for whom, never the marks)
and counted on the result report."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from election.counting.reports import report_pdf
from election.counting.staff import appoint, assisted_count, record_assisted
from election.errors import UserError
from election.ledger.events import events_of
from election.nomination.service import add_relation, label

from .test_later_rounds import FIRST
from .voting import candidates_of, setup, vote_round


def test_candidates_and_their_relatives_may_not_count_or_write(db, world, monkeypatch):
    w = setup(db, world["a"]["election"])
    e = w.election
    cand = candidates_of(db, e, "jwh_zhuren")[0].resident
    relative, other, voter = w.voters[30], w.voters[31], w.voters[32]
    add_relation(db, e, "a_committee", str(cand.voter_number), str(relative.voter_number), "spouse")
    db.commit()
    with pytest.raises(UserError, match="是候选人，不能担任"):
        appoint(db, e, 1, "scrutineer", [str(cand.voter_number), str(other.voter_number)], "a_committee")
    with pytest.raises(UserError, match=f"是候选人{cand.name}.*的近亲属"):
        appoint(db, e, 1, "reader", [str(relative.voter_number)], "a_committee")
    assert appoint(db, e, 1, "counter", [str(other.voter_number)], "a_committee") == [label(other)]
    with pytest.raises(UserError, match="不能代写"):
        record_assisted(db, e, 1, str(voter.voter_number), str(relative.voter_number), "a_committee")
    record_assisted(db, e, 1, str(voter.voter_number), str(other.voter_number), "a_committee")
    db.commit()
    event = [ev for ev in events_of(db, e) if ev.kind == "polling.writing_assisted"][-1]
    assert set(event.payload) == {"round", "voter", "writer"}  # never the marks
    assert assisted_count(db, e, 1) == 1
    vote_round(db, w, monkeypatch, 1, w.voters[:24], lambda i: FIRST)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(db, e, 1))).pages).replace("\n", "")
    assert "代写选票 1 张" in text
