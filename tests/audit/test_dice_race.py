"""Two desks entering the public dice for one seal at once (docs/AUDIT.md §3: one roll per
seal): one roll is recorded, the other refused, on both databases (tests/races.py)."""
from __future__ import annotations

from election.audit import service
from election.models import Election
from tests.audit import seeding
from tests.audit.test_rla_service import _boxes
from tests.conftest import DATA_KEY
from tests.ledger.helpers import simulated
from tests.races import meet_after, race


def test_two_dice_entries_at_once_record_one_roll(app, db, world, monkeypatch) -> None:
    """Each side is held just after it read the round's seed steps (no dice yet) until the other
    arrives there too, or for a moment when it cannot (it waits for the election's row, which
    the first holds). Without that lock PostgreSQL recorded two rolls for one seal, which the
    verifiers refuse."""
    e = simulated(db, world).election
    seeding.commit(db, e)
    service.enter_manifest(db, e, {b: str(len(ds)) for b, ds in _boxes(db, e).items()}, "scrutineer")
    service.seal(db, e, DATA_KEY, "committee")
    db.commit()
    election_id = e.id
    real = service.seed_steps
    meet_after(monkeypatch, service, "seed_steps")  # the seed's steps read, before the dice are written

    def roll(dice: str):
        def act(s):
            service.record_dice(s, s.get(Election, election_id), dice, seeding.WITNESSES, "auditor")
            s.commit()
            return "rolled"
        return act

    outcomes = race(app.extensions["juxuan.sessions"], [roll("1" * 20), roll("2" * 20)])
    assert sorted(o[:7] for o in outcomes) == ["refused", "rolled"], outcomes
    assert any("每次封存只掷一次" in o for o in outcomes), outcomes
    db.rollback()
    monkeypatch.setattr(service, "seed_steps", real)
    rolled = [ev for ev in service.events_of(db, db.get(Election, election_id)) if ev.kind == "audit.dice_rolled"]
    assert len(rolled) == 1
