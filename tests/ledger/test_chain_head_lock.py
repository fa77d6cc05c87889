"""The chain head's lock on PostgreSQL (ledger.events.lock_chain_head): FOR NO KEY UPDATE.
Inserting a row that refers to the election (a household, a meeting's attendance, an
issuance) takes a key-share lock on the election's row until commit, PostgreSQL's check of
the foreign key. FOR UPDATE conflicts with it, so an event waited for every uncommitted
insert of the election's rows, and such a writer waiting for another's lock took part in the
lock order as if it held the chain head. FOR NO KEY UPDATE does not conflict with a key share,
and still excludes every other taker of the head (two events are numbered one after the other)."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from election.ledger.events import events_of, record_event
from election.models import Election, Household
from election.protocol import event_kinds as ek
from tests.factories import make_election


@pytest.fixture
def election(db, schema):
    if schema.startswith("sqlite"):
        pytest.skip("SQLite has no row locks: its write lock serialises writers")
    e = make_election(db)
    db.commit()
    return e


def _waiting(sessions, election_id: int, act) -> str:
    """Run ``act`` on a second session that gives up after 1 second of waiting for a lock."""
    s = sessions()
    try:
        s.execute(text("SET LOCAL lock_timeout = '1s'"))
        act(s, s.get(Election, election_id))
        s.commit()
        return "done"
    except OperationalError as error:
        s.rollback()
        return "waited: " + type(error.orig).__name__
    finally:
        s.close()


def test_an_event_does_not_wait_for_an_uncommitted_insert_of_the_elections_rows(app, db, election):
    sessions = app.extensions["juxuan.sessions"]
    db.add(Household(election_id=election.id, number="H1", building="1"))
    db.flush()  # the key share on the election's row, held until this transaction ends
    outcome = _waiting(sessions, election.id, lambda s, e: record_event(s, e, ek.ROLL_CARDS_ASSIGNED,
                                                                          {"count": 0}, "x"))
    db.commit()
    assert outcome == "done"
    assert [ev.kind for ev in events_of(db, election)][-1] == ek.ROLL_CARDS_ASSIGNED


def test_two_takers_of_the_head_still_exclude_each_other(app, db, election):
    sessions = app.extensions["juxuan.sessions"]
    record_event(db, election, ek.ROLL_CARDS_ASSIGNED, {"count": 0}, "x")  # holds the head
    outcome = _waiting(sessions, election.id, lambda s, e: record_event(s, e, ek.ROLL_CARDS_ASSIGNED,
                                                                          {"count": 1}, "y"))
    db.commit()
    assert outcome == "waited: LockNotAvailable"
    assert [ev.payload.get("count") for ev in events_of(db, election) if ev.kind == ek.ROLL_CARDS_ASSIGNED] == [0]
