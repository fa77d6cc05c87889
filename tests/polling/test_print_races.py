"""Two print runs of one election at once (two committee members, or a double click on
"印制"): both stored, as batches n and n+1 with one ballots.printed event each, on both
databases (tests/races.py)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from election.models import Election, ElectionEvent, PrintBatch, Receipt
from election.polling import printing
from tests.conftest import DATA_KEY
from tests.races import race, rendezvous

PREFIX = "HTTPS://JX.EXAMPLE.CN/R"


@pytest.mark.parametrize("before", [0, 1], ids=["first_print", "supplements"])
def test_two_print_runs_at_once_are_numbered_one_after_the_other(app, db, poll, monkeypatch, before) -> None:
    """PostgreSQL used to answer 500: the round's first two print runs both stored round 1
    (a duplicate key on ballot_round), two supplements both read the same highest batch number
    and inserted the same (election, batch) (a duplicate key on print_batch); SQLite refused the second writer's upgrade
    (database is locked). A hook holds each side just before its manifest is made (after the
    batch number is read) until the other arrives there too, or for a moment when it cannot
    (it waits for the election's lock, which the first holds)."""
    election_id = poll["election"].id
    for _ in range(before):
        printing.print_papers(db, poll["election"], 1, io.BytesIO(), "a_committee", DATA_KEY, PREFIX)
        db.commit()
    meet = rendezvous()
    real = printing.make_manifest

    def manifest_after_the_number(*args, **kwargs):
        meet()
        return real(*args, **kwargs)

    monkeypatch.setattr(printing, "make_manifest", manifest_after_the_number)

    def print_run(n):
        def act(s):
            result = printing.print_papers(s, s.get(Election, election_id), n, io.BytesIO(), "a_committee", DATA_KEY, PREFIX)
            s.commit()
            return f"{result.batch}:{result.papers}"

        return act

    outcomes = race(app.extensions["juxuan.sessions"], [print_run(2), print_run(3)])
    assert sorted(o.split(":")[0] for o in outcomes) == [str(before), str(before + 1)], outcomes
    db.rollback()
    batches = {
        b.batch: b.papers
        for b in db.scalars(select(PrintBatch).where(PrintBatch.election_id == election_id, PrintBatch.batch >= before))
    }
    assert sorted(batches) == [before, before + 1] and sorted(batches.values()) == [2, 3]
    assert {int(o.split(":")[0]): int(o.split(":")[1]) for o in outcomes} == batches
    for batch, papers in batches.items():
        assert (
            db.scalar(select(func.count()).select_from(Receipt).where(Receipt.election_id == election_id, Receipt.batch == batch))
            == papers
        )
    events = list(db.scalars(select(ElectionEvent).where(ElectionEvent.kind == "ballots.printed").order_by(ElectionEvent.seq)))
    # The round's first batch is its main print run, every later one a supplement.
    assert [(e.payload["batch"], e.payload["supplement"]) for e in events][before:] == [(before, before > 0), (before + 1, True)]
