"""Exactly-once under races in the counting room (issue 17): two counters making the
second entry of one paper at once store one entry and one event, and the loser gets a
Chinese refusal (PostgreSQL used to answer 500 on the unique violation); two committee
members resolving one mismatch at once resolve it once. The soak lane runs 200 trials."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election.counting.service import d_from_scan, enter_scanned, mismatches, resolve_mismatch, second_entry
from election.models import Election, ElectionEvent, SecondEntry
from tests.conftest import DATA_KEY
from tests.races import SOAK_TRIALS, SUITE_TRIALS, race

from .builder import build, entry_fields

COUNTERS = 8


def _events(db, kind: str) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.kind == kind))


def _second_entry_race(app, db, world, trials: int) -> None:
    election = world["a"]["election"]
    b = build(db, election, DATA_KEY, voters=max(12, trials), papers=trials, boxes=2)
    db.commit()
    sessions = app.extensions["juxuan.sessions"]
    first, other = entry_fields(b, {"jwh_zhuren": {0: "1"}}), entry_fields(b, {"jwh_zhuren": {1: "1"}})
    for scan in b.scans:
        enter_scanned(db, election, b.boxes[0].id, scan, first, "c1")
        db.commit()

        def enter(fields, who):
            def act(s):
                second_entry(s, s.get(Election, election.id), scan, fields, who)
                s.commit()
                return "ok " + who
            return act
        outcomes = race(sessions, [enter(other, f"c{n}") for n in range(2, 2 + COUNTERS)])
        assert len([o for o in outcomes if o.startswith("ok")]) == 1, outcomes
        assert all(o == "refused: 此选票已复核录入过，不得重复复核录入" for o in outcomes if not o.startswith("ok")), outcomes
    assert db.scalar(select(func.count()).select_from(SecondEntry)) == trials
    assert _events(db, "counting.second_entry_recorded") == trials

    # Two committee members resolve the same mismatch at once: once.
    for d, _first, _second in mismatches(db, election, 1)[:max(2, trials // 4)]:
        def resolve(keep):
            def act(s):
                resolve_mismatch(s, s.get(Election, election.id), d, keep, "a_committee", "核对纸质选票")
                s.commit()
                return "ok " + keep
            return act
        before = _events(db, "counting.second_entry_resolved")
        outcomes = race(sessions, [resolve("first"), resolve("second")] * 3)
        assert len([o for o in outcomes if o.startswith("ok")]) == 1, outcomes
        assert _events(db, "counting.second_entry_resolved") == before + 1
    assert d_from_scan(election, b.scans[0])


def test_second_entry_race_stores_one_entry(app, db, world) -> None:
    _second_entry_race(app, db, world, SUITE_TRIALS)


@pytest.mark.soak
def test_soak_second_entry_race_200_trials(app, db, world) -> None:
    _second_entry_race(app, db, world, SOAK_TRIALS)
