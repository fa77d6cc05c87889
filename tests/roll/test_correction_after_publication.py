"""A published candidate's name and sex are what the papers carry and the seats are decided
with: roll.edit refuses to correct them once papers are printed (the roll may still be open),
as both verifiers refuse such a roll.resident_corrected in the chain (PROTOCOL §9, "published
names"); before printing, and for anything else, a correction goes through."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.errors import UserError
from election.ledger.events import record_event
from election.models import Resident
from election.nomination import service as nomination
from election.protocol import event_kinds as ek
from election.roll.edit import edit_resident
from tests.conftest import DATA_KEY
from tests.counting.builder import build


def test_a_listed_candidate_is_not_corrected_after_printing(app, db, world) -> None:
    election = world["a"]["election"]
    built = build(db, election, DATA_KEY, voters=14, papers=1, boxes=1)
    lists = nomination.formal_candidates(db, election)
    record_event(db, election, ek.NOMINATION_LIST_PUBLISHED, {
        "published_on": (election.election_day - timedelta(days=10)).isoformat(),
        "candidates": nomination._list_payload(db, election, lists), "warnings": []}, "committee")
    db.commit()
    candidate, other = built.candidates["jwh_weiyuan"][0].resident, built.residents[12]
    assert election.roll_frozen_at is None and other.id not in {c.resident_id for cs in lists.values() for c in cs}
    # Before the papers are printed the list's name is corrected (the papers will carry it).
    assert edit_resident(db, election, candidate, name="王小明", sex=candidate.sex, group="第一居民小组",
                         reason="户籍核对", actor="clerk") == ["姓名", "居民小组"]
    db.commit()
    record_event(db, election, ek.BALLOTS_PRINTED, {"batch": 1, "round": 1, "receipt_count": 1, "audit_count": 1},
                 "committee")
    db.commit()
    sex = candidate.sex
    with pytest.raises(UserError) as refused:
        edit_resident(db, election, candidate, name="王小明", sex="女" if sex == "男" else "男",
                      group="第一居民小组", reason="改为女性", actor="clerk")
    assert "选票已印制" in str(refused.value) and "性别" in str(refused.value)
    db.rollback()
    assert db.get(Resident, candidate.id).sex == sex
    with pytest.raises(UserError, match="姓名"):
        edit_resident(db, election, candidate, name="王大明", sex=sex, group="第一居民小组", reason="x", actor="c")
    db.rollback()
    # The candidate's 居民小组, and a resident on no list, are still corrected while the roll is open.
    assert edit_resident(db, election, candidate, name="王小明", sex=sex, group="第二居民小组", reason="x",
                         actor="c") == ["居民小组"]
    assert edit_resident(db, election, other, name=other.name, sex="女" if other.sex == "男" else "男",
                         group="第一居民小组", reason="x", actor="c") == ["性别", "居民小组"]
    db.commit()


def test_a_correction_holds_the_write_lock_from_its_first_read(db, world, schema, monkeypatch) -> None:
    """SQLite: the correction read the chain (was the person published?) as a reader and
    wrote after, so anyone committing in between (a desk, a login) made its write fail with
    "database is locked". The write lock is taken first: the other writer is refused at once
    and the correction is made."""
    from election.roll import edit
    from tests.factories import Roll
    from tests.races import OtherWriter

    if not schema.startswith("sqlite"):
        pytest.skip("PostgreSQL's readers never upgrade: row locks and constraints do the work")
    election = world["a"]["election"]
    person = Roll(db, election).add("王伟")
    db.commit()
    other = OtherWriter(schema, election.id)
    real = edit.record_event

    def meanwhile(*args, **kwargs):  # after the checks read, before the correction is written
        other.attempt()
        return real(*args, **kwargs)

    monkeypatch.setattr(edit, "record_event", meanwhile)
    try:
        changed = edit_resident(db, election, person, name="王伟", sex=person.sex, group="第二居民小组",
                                reason="户籍核对", actor="c")
        db.commit()
    finally:
        other.close()
    assert other.outcome == ["database is locked"] and changed == ["居民小组"]
    assert db.get(Resident, person.id).group_name == "第二居民小组"
