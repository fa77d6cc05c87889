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
from tests.races import SOAK_TRIALS, SUITE_TRIALS, race, rendezvous

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


def test_publishing_one_round_twice_at_once_publishes_it_once(app, db, world, monkeypatch) -> None:
    """Two committee members publish round 1's result at once: one publication (one stored
    result, one result.published event), the other refused in Chinese, on both databases.
    PostgreSQL used to answer 500: both passed the "already published" check, both inserted
    the round's result (a duplicate key, or a deadlock with the chain head). A hook holds
    each side just after its checks until the other arrives there too, or for a moment when
    it cannot (it waits for the round's lock, which the first holds)."""

    from election.counting import result as counting_result
    from election.counting.result import enter_board, publish_result, running_tally
    from election.models import RoundResult

    from . import voting

    election = world["a"]["election"]
    w = voting.setup(db, election, voters=40)
    voting.vote_round(db, w, monkeypatch, 1, w.voters[:8], lambda i: {"jwh_zhuren": [0]}, publish=False)
    running = running_tally(db, election, 1)
    enter_board(db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]},
                "a_scrutineer")
    db.commit()
    election_id = election.id
    meet = rendezvous()
    real = counting_result.build_input

    def build_input_after_the_checks(*args, **kwargs):
        meet()
        return real(*args, **kwargs)

    monkeypatch.setattr(counting_result, "build_input", build_input_after_the_checks)

    def publish(s):
        publish_result(s, s.get(Election, election_id), 1, "a_committee")
        s.commit()
        return "published"

    outcomes = race(app.extensions["juxuan.sessions"], [publish, publish])
    assert sorted(outcomes) == ["published", "refused: 第 1 轮结果已公布"], outcomes
    assert db.scalar(select(func.count()).select_from(RoundResult).where(RoundResult.round_number == 1)) == 1
    assert _events(db, "result.published") == 1
